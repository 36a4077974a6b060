// Pod sandboxes: their config, the Run/Stop/Remove/Status/List RPC messages, and status.

/// Identifies a pod: the name, UID and namespace from its ObjectMeta, and the attempt.
public struct PodSandboxMetadata: CRIMessage {
    @Field public var name: String
    @Field public var uid: String
    @Field public var namespace: String
    @Field public var attempt: UInt32

    public init() {}
    public init(name: String, uid: String, namespace: String, attempt: UInt32 = 0) {
        self.name = name
        self.uid = uid
        self.namespace = namespace
        self.attempt = attempt
    }
}

/// The pod's resolv.conf: servers, search domains, options.
public struct DNSConfig: CRIMessage {
    @Field public var servers: [String]
    @Field public var searches: [String]
    @Field public var options: [String]

    public init() {}
}

/// The transport protocol of a port mapping (the CRI proto's `Protocol` enum).
public enum PortProtocol: Int32, CRIEnum {
    case tcp = 0
    case udp = 1
    case sctp = 2

    public var protoName: String {
        switch self {
        case .tcp: return "TCP"
        case .udp: return "UDP"
        case .sctp: return "SCTP"
        }
    }
}

/// A container port published on the host. `hostPort` 0 means not published.
public struct PortMapping: CRIMessage {
    @Field public var `protocol`: PortProtocol
    @Field public var containerPort: Int32
    @Field public var hostPort: Int32
    @Field public var hostIp: String

    public init() {}
    public init(protocol: PortProtocol = .tcp, containerPort: Int32, hostPort: Int32, hostIp: String = "") {
        self.protocol = `protocol`
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.hostIp = hostIp
    }
}

/// Linux settings of a sandbox.
public struct LinuxPodSandboxConfig: CRIMessage {
    /// The pod's parent cgroup, cgroupfs syntax.
    @Field public var cgroupParent: String
    @Field public var securityContext: LinuxSandboxSecurityContext
    @Field public var sysctls: [String: String]
    /// The pod overhead (RuntimeClass), if any.
    public var overhead: LinuxContainerResources?
    /// The sum of the containers' resources, if the kubelet sends it.
    public var resources: LinuxContainerResources?

    public init() {}
}

/// Everything needed to create a pod sandbox (what crictl's pod-config.json holds).
public struct PodSandboxConfig: CRIMessage {
    @Field public var metadata: PodSandboxMetadata
    /// Empty only when the pod uses the node's network namespace.
    @Field public var hostname: String
    /// Host directory for the containers' logs: /var/log/pods/<namespace>_<name>_<uid>/.
    @Field public var logDirectory: String
    @Field public var dnsConfig: DNSConfig
    @Field public var portMappings: [PortMapping]
    @Field public var labels: [String: String]
    /// Returned unchanged in PodSandboxStatus.
    @Field public var annotations: [String: String]
    @Field public var linux: LinuxPodSandboxConfig

    public init() {}
}

public struct RunPodSandboxRequest: CRIMessage {
    @Field public var config: PodSandboxConfig
    /// The RuntimeClass handler; "" selects the default.
    @Field public var runtimeHandler: String

    public init() {}
    public init(config: PodSandboxConfig, runtimeHandler: String = "") {
        self.config = config
        self.runtimeHandler = runtimeHandler
    }
}

public struct RunPodSandboxResponse: CRIMessage {
    @Field public var podSandboxId: String

    public init() {}
    public init(podSandboxId: String) { self.podSandboxId = podSandboxId }
}

/// Stops the sandbox's processes and releases its network; idempotent.
public struct StopPodSandboxRequest: CRIMessage {
    @Field public var podSandboxId: String

    public init() {}
    public init(podSandboxId: String) { self.podSandboxId = podSandboxId }
}

public struct StopPodSandboxResponse: CRIMessage {
    public init() {}
}

/// Removes the sandbox and its containers; idempotent.
public struct RemovePodSandboxRequest: CRIMessage {
    @Field public var podSandboxId: String

