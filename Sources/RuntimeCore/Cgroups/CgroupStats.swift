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
        enum CodingKeys: String, CodingKey { case usage, throttling }

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
