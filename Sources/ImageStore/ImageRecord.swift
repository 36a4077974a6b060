// What the node knows about one image: the metadata record kept in the image index, and the
// inspect view built from it plus the image's config blob.
import OCISpec

public struct ImageRecord: Codable, Sendable, Equatable {
    /// The image ID: the digest of its config blob (what CRI, docker and podman call the ID).
    public var id: Digest
    /// What the names point at: the manifest, or the index/manifest list it was chosen from.
    public var target: Digest
    public var targetMediaType: String
    /// The platform manifest chosen for this node (equal to target when there was no index).
    public var manifest: Digest
    /// Normalized references (docker.io/library/busybox:latest); empty for an untagged image.
    public var names: [String]
    /// Manifest + config + layers, in bytes, as stored.
    public var size: Int64
    /// When the image arrived on this node, RFC 3339 (the image's own date is in its config).
    public var importedAt: String

    /// name@digest for each repository the image is named in (CRI's repoDigests).
    public var repoDigests: [String] {
        var seen = Set<String>(), out: [String] = []
        for n in names {
            guard let ref = try? ImageReference(parsing: n) else { continue }
            let pinned = ref.withDigest(target).description
            if seen.insert(pinned).inserted { out.append(pinned) }
        }
        return out
    }
    /// The tagged names (CRI's repoTags).
    public var repoTags: [String] { names.filter { (try? ImageReference(parsing: $0))?.digest == nil } }
}

/// `inspect`: the record plus the execution defaults from the image's config.
public struct ImageDetails: Sendable {
    public var record: ImageRecord
    public var config: ImageConfig

    public var id: Digest { record.id }
    public var entrypoint: [String] { config.config?.Entrypoint ?? [] }
    public var cmd: [String] { config.config?.Cmd ?? [] }
    public var env: [String] { config.config?.Env ?? [] }
    public var user: String { config.config?.User ?? "" }
    public var workingDir: String { config.config?.WorkingDir ?? "" }
    public var labels: [String: String] { config.config?.Labels ?? [:] }
    public var exposedPorts: [String] { (config.config?.ExposedPorts ?? [:]).keys.sorted() }
    public var volumes: [String] { (config.config?.Volumes ?? [:]).keys.sorted() }
    public var stopSignal: String? { config.config?.StopSignal }
    public var platform: Platform {
        Platform(architecture: config.architecture, os: config.os, variant: config.variant)
    }
}
