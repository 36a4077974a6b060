// Resource usage of containers and pods: the stats RPC messages and their usage records.
// Usage values are UInt64Value? so that "not measured" stays apart from 0.

public struct ContainerStatsRequest: CRIMessage {
    @Field public var containerId: String

    public init() {}
    public init(containerId: String) { self.containerId = containerId }
}

public struct ContainerStatsResponse: CRIMessage {
    @Field public var stats: ContainerStats

    public init() {}
    public init(stats: ContainerStats) { self.stats = stats }
}

/// Which containers ListContainerStats reports; the set fields are ANDed.
public struct ContainerStatsFilter: CRIMessage {
    @Field public var id: String
    @Field public var podSandboxId: String
    @Field public var labelSelector: [String: String]

    public init() {}
}

public struct ListContainerStatsRequest: CRIMessage {
    @Field public var filter: ContainerStatsFilter

    public init() {}
    public init(filter: ContainerStatsFilter) { self.filter = filter }
}

public struct ListContainerStatsResponse: CRIMessage {
    @Field public var stats: [ContainerStats]

    public init() {}
    public init(stats: [ContainerStats]) { self.stats = stats }
}

/// Which container the stats are of.
public struct ContainerAttributes: CRIMessage {
    @Field public var id: String
    @Field public var metadata: ContainerMetadata
    @Field public var labels: [String: String]
    @Field public var annotations: [String: String]

    public init() {}
}

public struct ContainerStats: CRIMessage {
    @Field public var attributes: ContainerAttributes
    public var cpu: CpuUsage?
    public var memory: MemoryUsage?
    /// Usage of the container's writable layer.
    public var writableLayer: FilesystemUsage?
    public var swap: SwapUsage?
    public var io: IoUsage?

    public init() {}
}

/// Pressure stall information of one resource.
public struct PsiStats: CRIMessage {
    /// Stalls of all tasks at once.
    @Field public var full: PsiData
    /// Stalls of at least one task.
    @Field public var some: PsiData

    public init() {}

    // The proto spells these fields with capitals (Full, Some).
    enum CodingKeys: String, CodingKey {
        case full = "Full"
        case some = "Some"
    }
}

public struct PsiData: CRIMessage {
    /// Total stall time in nanoseconds.
    @Field public var total: UInt64
    /// Percent of time stalled over 10 s, 60 s and 300 s windows.
    @Field public var avg10: Double
    @Field public var avg60: Double
    @Field public var avg300: Double

    public init() {}

    enum CodingKeys: String, CodingKey {
        case total = "Total"
        case avg10 = "Avg10"
        case avg60 = "Avg60"
        case avg300 = "Avg300"
    }
}

public struct CpuUsage: CRIMessage {
    /// Nanoseconds since the epoch at which this was read.
    @Field public var timestamp: Int64
    /// CPU time used since creation, in core-nanoseconds.
    public var usageCoreNanoSeconds: UInt64Value?
    /// Average usage over the sample window, in core-nanoseconds per second.
    public var usageNanoCores: UInt64Value?
    public var psi: PsiStats?

    public init() {}
}

public struct MemoryUsage: CRIMessage {
    @Field public var timestamp: Int64
    public var workingSetBytes: UInt64Value?
    /// The limit minus the working set.
    public var availableBytes: UInt64Value?
    public var usageBytes: UInt64Value?
    public var rssBytes: UInt64Value?
    public var pageFaults: UInt64Value?
    public var majorPageFaults: UInt64Value?
    public var psi: PsiStats?

    public init() {}
}

public struct SwapUsage: CRIMessage {
    @Field public var timestamp: Int64
    public var swapAvailableBytes: UInt64Value?
    public var swapUsageBytes: UInt64Value?

    public init() {}
}

public struct IoUsage: CRIMessage {
    @Field public var timestamp: Int64
    public var psi: PsiStats?

    public init() {}
}

public struct PodSandboxStatsRequest: CRIMessage {
    @Field public var podSandboxId: String

    public init() {}
    public init(podSandboxId: String) { self.podSandboxId = podSandboxId }
}

public struct PodSandboxStatsResponse: CRIMessage {
    @Field public var stats: PodSandboxStats

    public init() {}
    public init(stats: PodSandboxStats) { self.stats = stats }
}

/// Which sandboxes ListPodSandboxStats reports; the set fields are ANDed.
public struct PodSandboxStatsFilter: CRIMessage {
    @Field public var id: String
    @Field public var labelSelector: [String: String]

    public init() {}
}

public struct ListPodSandboxStatsRequest: CRIMessage {
    @Field public var filter: PodSandboxStatsFilter

    public init() {}
    public init(filter: PodSandboxStatsFilter) { self.filter = filter }
}

public struct ListPodSandboxStatsResponse: CRIMessage {
    @Field public var stats: [PodSandboxStats]

    public init() {}
    public init(stats: [PodSandboxStats]) { self.stats = stats }
}

/// Which sandbox the stats are of.
public struct PodSandboxAttributes: CRIMessage {
    @Field public var id: String
    @Field public var metadata: PodSandboxMetadata
    @Field public var labels: [String: String]
    @Field public var annotations: [String: String]

    public init() {}
}

public struct PodSandboxStats: CRIMessage {
    @Field public var attributes: PodSandboxAttributes
    public var linux: LinuxPodSandboxStats?

    public init() {}
}

public struct LinuxPodSandboxStats: CRIMessage {
    public var cpu: CpuUsage?
    public var memory: MemoryUsage?
    public var network: NetworkUsage?
    public var process: ProcessUsage?
    @Field public var containers: [ContainerStats]
    public var io: IoUsage?

    public init() {}
}

public struct NetworkUsage: CRIMessage {
    @Field public var timestamp: Int64
    public var defaultInterface: NetworkInterfaceUsage?
    /// The other interfaces.
    @Field public var interfaces: [NetworkInterfaceUsage]

    public init() {}
}

/// Cumulative counters of one network interface.
public struct NetworkInterfaceUsage: CRIMessage {
    @Field public var name: String
    public var rxBytes: UInt64Value?
    public var rxErrors: UInt64Value?
    public var txBytes: UInt64Value?
    public var txErrors: UInt64Value?

    public init() {}
}

public struct ProcessUsage: CRIMessage {
    @Field public var timestamp: Int64
    public var processCount: UInt64Value?

    public init() {}
}