    public init() {}
    public init(podSandboxId: String) { self.podSandboxId = podSandboxId }
}

public struct RemovePodSandboxResponse: CRIMessage {
    public init() {}
}

public struct PodSandboxStatusRequest: CRIMessage {
    @Field public var podSandboxId: String
    /// Asks for `info` in the response.
    @Field public var verbose: Bool

    public init() {}
    public init(podSandboxId: String, verbose: Bool = false) {
        self.podSandboxId = podSandboxId
        self.verbose = verbose
    }
}

/// One IP address of a pod.
public struct PodIP: CRIMessage {
    @Field public var ip: String

    public init() {}
    public init(ip: String) { self.ip = ip }
}

/// The pod's addresses (absent for pods on the node's network).
public struct PodSandboxNetworkStatus: CRIMessage {
    @Field public var ip: String
    @Field public var additionalIps: [PodIP]

    public init() {}
}

/// The namespace options a sandbox runs with.
public struct Namespace: CRIMessage {
    @Field public var options: NamespaceOption

    public init() {}
}

public struct LinuxPodSandboxStatus: CRIMessage {
    @Field public var namespaces: Namespace

    public init() {}
}

public enum PodSandboxState: Int32, CRIEnum {
    case ready = 0
    case notReady = 1

    public var protoName: String {
        switch self {
        case .ready: return "SANDBOX_READY"
        case .notReady: return "SANDBOX_NOTREADY"
        }
    }
}

public struct PodSandboxStatus: CRIMessage {
    @Field public var id: String
    @Field public var metadata: PodSandboxMetadata
    @Field public var state: PodSandboxState
    /// Nanoseconds since the epoch.
    @Field public var createdAt: Int64
    public var network: PodSandboxNetworkStatus?
    public var linux: LinuxPodSandboxStatus?
    @Field public var labels: [String: String]
    @Field public var annotations: [String: String]
    @Field public var runtimeHandler: String

    public init() {}
}

public struct PodSandboxStatusResponse: CRIMessage {
    @Field public var status: PodSandboxStatus
    /// Debug details (values are JSON), only when the request was verbose.
    @Field public var info: [String: String]
    @Field public var containersStatuses: [ContainerStatus]
    /// Nanoseconds since the epoch at which the statuses were taken.
    @Field public var timestamp: Int64

    public init() {}
}

/// A sandbox state in a filter, where absence means "any state".
public struct PodSandboxStateValue: CRIMessage {
    @Field public var state: PodSandboxState

    public init() {}
    public init(_ state: PodSandboxState) { self.state = state }
}

/// Which sandboxes ListPodSandbox returns; the set fields are ANDed.
public struct PodSandboxFilter: CRIMessage {
    @Field public var id: String
    public var state: PodSandboxStateValue?
    /// Labels that must all match exactly.
    @Field public var labelSelector: [String: String]

    public init() {}
}

public struct ListPodSandboxRequest: CRIMessage {
    @Field public var filter: PodSandboxFilter

    public init() {}
    public init(filter: PodSandboxFilter) { self.filter = filter }
}

/// A sandbox in a list.
public struct PodSandbox: CRIMessage {
    @Field public var id: String
    @Field public var metadata: PodSandboxMetadata
    @Field public var state: PodSandboxState
    @Field public var createdAt: Int64
    @Field public var labels: [String: String]
    @Field public var annotations: [String: String]
    @Field public var runtimeHandler: String

    public init() {}
}

public struct ListPodSandboxResponse: CRIMessage {
    @Field public var items: [PodSandbox]

    public init() {}
    public init(items: [PodSandbox]) { self.items = items }
}

/// The pod-level resources after the kubelet resized the pod's cgroups (best effort).
public struct UpdatePodSandboxResourcesRequest: CRIMessage {
    @Field public var podSandboxId: String
    public var overhead: LinuxContainerResources?
    public var resources: LinuxContainerResources?

    public init() {}
}

public struct UpdatePodSandboxResourcesResponse: CRIMessage {
    public init() {}
}
