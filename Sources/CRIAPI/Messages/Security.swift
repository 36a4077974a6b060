// Namespaces, user mappings, and the security contexts of sandboxes and containers.

/// How a namespace (network, PID, IPC) is shared.
public enum NamespaceMode: Int32, CRIEnum {
    /// Shared by every container of the pod.
    case pod = 0
    /// The container's own.
    case container = 1
    /// The node's (host) namespace.
    case node = 2
    /// The namespace of the container named by `NamespaceOption.targetId`.
    case target = 3

    public var protoName: String {
        switch self {
        case .pod: return "POD"
        case .container: return "CONTAINER"
        case .node: return "NODE"
        case .target: return "TARGET"
        }
    }
}

/// A host-to-container ID range of a user namespace or an idmapped mount.
public struct IDMapping: CRIMessage {
    @Field public var hostId: UInt32
    @Field public var containerId: UInt32
    @Field public var length: UInt32

    public init() {}
    public init(hostId: UInt32, containerId: UInt32, length: UInt32) {
        self.hostId = hostId
        self.containerId = containerId
        self.length = length
    }
}

/// A pod's user namespace: POD (its own, with these mappings) or NODE.
public struct UserNamespace: CRIMessage {
    @Field public var mode: NamespaceMode
    @Field public var uids: [IDMapping]
    @Field public var gids: [IDMapping]

    public init() {}
}

/// Which namespaces a sandbox or container shares.
public struct NamespaceOption: CRIMessage {
    @Field public var network: NamespaceMode
    @Field public var pid: NamespaceMode
    @Field public var ipc: NamespaceMode
    /// The container whose namespaces a TARGET mode joins.
    @Field public var targetId: String
    /// nil means POD mode (older kubelets do not send it).
    public var usernsOptions: UserNamespace?

    public init() {}
}

/// How supplemental groups of a container's first process are computed.
public enum SupplementalGroupsPolicy: Int32, CRIEnum {
    /// The image's /etc/group memberships plus the requested groups.
    case merge = 0
    /// Only the requested groups.
    case strict = 1

    public var protoName: String {
        switch self {
        case .merge: return "Merge"
        case .strict: return "Strict"
        }
    }
}

/// SELinux labels of a sandbox or container.
public struct SELinuxOption: CRIMessage {
    @Field public var user: String
    @Field public var role: String
    @Field public var type: String
    @Field public var level: String

    public init() {}
}

/// A seccomp or AppArmor profile choice.
public struct SecurityProfile: CRIMessage {
    public enum ProfileType: Int32, CRIEnum {
        /// The runtime's default profile.
        case runtimeDefault = 0
        /// No profile.
        case unconfined = 1
        /// The profile at `localhostRef` on the node.
        case localhost = 2

        public var protoName: String {
            switch self {
            case .runtimeDefault: return "RuntimeDefault"
            case .unconfined: return "Unconfined"
            case .localhost: return "Localhost"
            }
        }
    }

    @Field public var profileType: ProfileType
    /// For Localhost: the seccomp profile's absolute path, or the AppArmor profile name.
    @Field public var localhostRef: String

    public init() {}
    public init(_ profileType: ProfileType, localhostRef: String = "") {
        self.profileType = profileType
        self.localhostRef = localhostRef
    }
}

/// Security settings of the sandbox itself (not of its containers).
public struct LinuxSandboxSecurityContext: CRIMessage {
    @Field public var namespaceOptions: NamespaceOption
    public var selinuxOptions: SELinuxOption?
    public var runAsUser: Int64Value?
    public var runAsGroup: Int64Value?
    @Field public var readonlyRootfs: Bool
    @Field public var supplementalGroups: [Int64]
    @Field public var supplementalGroupsPolicy: SupplementalGroupsPolicy
    /// Whether any container of the pod may be privileged.
    @Field public var privileged: Bool
    public var seccomp: SecurityProfile?
    public var apparmor: SecurityProfile?
    /// Deprecated in CRI in favour of `seccomp`: "runtime/default", "unconfined", "localhost/<path>".
    @Field public var seccompProfilePath: String

    public init() {}
}

/// Capabilities to add to or drop from a container ("ALL" is allowed in both).
public struct Capability: CRIMessage {
    @Field public var addCapabilities: [String]
    @Field public var dropCapabilities: [String]
    @Field public var addAmbientCapabilities: [String]

    public init() {}
}

/// Security settings of a container.
public struct LinuxContainerSecurityContext: CRIMessage {
    @Field public var capabilities: Capability
    @Field public var privileged: Bool
    @Field public var namespaceOptions: NamespaceOption
    public var selinuxOptions: SELinuxOption?
    /// Only one of runAsUser and runAsUsername may be set.
    public var runAsUser: Int64Value?
    public var runAsGroup: Int64Value?
    @Field public var runAsUsername: String
    @Field public var readonlyRootfs: Bool
    @Field public var supplementalGroups: [Int64]
    @Field public var supplementalGroupsPolicy: SupplementalGroupsPolicy
    @Field public var noNewPrivs: Bool
    @Field public var maskedPaths: [String]
    @Field public var readonlyPaths: [String]
    public var seccomp: SecurityProfile?
    public var apparmor: SecurityProfile?
    /// Deprecated in CRI in favour of `apparmor`.
    @Field public var apparmorProfile: String
    /// Deprecated in CRI in favour of `seccomp`.
    @Field public var seccompProfilePath: String

    public init() {}
}
