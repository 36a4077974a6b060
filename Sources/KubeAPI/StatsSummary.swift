// The kubelet's stats Summary (k8s.io/kubelet stats/v1alpha1), as /stats/summary serves it:
// the node's and each pod's (and container's) CPU, memory, network and process usage, and the
// filesystems they use (container root filesystems, logs, volumes, the image filesystem).

public struct StatsSummary: Codable, Hashable, Sendable {
    public var node: NodeStats
    public var pods: [PodStats]

    public init(node: NodeStats, pods: [PodStats]) {
        self.node = node
        self.pods = pods
    }
}

public struct NodeStats: Codable, Hashable, Sendable {
    public var nodeName: String
    public var startTime: KubeTime
    public var cpu: CPUStats?
    public var memory: MemoryStats?
    public var network: NetworkStats?
    /// The filesystem of the kubelet's root directory.
    public var fs: FsStats?
    public var runtime: RuntimeStats?
    public var rlimit: RlimitStats?

    public init(nodeName: String, startTime: KubeTime) {
        self.nodeName = nodeName
        self.startTime = startTime
    }
}

public struct PodReference: Codable, Hashable, Sendable {
    public var name: String
    public var namespace: String
    public var uid: String

    public init(name: String, namespace: String, uid: String) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
    }
}

public struct PodStats: Codable, Hashable, Sendable {
    public var podRef: PodReference
    public var startTime: KubeTime
    public var containers: [ContainerStats]
    public var cpu: CPUStats?
    public var memory: MemoryStats?
    public var network: NetworkStats?
    /// The pod's volumes the kubelet can measure (emptyDir).
    public var volume: [VolumeStats]?
    /// Local storage the pod uses: its containers' writable layers and logs, and its disk emptyDirs.
    public var ephemeralStorage: FsStats?
    public var processStats: ProcessStats?

    public init(podRef: PodReference, startTime: KubeTime, containers: [ContainerStats] = []) {
        self.podRef = podRef
        self.startTime = startTime
        self.containers = containers
    }

    enum CodingKeys: String, CodingKey {
        case podRef, startTime, containers, cpu, memory, network, volume
        case ephemeralStorage = "ephemeral-storage"
        case processStats = "process_stats"
    }
}

public struct ContainerStats: Codable, Hashable, Sendable {
    public var name: String
    public var startTime: KubeTime
    public var cpu: CPUStats?
    public var memory: MemoryStats?
    /// The container's writable layer (usedBytes) on the runtime's filesystem.
    public var rootfs: FsStats?
    /// The container's log files (usedBytes) on the log directory's filesystem.
    public var logs: FsStats?

    public init(name: String, startTime: KubeTime) {
        self.name = name
        self.startTime = startTime
    }
}

/// A filesystem's capacity and what is available on it, and what one thing uses of it.
public struct FsStats: Codable, Hashable, Sendable {
    public var time: KubeTime
    public var availableBytes: UInt64?
    public var capacityBytes: UInt64?
    public var usedBytes: UInt64?
    public var inodesFree: UInt64?
    public var inodes: UInt64?
    public var inodesUsed: UInt64?

    public init(time: KubeTime) { self.time = time }
}

/// One of a pod's volumes: its usage, with its filesystem's figures inline.
public struct VolumeStats: Codable, Hashable, Sendable {
    public var name: String
    public var fs: FsStats

    public init(name: String, fs: FsStats) {
        self.name = name
        self.fs = fs
    }

    enum CodingKeys: String, CodingKey { case name }

    public init(from decoder: any Decoder) throws {
        name = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .name)
        fs = try FsStats(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try fs.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
    }
}

/// The container runtime's filesystems: where images are, and the containers' writable layers.
public struct RuntimeStats: Codable, Hashable, Sendable {
    public var imageFs: FsStats?
    public var containerFs: FsStats?

    public init() {}
}

public struct CPUStats: Codable, Hashable, Sendable {
    public var time: KubeTime
    /// Average usage over the last sample window, in nanocores (1e9 = one core busy).
    public var usageNanoCores: UInt64?
    /// Cumulative CPU time, in core-nanoseconds.
    public var usageCoreNanoSeconds: UInt64?

    public init(time: KubeTime) { self.time = time }
}

public struct MemoryStats: Codable, Hashable, Sendable {
    public var time: KubeTime
    public var availableBytes: UInt64?
    public var usageBytes: UInt64?
    public var workingSetBytes: UInt64?
    public var rssBytes: UInt64?
    public var pageFaults: UInt64?
    public var majorPageFaults: UInt64?

    public init(time: KubeTime) { self.time = time }
}

public struct InterfaceStats: Codable, Hashable, Sendable {
    public var name: String
    public var rxBytes: UInt64?
    public var rxErrors: UInt64?
    public var txBytes: UInt64?
    public var txErrors: UInt64?

    public init(name: String) { self.name = name }
}

/// The default interface's counters inline, then every interface.
public struct NetworkStats: Codable, Hashable, Sendable {
    public var time: KubeTime
    public var name: String
    public var rxBytes: UInt64?
    public var rxErrors: UInt64?
    public var txBytes: UInt64?
    public var txErrors: UInt64?
    public var interfaces: [InterfaceStats]?

    public init(time: KubeTime, name: String) {
        self.time = time
        self.name = name
    }
}

public struct ProcessStats: Codable, Hashable, Sendable {
    public var processCount: UInt64?

    public init(processCount: UInt64?) { self.processCount = processCount }

    enum CodingKeys: String, CodingKey { case processCount = "process_count" }
}

public struct RlimitStats: Codable, Hashable, Sendable {
    public var time: KubeTime
    public var maxpid: Int64?
    public var curproc: Int64?

    public init(time: KubeTime) { self.time = time }
}
