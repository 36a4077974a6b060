// core/v1 SecurityContext (per container) and the profile types it shares with the pod's.

public struct SecurityContext: Codable, Hashable, Sendable {
    public var capabilities: Capabilities?
    public var privileged: Bool?
    public var seLinuxOptions: SELinuxOptions?
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var readOnlyRootFilesystem: Bool?
    public var allowPrivilegeEscalation: Bool?
    public var procMount: String?
    public var seccompProfile: SeccompProfile?
    public var appArmorProfile: AppArmorProfile?

    public init() {}
}

public struct Capabilities: Codable, Hashable, Sendable {
    public var add: [String]?
    public var drop: [String]?

    public init(add: [String]? = nil, drop: [String]? = nil) {
        self.add = add
        self.drop = drop
    }
}

public struct SELinuxOptions: Codable, Hashable, Sendable {
    public var user: String?
    public var role: String?
    public var type: String?
    public var level: String?

    public init() {}
}

public struct SeccompProfile: Codable, Hashable, Sendable {
    /// "RuntimeDefault", "Unconfined" or "Localhost".
    public var type: String
    /// For Localhost: a path relative to the kubelet's seccomp directory.
    public var localhostProfile: String?

    public init(type: String, localhostProfile: String? = nil) {
        self.type = type
        self.localhostProfile = localhostProfile
    }
}

public struct AppArmorProfile: Codable, Hashable, Sendable {
    public var type: String
    public var localhostProfile: String?
}
