// The runtime-spec's features document (features.md): what `skiff-runtime features` prints.
// Every field is optional, as in the spec: a missing field means "unknown", not "unsupported".

public struct Features: Codable, Sendable, Equatable {
    public var ociVersionMin: String?
    public var ociVersionMax: String?
    public var hooks: [String]?
    public var mountOptions: [String]?
    public var linux: Linux?
    public var annotations: [String: String]?
    public var potentiallyUnsafeConfigAnnotations: [String]?

    public init(ociVersionMin: String? = nil, ociVersionMax: String? = nil, hooks: [String]? = nil,
                mountOptions: [String]? = nil, linux: Linux? = nil, annotations: [String: String]? = nil,
                potentiallyUnsafeConfigAnnotations: [String]? = nil) {
        self.ociVersionMin = ociVersionMin; self.ociVersionMax = ociVersionMax; self.hooks = hooks
        self.mountOptions = mountOptions; self.linux = linux; self.annotations = annotations
        self.potentiallyUnsafeConfigAnnotations = potentiallyUnsafeConfigAnnotations
    }

    public struct Linux: Codable, Sendable, Equatable {
        public var namespaces: [String]?
        public var capabilities: [String]?
        public var cgroup: Cgroup?
        public var seccomp: Seccomp?
        public var apparmor: Enabled?
        public var selinux: Enabled?
        public var intelRdt: Enabled?
        public var mountExtensions: MountExtensions?
        public init() {}
    }

    public struct Cgroup: Codable, Sendable, Equatable {
        public var v1: Bool?
        public var v2: Bool?
        public var systemd: Bool?
        public var systemdUser: Bool?
        public var rdma: Bool?
        public init(v1: Bool? = nil, v2: Bool? = nil, systemd: Bool? = nil, systemdUser: Bool? = nil, rdma: Bool? = nil) {
            self.v1 = v1; self.v2 = v2; self.systemd = systemd; self.systemdUser = systemdUser; self.rdma = rdma
        }
    }

    public struct Seccomp: Codable, Sendable, Equatable {
        public var enabled: Bool?
        public var actions: [String]?
        public var operators: [String]?
        public var archs: [String]?
        public var knownFlags: [String]?
        public var supportedFlags: [String]?
        public init(enabled: Bool? = nil, actions: [String]? = nil, operators: [String]? = nil, archs: [String]? = nil,
                    knownFlags: [String]? = nil, supportedFlags: [String]? = nil) {
            self.enabled = enabled; self.actions = actions; self.operators = operators; self.archs = archs
            self.knownFlags = knownFlags; self.supportedFlags = supportedFlags
        }
    }

    /// apparmor, selinux, intelRdt, and idmap mounts: a single "enabled".
    public struct Enabled: Codable, Sendable, Equatable {
        public var enabled: Bool?
        public init(enabled: Bool?) { self.enabled = enabled }
    }

    public struct MountExtensions: Codable, Sendable, Equatable {
        public var idmap: Enabled?
        public init(idmap: Enabled? = nil) { self.idmap = idmap }
    }
}
