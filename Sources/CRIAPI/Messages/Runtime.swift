// The runtime itself: Version, Status (conditions, handlers, features), RuntimeConfig and
// UpdateRuntimeConfig.

public struct VersionRequest: CRIMessage {
    /// The kubelet's CRI API version.
    @Field public var version: String

    public init() {}
    public init(version: String) { self.version = version }
}

public struct VersionResponse: CRIMessage {
    /// The CRI API version, "0.1.0" by convention.
    @Field public var version: String
    @Field public var runtimeName: String
    /// Semver.
    @Field public var runtimeVersion: String
    /// "v1".
    @Field public var runtimeApiVersion: String

    public init() {}
    public init(version: String, runtimeName: String, runtimeVersion: String, runtimeApiVersion: String) {
        self.version = version
        self.runtimeName = runtimeName
        self.runtimeVersion = runtimeVersion
        self.runtimeApiVersion = runtimeApiVersion
    }
}

/// One condition of the runtime; the kubelet needs RuntimeReady and NetworkReady true.
public struct RuntimeCondition: CRIMessage {
    /// The conditions the kubelet requires.
    public static let runtimeReady = "RuntimeReady"
    public static let networkReady = "NetworkReady"

    @Field public var type: String
    @Field public var status: Bool
    /// CamelCase, for the last transition.
    @Field public var reason: String
    @Field public var message: String

    public init() {}
    public init(type: String, status: Bool, reason: String = "", message: String = "") {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }
}

public struct RuntimeStatus: CRIMessage {
    @Field public var conditions: [RuntimeCondition]

    public init() {}
    public init(conditions: [RuntimeCondition]) { self.conditions = conditions }
}

public struct StatusRequest: CRIMessage {
    @Field public var verbose: Bool

    public init() {}
    public init(verbose: Bool) { self.verbose = verbose }
}

public struct RuntimeHandlerFeatures: CRIMessage {
    @Field public var recursiveReadOnlyMounts: Bool
    @Field public var userNamespaces: Bool

    public init() {}
}

/// A RuntimeClass handler the runtime offers ("" is the default one).
public struct RuntimeHandler: CRIMessage {
    @Field public var name: String
    @Field public var features: RuntimeHandlerFeatures

    public init() {}
}

/// Features of the CRI implementation, whatever the handler.
public struct RuntimeFeatures: CRIMessage {
    @Field public var supplementalGroupsPolicy: Bool
    @Field public var userNamespacesHostNetwork: Bool

    public init() {}
}

public struct StatusResponse: CRIMessage {
    @Field public var status: RuntimeStatus
    /// Debug details (values are JSON), only when the request was verbose.
    @Field public var info: [String: String]
    @Field public var runtimeHandlers: [RuntimeHandler]
    @Field public var features: RuntimeFeatures

    public init() {}
}

public struct NetworkConfig: CRIMessage {
    /// The node's pod CIDR; empty means leave it out.
    @Field public var podCidr: String

    public init() {}
}

/// Settings the kubelet pushes to the runtime.
public struct RuntimeConfig: CRIMessage {
    @Field public var networkConfig: NetworkConfig

    public init() {}
}

public struct UpdateRuntimeConfigRequest: CRIMessage {
    @Field public var runtimeConfig: RuntimeConfig

    public init() {}
    public init(runtimeConfig: RuntimeConfig) { self.runtimeConfig = runtimeConfig }
}

public struct UpdateRuntimeConfigResponse: CRIMessage {
    public init() {}
}

public enum CgroupDriver: Int32, CRIEnum {
    case systemd = 0
    case cgroupfs = 1

    public var protoName: String {
        switch self {
        case .systemd: return "SYSTEMD"
        case .cgroupfs: return "CGROUPFS"
        }
    }
}

public struct LinuxRuntimeConfiguration: CRIMessage {
    /// The cgroup driver the kubelet must use; fixed for the runtime's lifetime.
    @Field public var cgroupDriver: CgroupDriver

    public init() {}
    public init(cgroupDriver: CgroupDriver) { self.cgroupDriver = cgroupDriver }
}

/// Asks the runtime for settings the kubelet must follow (the reverse of UpdateRuntimeConfig).
public struct RuntimeConfigRequest: CRIMessage {
    public init() {}
}

public struct RuntimeConfigResponse: CRIMessage {
    @Field public var linux: LinuxRuntimeConfiguration

    public init() {}
    public init(linux: LinuxRuntimeConfiguration) { self.linux = linux }
}
