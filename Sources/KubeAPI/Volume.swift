// core/v1 Volume and the sources a node can serve without an API server (others decode to a
// volume with no known source, which validation names).

public struct Volume: Codable, Hashable, Sendable {
    public var name: String
    public var emptyDir: EmptyDirVolumeSource?
    public var hostPath: HostPathVolumeSource?
    public var configMap: ConfigMapVolumeSource?
    public var secret: SecretVolumeSource?
    public var downwardAPI: DownwardAPIVolumeSource?
    public var projected: ProjectedVolumeSource?
    public var persistentVolumeClaim: PersistentVolumeClaimVolumeSource?

    public init(name: String) { self.name = name }
}

public struct StorageMedium: StringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let `default`: StorageMedium = ""
    public static let memory: StorageMedium = "Memory"
}

public struct EmptyDirVolumeSource: Codable, Hashable, Sendable {
    public var medium: StorageMedium?
    public var sizeLimit: Quantity?

    public init(medium: StorageMedium? = nil, sizeLimit: Quantity? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}

public struct HostPathType: StringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let unset: HostPathType = ""
    public static let directoryOrCreate: HostPathType = "DirectoryOrCreate"
    public static let directory: HostPathType = "Directory"
    public static let fileOrCreate: HostPathType = "FileOrCreate"
    public static let file: HostPathType = "File"
    public static let socket: HostPathType = "Socket"
    public static let charDevice: HostPathType = "CharDevice"
    public static let blockDevice: HostPathType = "BlockDevice"
    public static let all: [HostPathType] = [.unset, .directoryOrCreate, .directory, .fileOrCreate, .file, .socket, .charDevice, .blockDevice]
}

public struct HostPathVolumeSource: Codable, Hashable, Sendable {
    public var path: String
    public var type: HostPathType?

    public init(path: String, type: HostPathType? = nil) {
        self.path = path
        self.type = type
    }
}

/// A file of a configMap, secret or projection: `key` written at `path` (relative).
public struct KeyToPath: Codable, Hashable, Sendable {
    public var key: String
    public var path: String
    public var mode: Int32?

    public init(key: String, path: String) {
        self.key = key
        self.path = path
    }
}

public struct ConfigMapVolumeSource: Codable, Hashable, Sendable {
    public var name: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?

    public init(name: String) { self.name = name }
}

public struct SecretVolumeSource: Codable, Hashable, Sendable {
    public var secretName: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?

    public init(secretName: String) { self.secretName = secretName }
}

public struct DownwardAPIVolumeSource: Codable, Hashable, Sendable {
    public var items: [DownwardAPIVolumeFile]?
    public var defaultMode: Int32?

    public init(items: [DownwardAPIVolumeFile]) { self.items = items }
}

public struct DownwardAPIVolumeFile: Codable, Hashable, Sendable {
    public var path: String
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var mode: Int32?

    public init(path: String, fieldRef: ObjectFieldSelector? = nil, resourceFieldRef: ResourceFieldSelector? = nil) {
        self.path = path
        self.fieldRef = fieldRef
        self.resourceFieldRef = resourceFieldRef
    }
}

public struct ProjectedVolumeSource: Codable, Hashable, Sendable {
    public var sources: [VolumeProjection]?
    public var defaultMode: Int32?

    public init(sources: [VolumeProjection]) { self.sources = sources }
}

public struct VolumeProjection: Codable, Hashable, Sendable {
    public var secret: SecretProjection?
    public var downwardAPI: DownwardAPIProjection?
    public var configMap: ConfigMapProjection?
    public var serviceAccountToken: ServiceAccountTokenProjection?

    public init() {}
}

public struct SecretProjection: Codable, Hashable, Sendable {
    public var name: String?
    public var items: [KeyToPath]?
    public var optional: Bool?
}

public struct ConfigMapProjection: Codable, Hashable, Sendable {
    public var name: String?
    public var items: [KeyToPath]?
    public var optional: Bool?
}

public struct DownwardAPIProjection: Codable, Hashable, Sendable {
    public var items: [DownwardAPIVolumeFile]?
}

public struct ServiceAccountTokenProjection: Codable, Hashable, Sendable {
    public var audience: String?
    public var expirationSeconds: Int64?
    public var path: String
}

public struct PersistentVolumeClaimVolumeSource: Codable, Hashable, Sendable {
    public var claimName: String
    public var readOnly: Bool?
}
