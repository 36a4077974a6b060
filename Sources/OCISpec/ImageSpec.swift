// The OCI image-spec (and Docker schema 2, which shares its shapes) as Codable values.
// Field names are the spec's JSON names; unknown fields are ignored on decode, so Docker's
// extra config fields (container_config, docker_version, ...) pass through harmlessly.
// Digests stay strings here: OCISpec has no crypto; ImageStore parses and verifies them.

public enum MediaType {
    // OCI
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayerTar = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerTarGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerTarZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let ociForeignLayerTar = "application/vnd.oci.image.layer.nondistributable.v1.tar"
    public static let ociForeignLayerTarGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    public static let ociForeignLayerTarZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
    public static let ociEmptyJSON = "application/vnd.oci.empty.v1+json"
    // Docker schema 2
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar"
    public static let dockerLayerTarGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerForeignLayerTarGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    public static func isIndex(_ mediaType: String?) -> Bool {
        mediaType == ociIndex || mediaType == dockerManifestList
    }
    public static func isManifest(_ mediaType: String?) -> Bool {
        mediaType == ociManifest || mediaType == dockerManifest
    }
    /// Foreign (non-distributable) layers may live elsewhere: a layout need not carry them.
    public static func isForeignLayer(_ mediaType: String) -> Bool {
        mediaType.contains(".nondistributable.") || mediaType == dockerForeignLayerTarGzip
    }
}

public struct Platform: Codable, Sendable, Equatable, Hashable {
    public var architecture: String
    public var os: String
    public var osVersion: String?
    public var osFeatures: [String]?
    public var variant: String?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture; self.os = os; self.variant = variant
    }
}

public struct Descriptor: Codable, Sendable, Equatable {
    public var mediaType: String
    public var digest: String
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    public var platform: Platform?
    public var artifactType: String?

    public init(mediaType: String, digest: String, size: Int64, annotations: [String: String]? = nil,
                platform: Platform? = nil) {
        self.mediaType = mediaType; self.digest = digest; self.size = size
        self.annotations = annotations; self.platform = platform
    }
}

public struct Manifest: Codable, Sendable, Equatable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: String? = MediaType.ociManifest, config: Descriptor,
                layers: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = schemaVersion; self.mediaType = mediaType; self.config = config
        self.layers = layers; self.annotations = annotations
    }
}

/// An OCI image index or a Docker manifest list (same JSON shape).
public struct Index: Codable, Sendable, Equatable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var manifests: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: String? = MediaType.ociIndex, manifests: [Descriptor],
                annotations: [String: String]? = nil) {
        self.schemaVersion = schemaVersion; self.mediaType = mediaType; self.manifests = manifests
        self.annotations = annotations
    }
}

/// Annotation keys the import code reads.
public enum ImageAnnotation {
    public static let refName = "org.opencontainers.image.ref.name"
    /// containerd's full image name in an exported layout's index.json.
    public static let containerdImageName = "io.containerd.image.name"
}

/// `{}`: the value type of ExposedPorts and Volumes, which are JSON sets.
public struct EmptyObject: Codable, Sendable, Equatable, Hashable {
    public init() {}
}

public struct ImageConfig: Codable, Sendable, Equatable {
    public var created: String?
    public var author: String?
    public var architecture: String
    public var os: String
    public var osVersion: String?
    public var osFeatures: [String]?
    public var variant: String?
    public var config: ContainerConfig?
    public var rootfs: RootFS
    public var history: [History]?

    enum CodingKeys: String, CodingKey {
        case created, author, architecture, os, variant, config, rootfs, history
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(architecture: String, os: String, config: ContainerConfig? = nil, rootfs: RootFS,
                created: String? = nil, history: [History]? = nil) {
        self.architecture = architecture; self.os = os; self.config = config; self.rootfs = rootfs
        self.created = created; self.history = history
    }

    /// The execution defaults a container of this image starts with (Docker's capitalised names).
    public struct ContainerConfig: Codable, Sendable, Equatable {
        public var User: String?
        public var ExposedPorts: [String: EmptyObject]?
        public var Env: [String]?
        public var Entrypoint: [String]?
        public var Cmd: [String]?
        public var Volumes: [String: EmptyObject]?
        public var WorkingDir: String?
        public var Labels: [String: String]?
        public var StopSignal: String?
        public var ArgsEscaped: Bool?

        public init(User: String? = nil, ExposedPorts: [String: EmptyObject]? = nil, Env: [String]? = nil,
                    Entrypoint: [String]? = nil, Cmd: [String]? = nil, Volumes: [String: EmptyObject]? = nil,
                    WorkingDir: String? = nil, Labels: [String: String]? = nil, StopSignal: String? = nil) {
            self.User = User; self.ExposedPorts = ExposedPorts; self.Env = Env; self.Entrypoint = Entrypoint
            self.Cmd = Cmd; self.Volumes = Volumes; self.WorkingDir = WorkingDir; self.Labels = Labels
            self.StopSignal = StopSignal
        }
    }

    public struct RootFS: Codable, Sendable, Equatable {
        public var type: String
        public var diffIDs: [String]
        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }
        public init(type: String = "layers", diffIDs: [String]) { self.type = type; self.diffIDs = diffIDs }
    }

    public struct History: Codable, Sendable, Equatable {
        public var created: String?
        public var createdBy: String?
        public var author: String?
        public var comment: String?
        public var emptyLayer: Bool?
        enum CodingKeys: String, CodingKey {
            case created, author, comment
            case createdBy = "created_by"
            case emptyLayer = "empty_layer"
        }
    }
}
