// core/v1 PodStatus: phase, conditions, container statuses, addresses, QoS class.

public struct PodStatus: Codable, Hashable, Sendable {
    public var phase: PodPhase?
    public var conditions: [PodCondition]?
    public var message: String?
    public var reason: String?
    public var hostIP: String?
    public var hostIPs: [HostIP]?
    public var podIP: String?
    public var podIPs: [PodIP]?
    public var startTime: KubeTime?
    public var initContainerStatuses: [ContainerStatus]?
    public var containerStatuses: [ContainerStatus]?
    public var qosClass: QOSClass?

    public init() {}

    /// The condition of type `type`, if present.
    public func condition(_ type: PodConditionType) -> PodCondition? {
        conditions?.first { $0.type == type }
    }
}

public struct PodPhase: StringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let pending: PodPhase = "Pending"
    public static let running: PodPhase = "Running"
    public static let succeeded: PodPhase = "Succeeded"
    public static let failed: PodPhase = "Failed"
    public static let unknown: PodPhase = "Unknown"
}

public struct QOSClass: StringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let guaranteed: QOSClass = "Guaranteed"
    public static let burstable: QOSClass = "Burstable"
    public static let bestEffort: QOSClass = "BestEffort"
}

public struct PodConditionType: StringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let podScheduled: PodConditionType = "PodScheduled"
    public static let podReadyToStartContainers: PodConditionType = "PodReadyToStartContainers"
    public static let initialized: PodConditionType = "Initialized"
    public static let containersReady: PodConditionType = "ContainersReady"
    public static let ready: PodConditionType = "Ready"
}

public struct ConditionStatus: StringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let `true`: ConditionStatus = "True"
    public static let `false`: ConditionStatus = "False"
    public static let unknown: ConditionStatus = "Unknown"
}

public struct PodCondition: Codable, Hashable, Sendable {
    public var type: PodConditionType
    public var status: ConditionStatus
    public var lastProbeTime: KubeTime?
    public var lastTransitionTime: KubeTime?
    public var reason: String?
    public var message: String?

    public init(type: PodConditionType, status: ConditionStatus, reason: String? = nil, message: String? = nil,
                lastTransitionTime: KubeTime? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }
}

public struct PodIP: Codable, Hashable, Sendable {
    public var ip: String
    public init(ip: String) { self.ip = ip }
}

public struct HostIP: Codable, Hashable, Sendable {
    public var ip: String
    public init(ip: String) { self.ip = ip }
}

public struct ContainerStatus: Codable, Hashable, Sendable {
    public var name: String
    public var state: ContainerState?
    public var lastState: ContainerState?
    public var ready: Bool
    public var restartCount: Int32
    public var image: String
    public var imageID: String
    public var containerID: String?
    public var started: Bool?

    public init(name: String, image: String) {
        self.name = name
        self.image = image
        ready = false
        restartCount = 0
        imageID = ""
    }
}

/// Exactly one of the three is set (none: waiting with no reason yet).
public struct ContainerState: Codable, Hashable, Sendable {
    public var waiting: ContainerStateWaiting?
    public var running: ContainerStateRunning?
    public var terminated: ContainerStateTerminated?

    public init(waiting: ContainerStateWaiting? = nil, running: ContainerStateRunning? = nil,
                terminated: ContainerStateTerminated? = nil) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }
}

public struct ContainerStateWaiting: Codable, Hashable, Sendable {
    public var reason: String?
    public var message: String?

    public init(reason: String? = nil, message: String? = nil) {
        self.reason = reason
        self.message = message
    }
}

public struct ContainerStateRunning: Codable, Hashable, Sendable {
    public var startedAt: KubeTime?

    public init(startedAt: KubeTime? = nil) { self.startedAt = startedAt }
}

public struct ContainerStateTerminated: Codable, Hashable, Sendable {
    public var exitCode: Int32
    public var signal: Int32?
    public var reason: String?
    public var message: String?
    public var startedAt: KubeTime?
    public var finishedAt: KubeTime?
    public var containerID: String?

    public init(exitCode: Int32, reason: String? = nil) {
        self.exitCode = exitCode
        self.reason = reason
    }
}
