// Resource usage in the JSON shape `runc events --stats` prints under "data" (runc's types.Stats,
// cgroup part): the same key names, including runc's mix of snake_case and camelCase, and the
// same omissions of zero fields, so tools written against runc read ours unchanged.
// Both drivers fill it; v2 converts its units to v1's (nanoseconds, memory+swap totals).

public struct CgroupStats: Codable, Sendable, Equatable {
    public var cpu = CPU()
    public var cpuset = CPUSet()
    public var memory = Memory()
    public var pids = Pids()
    public var blkio = Blkio()
    /// By page size name: "2MB", "1GB".
    public var hugetlb: [String: Hugetlb] = [:]
    public init() {}

    public struct CPU: Codable, Sendable, Equatable {
        public var usage = Usage()
        public var throttling = Throttling()
        public init() {}

        /// Nanoseconds.
        public struct Usage: Codable, Sendable, Equatable {
            public var total: UInt64 = 0
            public var percpu: [UInt64] = []
            public var percpuKernel: [UInt64] = []
            public var percpuUser: [UInt64] = []
            public var kernel: UInt64 = 0
            public var user: UInt64 = 0
            public init() {}
            enum CodingKeys: String, CodingKey {
                case total, percpu, percpuKernel = "percpu_kernel", percpuUser = "percpu_user", kernel, user
            }
        }

        public struct Throttling: Codable, Sendable, Equatable {
            public var periods: UInt64 = 0
            public var throttledPeriods: UInt64 = 0
            /// Nanoseconds.
            public var throttledTime: UInt64 = 0
            public init() {}
            enum CodingKeys: String, CodingKey { case periods, throttledPeriods, throttledTime }
        }
    }

    /// The cpuset's configuration (v1 files; v2 has only the effective cpus and mems).
    public struct CPUSet: Codable, Sendable, Equatable {
        public var cpus: [UInt16] = []
        public var cpuExclusive: UInt64 = 0
        public var mems: [UInt16] = []
        public var memHardwall: UInt64 = 0
        public var memExclusive: UInt64 = 0
        public var memoryMigrate: UInt64 = 0
        public var memorySpreadPage: UInt64 = 0
        public var memorySpreadSlab: UInt64 = 0
        public var memoryPressure: UInt64 = 0
        public var schedLoadBalance: UInt64 = 0
        public var schedRelaxDomainLevel: Int64 = 0
        public init() {}
        enum CodingKeys: String, CodingKey {
            case cpus, cpuExclusive = "cpu_exclusive", mems, memHardwall = "mem_hardwall", memExclusive = "mem_exclusive",
                 memoryMigrate = "memory_migrate", memorySpreadPage = "memory_spread_page", memorySpreadSlab = "memory_spread_slab",
                 memoryPressure = "memory_pressure", schedLoadBalance = "sched_load_balance", schedRelaxDomainLevel = "sched_relax_domain_level"
        }

        /// "0-3,8,10-11" -> [0, 1, 2, 3, 8, 10, 11].
        static func parseList(_ text: String) -> [UInt16] {
            var out: [UInt16] = []
            for part in CgroupFiles.trim(text).split(separator: ",") {
                let ends = part.split(separator: "-").compactMap { UInt16($0) }
                if ends.count == 1 { out.append(ends[0]) }
                else if ends.count == 2, ends[0] <= ends[1] { out += Array(ends[0]...ends[1]) }
            }
            return out
        }
    }

    public struct Memory: Codable, Sendable, Equatable {
        public var cache: UInt64 = 0
        public var usage = Entry()
        /// memory+swap, as v1 counts it.
        public var swap = Entry()
        public var kernel = Entry()
        public var kernelTCP = Entry()
        /// memory.stat as is.
        public var raw: [String: UInt64] = [:]
        public init() {}
        enum CodingKeys: String, CodingKey { case cache, usage, swap, kernel, kernelTCP, raw }

        public struct Entry: Codable, Sendable, Equatable {
            public var limit: UInt64 = 0
            public var usage: UInt64 = 0
            public var max: UInt64 = 0
            public var failcnt: UInt64 = 0
            public init() {}
            enum CodingKeys: String, CodingKey { case limit, usage, max, failcnt }
        }
    }

    public struct Pids: Codable, Sendable, Equatable {
        public var current: UInt64 = 0
        /// 0 when unlimited.
        public var limit: UInt64 = 0
        public init() {}
        enum CodingKeys: String, CodingKey { case current, limit }
    }

