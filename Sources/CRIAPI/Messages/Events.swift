// Container lifecycle events (GetContainerEvents, a server stream; the kubelet's evented PLEG).

public struct GetEventsRequest: CRIMessage {
    public init() {}
}

public enum ContainerEventType: Int32, CRIEnum {
    case created = 0
    case started = 1
    case stopped = 2
    case deleted = 3

    public var protoName: String {
        switch self {
        case .created: return "CONTAINER_CREATED_EVENT"
        case .started: return "CONTAINER_STARTED_EVENT"
        case .stopped: return "CONTAINER_STOPPED_EVENT"
        case .deleted: return "CONTAINER_DELETED_EVENT"
        }
    }
}

/// One event: what happened to which container, with its pod's status after it.
public struct ContainerEventResponse: CRIMessage {
    @Field public var containerId: String
    @Field public var containerEventType: ContainerEventType
    /// Nanoseconds since the epoch.
    @Field public var createdAt: Int64
    public var podSandboxStatus: PodSandboxStatus?
    @Field public var containersStatuses: [ContainerStatus]

    public init() {}
    public init(containerId: String, containerEventType: ContainerEventType, createdAt: Int64) {
        self.containerId = containerId
        self.containerEventType = containerEventType
        self.createdAt = createdAt
    }
}
