// What a caller can say about one pull: which registries speak plain HTTP, whose credentials
// to offer, which platform to choose from an index, how many layers to fetch at once, and
// where to report progress.
import OCISpec

public struct RegistryCredentials: Sendable, Equatable, Codable {
    public var username: String
    public var password: String
    public init(username: String, password: String) { self.username = username; self.password = password }
}

/// Bytes done of one blob, reported as it streams (and once, complete, for a blob already present).
public struct PullProgress: Sendable {
    public var digest: Digest
    public var bytesDone: Int64
    public var bytesTotal: Int64
    /// True when the blob was already in the store and nothing was fetched.
    public var alreadyPresent: Bool
}

public struct PullOptions: Sendable {
    /// "host:port" of registries reached over plain HTTP (as containerd's insecure registries).
    public var insecureRegistries: Set<String> = []
    /// Credentials by registry host ("127.0.0.1:5000", "docker.io"), for Basic or token auth.
    public var credentials: [String: RegistryCredentials] = [:]
    public var platform: Platform = HostPlatform.current
    /// Layers fetched at once (containerd's default is 3).
    public var maxConcurrentDownloads: Int = 3
    /// Unpack each layer into its snapshot as soon as it is fetched (layers unpack independently:
    /// each one is its own overlay directory), so the image is ready to run when the pull returns.
    public var unpack: Bool = true
    public var progress: (@Sendable (PullProgress) -> Void)? = nil

    public init(insecureRegistries: Set<String> = [], credentials: [String: RegistryCredentials] = [:],
                platform: Platform = HostPlatform.current, maxConcurrentDownloads: Int = 3, unpack: Bool = true,
                progress: (@Sendable (PullProgress) -> Void)? = nil) {
        self.insecureRegistries = insecureRegistries; self.credentials = credentials
        self.platform = platform; self.maxConcurrentDownloads = maxConcurrentDownloads
        self.unpack = unpack; self.progress = progress
    }
}