    public struct Blkio: Codable, Sendable, Equatable {
        public var ioServiceBytesRecursive: [Entry] = []
        public var ioServicedRecursive: [Entry] = []
        public var ioQueuedRecursive: [Entry] = []
        public var ioServiceTimeRecursive: [Entry] = []
        public var ioWaitTimeRecursive: [Entry] = []
        public var ioMergedRecursive: [Entry] = []
        public var ioTimeRecursive: [Entry] = []
        public var sectorsRecursive: [Entry] = []
        public init() {}
        enum CodingKeys: String, CodingKey {
            case ioServiceBytesRecursive, ioServicedRecursive, ioQueuedRecursive = "ioQueueRecursive",
                 ioServiceTimeRecursive, ioWaitTimeRecursive, ioMergedRecursive, ioTimeRecursive, sectorsRecursive
        }

        public struct Entry: Codable, Sendable, Equatable {
            public var major: UInt64 = 0
            public var minor: UInt64 = 0
            /// "Read", "Write", "Sync", "Async", "Total", ... ("" for per-device counters).
            public var op: String = ""
            public var value: UInt64 = 0
            public init(major: UInt64, minor: UInt64, op: String, value: UInt64) {
                self.major = major; self.minor = minor; self.op = op; self.value = value
            }
            enum CodingKeys: String, CodingKey { case major, minor, op, value }
        }
    }

    public struct Hugetlb: Codable, Sendable, Equatable {
        public var usage: UInt64 = 0
        /// Peak usage (v1 only).
        public var max: UInt64 = 0
        public var failcnt: UInt64 = 0
        public init() {}
        enum CodingKeys: String, CodingKey { case usage, max, failcnt }
    }

    enum CodingKeys: String, CodingKey { case cpu, cpuset, memory, pids, blkio, hugetlb }
}

// MARK: - JSON: runc's omitempty fields are left out when zero; every field may be absent on input.

extension CgroupStats {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cpu = try c.value(.cpu, CPU())
        cpuset = try c.value(.cpuset, CPUSet())
        memory = try c.value(.memory, Memory())
        pids = try c.value(.pids, Pids())
        blkio = try c.value(.blkio, Blkio())
        hugetlb = try c.value(.hugetlb, [:])
    }
}

extension CgroupStats.CPU {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        usage = try c.value(.usage, Usage())
        throttling = try c.value(.throttling, Throttling())
    }
}

extension CgroupStats.CPU.Usage {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        total = try c.value(.total, 0); percpu = try c.value(.percpu, [])
        percpuKernel = try c.value(.percpuKernel, []); percpuUser = try c.value(.percpuUser, [])
        kernel = try c.value(.kernel, 0); user = try c.value(.user, 0)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.unlessEmpty(total, .total); try c.unlessEmpty(percpu, .percpu)
        try c.unlessEmpty(percpuKernel, .percpuKernel); try c.unlessEmpty(percpuUser, .percpuUser)
        try c.encode(kernel, forKey: .kernel); try c.encode(user, forKey: .user)
    }
}

extension CgroupStats.CPU.Throttling {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        periods = try c.value(.periods, 0); throttledPeriods = try c.value(.throttledPeriods, 0)
        throttledTime = try c.value(.throttledTime, 0)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.unlessEmpty(periods, .periods); try c.unlessEmpty(throttledPeriods, .throttledPeriods)
        try c.unlessEmpty(throttledTime, .throttledTime)
    }
}

extension CgroupStats.CPUSet {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cpus = try c.value(.cpus, []); cpuExclusive = try c.value(.cpuExclusive, 0); mems = try c.value(.mems, [])
        memHardwall = try c.value(.memHardwall, 0); memExclusive = try c.value(.memExclusive, 0)
        memoryMigrate = try c.value(.memoryMigrate, 0); memorySpreadPage = try c.value(.memorySpreadPage, 0)
        memorySpreadSlab = try c.value(.memorySpreadSlab, 0); memoryPressure = try c.value(.memoryPressure, 0)
        schedLoadBalance = try c.value(.schedLoadBalance, 0); schedRelaxDomainLevel = try c.value(.schedRelaxDomainLevel, 0)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.unlessEmpty(cpus, .cpus); try c.encode(cpuExclusive, forKey: .cpuExclusive); try c.unlessEmpty(mems, .mems)
        try c.encode(memHardwall, forKey: .memHardwall); try c.encode(memExclusive, forKey: .memExclusive)
        try c.encode(memoryMigrate, forKey: .memoryMigrate); try c.encode(memorySpreadPage, forKey: .memorySpreadPage)
        try c.encode(memorySpreadSlab, forKey: .memorySpreadSlab); try c.encode(memoryPressure, forKey: .memoryPressure)
        try c.encode(schedLoadBalance, forKey: .schedLoadBalance); try c.encode(schedRelaxDomainLevel, forKey: .schedRelaxDomainLevel)
    }
}

