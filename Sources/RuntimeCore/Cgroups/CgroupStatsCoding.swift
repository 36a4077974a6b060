// CgroupStats as JSON, field for field as runc prints it: where runc's Go struct says
// omitempty, a zero or empty value is left out; on input every field may be absent.

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
