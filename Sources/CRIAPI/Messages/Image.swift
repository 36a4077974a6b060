// Images: references, pull credentials, and the ImageService RPC messages.

/// An image by reference, tag, digest or ID.
public struct ImageSpec: CRIMessage {
    @Field public var image: String
    @Field public var annotations: [String: String]
    /// The reference as the user wrote it in the pod spec.
    @Field public var userSpecifiedImage: String
    @Field public var runtimeHandler: String
    /// For image volumes: the image's digest.
    @Field public var imageRef: String

    public init() {}
    public init(image: String) { self.image = image }
}

/// Registry credentials for a pull.
public struct AuthConfig: CRIMessage {
    @Field public var username: String
    @Field public var password: String
    /// base64("username:password"), as in a Docker config.json.
    @Field public var auth: String
    @Field public var serverAddress: String
    @Field public var identityToken: String
    @Field public var registryToken: String

    public init() {}
}

public struct ImageFilter: CRIMessage {
    @Field public var image: ImageSpec

    public init() {}
}

public struct ListImagesRequest: CRIMessage {
    @Field public var filter: ImageFilter

    public init() {}
}

/// An image on the node.
public struct Image: CRIMessage {
    /// The image ID, the same value as PullImageResponse.imageRef.
    @Field public var id: String
    @Field public var repoTags: [String]
    @Field public var repoDigests: [String]
    /// Bytes.
    @Field public var size: UInt64
    /// The image's user when it is numeric; otherwise `username`.
    public var uid: Int64Value?
    @Field public var username: String
    @Field public var spec: ImageSpec
    /// A hint to keep it from garbage collection.
    @Field public var pinned: Bool

    public init() {}
}

public struct ListImagesResponse: CRIMessage {
    @Field public var images: [Image]

    public init() {}
    public init(images: [Image]) { self.images = images }
}

public struct ImageStatusRequest: CRIMessage {
    @Field public var image: ImageSpec
    @Field public var verbose: Bool

    public init() {}
    public init(image: ImageSpec, verbose: Bool = false) {
        self.image = image
        self.verbose = verbose
    }
}

public struct ImageStatusResponse: CRIMessage {
    /// nil when the image is not on the node (not an error).
    public var image: Image?
    @Field public var info: [String: String]

    public init() {}
    public init(image: Image?) { self.image = image }
}

public struct PullImageRequest: CRIMessage {
    @Field public var image: ImageSpec
    public var auth: AuthConfig?
    public var sandboxConfig: PodSandboxConfig?

    public init() {}
    public init(image: ImageSpec, auth: AuthConfig? = nil, sandboxConfig: PodSandboxConfig? = nil) {
        self.image = image
        self.auth = auth
        self.sandboxConfig = sandboxConfig
    }
}

public struct PullImageResponse: CRIMessage {
    /// The pulled image's ID.
    @Field public var imageRef: String

    public init() {}
    public init(imageRef: String) { self.imageRef = imageRef }
}

/// Removes an image and all its tags; idempotent.
public struct RemoveImageRequest: CRIMessage {
    @Field public var image: ImageSpec

    public init() {}
    public init(image: ImageSpec) { self.image = image }
}

public struct RemoveImageResponse: CRIMessage {
    public init() {}
}

public struct ImageFsInfoRequest: CRIMessage {
    public init() {}
}

public struct FilesystemIdentifier: CRIMessage {
    @Field public var mountpoint: String

    public init() {}
    public init(mountpoint: String) { self.mountpoint = mountpoint }
}

/// Space and inodes used on one filesystem (by images, or by a container's writable layer).
public struct FilesystemUsage: CRIMessage {
    /// Nanoseconds since the epoch.
    @Field public var timestamp: Int64
    @Field public var fsId: FilesystemIdentifier
    public var usedBytes: UInt64Value?
    public var inodesUsed: UInt64Value?

    public init() {}
}

public struct ImageFsInfoResponse: CRIMessage {
    @Field public var imageFilesystems: [FilesystemUsage]
    /// Only when containers' writable layers live on another filesystem than images.
    @Field public var containerFilesystems: [FilesystemUsage]

    public init() {}
}
