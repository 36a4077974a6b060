// Containers: their config, the Create/Start/Stop/Remove/List/Status RPC messages, status,
// resource updates, log reopening and checkpoints.

/// Identifies a container within its pod: the name from the PodSpec, and the attempt.
public struct ContainerMetadata: CRIMessage {
    @Field public var name: String
    @Field public var attempt: UInt32

    public init() {}
    public init(name: String, attempt: UInt32 = 0) {
        self.name = name
        self.attempt = attempt
    }
}

public enum MountPropagation: Int32, CRIEnum {
    /// rprivate
    case `private` = 0
    /// rslave
    case hostToContainer = 1
    /// rshared
    case bidirectional = 2

    public var protoName: String {
        switch self {
        case .private: return "PROPAGATION_PRIVATE"
        case .hostToContainer: return "PROPAGATION_HOST_TO_CONTAINER"
        case .bidirectional: return "PROPAGATION_BIDIRECTIONAL"
        }
    }
}

/// A host path (or an image, for image volumes) mounted into a container.
public struct Mount: CRIMessage {
    @Field public var containerPath: String
    @Field public var hostPath: String
    @Field public var readonly: Bool
    @Field public var selinuxRelabel: Bool
    @Field public var propagation: MountPropagation
    @Field public var uidMappings: [IDMapping]
    @Field public var gidMappings: [IDMapping]
    /// Requires `readonly` and PRIVATE propagation.
    @Field public var recursiveReadOnly: Bool
    /// An image volume: mount this image (then `hostPath` is empty).
    public var image: ImageSpec?
    @Field public var imageSubPath: String

    public init() {}
    public init(containerPath: String, hostPath: String, readonly: Bool = false,
                propagation: MountPropagation = .private) {
        self.containerPath = containerPath
        self.hostPath = hostPath
        self.readonly = readonly
        self.propagation = propagation
    }
}

/// A host device made available in a container; permissions are some of "rwm".
public struct Device: CRIMessage {
    @Field public var containerPath: String
    @Field public var hostPath: String
    @Field public var permissions: String

    public init() {}
    public init(containerPath: String, hostPath: String, permissions: String = "rwm") {
        self.containerPath = containerPath
        self.hostPath = hostPath
        self.permissions = permissions
    }
}

/// A Container Device Interface device by its fully qualified name (vendor.com/class=name).
public struct CDIDevice: CRIMessage {
    @Field public var name: String

    public init() {}
    public init(name: String) { self.name = name }
}

/// Linux settings of a container.
public struct LinuxContainerConfig: CRIMessage {
    @Field public var resources: LinuxContainerResources
    @Field public var securityContext: LinuxContainerSecurityContext

    public init() {}
}

/// Everything needed to create a container (what crictl's container-config.json holds).
public struct ContainerConfig: CRIMessage {
    @Field public var metadata: ContainerMetadata
    @Field public var image: ImageSpec
    /// The entrypoint (Docker's ENTRYPOINT); empty means the image's.
    @Field public var command: [String]
    /// Its arguments (Docker's CMD); empty means the image's.
    @Field public var args: [String]
    @Field public var workingDir: String
    @Field public var envs: [KeyValue]
    @Field public var mounts: [Mount]
    @Field public var devices: [Device]
    @Field public var labels: [String: String]
    /// Returned unchanged in ContainerStatus.
    @Field public var annotations: [String: String]
    /// Relative to the sandbox's logDirectory, e.g. "web/0.log".
    @Field public var logPath: String
    @Field public var stdin: Bool
    @Field public var stdinOnce: Bool
    @Field public var tty: Bool
    @Field public var linux: LinuxContainerConfig
    @Field public var cdiDevices: [CDIDevice]
    /// RUNTIME_DEFAULT means the image's STOPSIGNAL, else SIGTERM.
    @Field public var stopSignal: Signal

    public init() {}

    enum CodingKeys: String, CodingKey {
        case metadata, image, command, args, workingDir, envs, mounts, devices, labels, annotations
        case logPath, stdin, stdinOnce, tty, linux, stopSignal
        // The proto field is CDI_devices, whose JSON name is CDIDevices.
        case cdiDevices = "CDIDevices"
    }
}

public struct CreateContainerRequest: CRIMessage {
    @Field public var podSandboxId: String
    @Field public var config: ContainerConfig
    /// The config the sandbox was created with, passed again for reference.
    @Field public var sandboxConfig: PodSandboxConfig

    public init() {}
    public init(podSandboxId: String, config: ContainerConfig, sandboxConfig: PodSandboxConfig) {
        self.podSandboxId = podSandboxId
        self.config = config
        self.sandboxConfig = sandboxConfig
    }
}

public struct CreateContainerResponse: CRIMessage {
    @Field public var containerId: String

    public init() {}
    public init(containerId: String) { self.containerId = containerId }
}

public struct StartContainerRequest: CRIMessage {
    @Field public var containerId: String

    public init() {}
    public init(containerId: String) { self.containerId = containerId }
}

public struct StartContainerResponse: CRIMessage {
    public init() {}
}

/// Stops a container: its stop signal, then SIGKILL after `timeout` seconds (0: at once).
public struct StopContainerRequest: CRIMessage {
    @Field public var containerId: String
    @Field public var timeout: Int64

