// Linux resource limits of a container or pod (cgroup settings).

/// cgroup limits; 0 or "" means "not specified".
public struct LinuxContainerResources: CRIMessage {
    @Field public var cpuPeriod: Int64
    @Field public var cpuQuota: Int64
    @Field public var cpuShares: Int64
    @Field public var memoryLimitInBytes: Int64
    @Field public var oomScoreAdj: Int64
    @Field public var cpusetCpus: String
    @Field public var cpusetMems: String
    @Field public var hugepageLimits: [HugepageLimit]
    /// cgroup v2 files and values, e.g. "memory.high": "1073741824".
    @Field public var unified: [String: String]
    @Field public var memorySwapLimitInBytes: Int64

    public init() {}
}

/// A HugeTLB limit for one page size ("2MB", "1GB").
public struct HugepageLimit: CRIMessage {
    @Field public var pageSize: String
    @Field public var limit: UInt64

    public init() {}
    public init(pageSize: String, limit: UInt64) {
        self.pageSize = pageSize
        self.limit = limit
    }
}