extension CgroupStats.Memory {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cache = try c.value(.cache, 0); usage = try c.value(.usage, Entry()); swap = try c.value(.swap, Entry())
        kernel = try c.value(.kernel, Entry()); kernelTCP = try c.value(.kernelTCP, Entry()); raw = try c.value(.raw, [:])
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.unlessEmpty(cache, .cache)
        try c.encode(usage, forKey: .usage); try c.encode(swap, forKey: .swap)
        try c.encode(kernel, forKey: .kernel); try c.encode(kernelTCP, forKey: .kernelTCP)
        try c.unlessEmpty(raw, .raw)
    }
}

extension CgroupStats.Memory.Entry {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        limit = try c.value(.limit, 0); usage = try c.value(.usage, 0); max = try c.value(.max, 0); failcnt = try c.value(.failcnt, 0)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(limit, forKey: .limit); try c.unlessEmpty(usage, .usage)
        try c.unlessEmpty(max, .max); try c.encode(failcnt, forKey: .failcnt)
    }
}

extension CgroupStats.Pids {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        current = try c.value(.current, 0); limit = try c.value(.limit, 0)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.unlessEmpty(current, .current); try c.unlessEmpty(limit, .limit)
    }
}

extension CgroupStats.Blkio {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ioServiceBytesRecursive = try c.value(.ioServiceBytesRecursive, []); ioServicedRecursive = try c.value(.ioServicedRecursive, [])
        ioQueuedRecursive = try c.value(.ioQueuedRecursive, []); ioServiceTimeRecursive = try c.value(.ioServiceTimeRecursive, [])
        ioWaitTimeRecursive = try c.value(.ioWaitTimeRecursive, []); ioMergedRecursive = try c.value(.ioMergedRecursive, [])
        ioTimeRecursive = try c.value(.ioTimeRecursive, []); sectorsRecursive = try c.value(.sectorsRecursive, [])
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.unlessEmpty(ioServiceBytesRecursive, .ioServiceBytesRecursive); try c.unlessEmpty(ioServicedRecursive, .ioServicedRecursive)
        try c.unlessEmpty(ioQueuedRecursive, .ioQueuedRecursive); try c.unlessEmpty(ioServiceTimeRecursive, .ioServiceTimeRecursive)
        try c.unlessEmpty(ioWaitTimeRecursive, .ioWaitTimeRecursive); try c.unlessEmpty(ioMergedRecursive, .ioMergedRecursive)
        try c.unlessEmpty(ioTimeRecursive, .ioTimeRecursive); try c.unlessEmpty(sectorsRecursive, .sectorsRecursive)
    }
}

extension CgroupStats.Blkio.Entry {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        major = try c.value(.major, 0); minor = try c.value(.minor, 0); op = try c.value(.op, ""); value = try c.value(.value, 0)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.unlessEmpty(major, .major); try c.unlessEmpty(minor, .minor)
        try c.unlessEmpty(op, .op); try c.unlessEmpty(value, .value)
    }
}

extension CgroupStats.Hugetlb {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        usage = try c.value(.usage, 0); max = try c.value(.max, 0); failcnt = try c.value(.failcnt, 0)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.unlessEmpty(usage, .usage); try c.unlessEmpty(max, .max); try c.encode(failcnt, forKey: .failcnt)
    }
}

/// Zero-ness in Go's omitempty sense.
protocol OmitEmptyValue: Encodable { var isOmitEmptyZero: Bool { get } }
extension UInt64: OmitEmptyValue { var isOmitEmptyZero: Bool { self == 0 } }
extension String: OmitEmptyValue { var isOmitEmptyZero: Bool { isEmpty } }
extension Array: OmitEmptyValue where Element: Encodable { var isOmitEmptyZero: Bool { isEmpty } }
extension Dictionary: OmitEmptyValue where Key == String, Value: Encodable { var isOmitEmptyZero: Bool { isEmpty } }

fileprivate extension KeyedEncodingContainer {
    mutating func unlessEmpty<T: OmitEmptyValue>(_ value: T, _ key: Key) throws {
        if !value.isOmitEmptyZero { try encode(value, forKey: key) }
    }
}

fileprivate extension KeyedDecodingContainer {
    func value<T: Decodable>(_ key: Key, _ fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}