    public init() {}
    public init(containerId: String, timeout: Int64 = 0) {
        self.containerId = containerId
        self.timeout = timeout
    }
}

public struct StopContainerResponse: CRIMessage {
    public init() {}
}

/// Removes a container, killing it first if it runs; idempotent.
public struct RemoveContainerRequest: CRIMessage {
    @Field public var containerId: String

    public init() {}
    public init(containerId: String) { self.containerId = containerId }
}

public struct RemoveContainerResponse: CRIMessage {
    public init() {}
}

public enum ContainerState: Int32, CRIEnum {
    case created = 0
    case running = 1
    case exited = 2
    case unknown = 3

    public var protoName: String {
        switch self {
        case .created: return "CONTAINER_CREATED"
        case .running: return "CONTAINER_RUNNING"
        case .exited: return "CONTAINER_EXITED"
        case .unknown: return "CONTAINER_UNKNOWN"
        }
    }
}

/// A container state in a filter, where absence means "any state".
public struct ContainerStateValue: CRIMessage {
    @Field public var state: ContainerState

    public init() {}
    public init(_ state: ContainerState) { self.state = state }
}

/// Which containers ListContainers returns; the set fields are ANDed.
public struct ContainerFilter: CRIMessage {
    @Field public var id: String
    public var state: ContainerStateValue?
    @Field public var podSandboxId: String
    @Field public var labelSelector: [String: String]

    public init() {}
}

public struct ListContainersRequest: CRIMessage {
    @Field public var filter: ContainerFilter

    public init() {}
    public init(filter: ContainerFilter) { self.filter = filter }
}

/// A container in a list.
public struct Container: CRIMessage {
    @Field public var id: String
    @Field public var podSandboxId: String
    @Field public var metadata: ContainerMetadata
    @Field public var image: ImageSpec
    @Field public var imageRef: String
    @Field public var state: ContainerState
    @Field public var createdAt: Int64
    @Field public var labels: [String: String]
    @Field public var annotations: [String: String]
    /// The image's ID, the same as PullImageResponse.imageRef.
    @Field public var imageId: String

    public init() {}
}

public struct ListContainersResponse: CRIMessage {
    @Field public var containers: [Container]

    public init() {}
    public init(containers: [Container]) { self.containers = containers }
}

public struct ContainerStatusRequest: CRIMessage {
    @Field public var containerId: String
    /// Asks for `info` in the response.
    @Field public var verbose: Bool

    public init() {}
    public init(containerId: String, verbose: Bool = false) {
        self.containerId = containerId
        self.verbose = verbose
    }
}

/// The resources a container runs with.
public struct ContainerResources: CRIMessage {
    public var linux: LinuxContainerResources?

    public init() {}
}

/// The IDs of a Linux container's first process.
public struct LinuxContainerUser: CRIMessage {
    @Field public var uid: Int64
    @Field public var gid: Int64
    @Field public var supplementalGroups: [Int64]

    public init() {}
}

public struct ContainerUser: CRIMessage {
    public var linux: LinuxContainerUser?

    public init() {}
}

public struct ContainerStatus: CRIMessage {
    @Field public var id: String
    @Field public var metadata: ContainerMetadata
    @Field public var state: ContainerState
    /// Nanoseconds since the epoch; startedAt and finishedAt are 0 until they happen.
    @Field public var createdAt: Int64
    @Field public var startedAt: Int64
    @Field public var finishedAt: Int64
    @Field public var exitCode: Int32
    @Field public var image: ImageSpec
    @Field public var imageRef: String
    /// A CamelCase reason such as "Completed", "Error" or "OOMKilled".
    @Field public var reason: String
    @Field public var message: String
    @Field public var labels: [String: String]
    @Field public var annotations: [String: String]
    @Field public var mounts: [Mount]
    /// The container's log file on the host.
    @Field public var logPath: String
    public var resources: ContainerResources?
    @Field public var imageId: String
    public var user: ContainerUser?
    @Field public var stopSignal: Signal

    public init() {}
}

public struct ContainerStatusResponse: CRIMessage {
    @Field public var status: ContainerStatus
    /// Debug details (values are JSON), only when the request was verbose.
    @Field public var info: [String: String]

    public init() {}
}

/// New resource limits for a running container.
public struct UpdateContainerResourcesRequest: CRIMessage {
    @Field public var containerId: String
    public var linux: LinuxContainerResources?
    @Field public var annotations: [String: String]

    public init() {}
    public init(containerId: String, linux: LinuxContainerResources) {
        self.containerId = containerId
        self.linux = linux
    }
}

public struct UpdateContainerResourcesResponse: CRIMessage {
    public init() {}
}

/// Asks the runtime to reopen a container's log file (after the kubelet rotated it).
public struct ReopenContainerLogRequest: CRIMessage {
    @Field public var containerId: String

    public init() {}
    public init(containerId: String) { self.containerId = containerId }
}

public struct ReopenContainerLogResponse: CRIMessage {
    public init() {}
}

public struct CheckpointContainerRequest: CRIMessage {
    @Field public var containerId: String
    /// Where to write the checkpoint archive.
    @Field public var location: String
    /// Seconds; 0 means the runtime's default.
    @Field public var timeout: Int64

    public init() {}
}

public struct CheckpointContainerResponse: CRIMessage {
    public init() {}
}
