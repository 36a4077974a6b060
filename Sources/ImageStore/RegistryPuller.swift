// The registry part of a pull, as containerd does it: resolve the reference to a manifest (an
// index or manifest list picks this node's platform), fetch the config and layers straight
// into the content store (verified against digest and size, a few layers at a time, skipping
// blobs already present) and unpack each layer as it lands; the manifests are stored last.
// Recording the image is the index's part (ImageIndex.record), so this can run in a process
// of its own. A failed fetch leaves no visible half blob (the content store publishes only
// verified blobs) and no record.
import AsyncHTTPClient
import Foundation
import NIOCore
import OCISpec
import RuntimeCore

struct RegistryPuller {
    let content: ContentStore
    let snapshots: SnapshotStore
    let reference: ImageReference
    let options: PullOptions
    let client: RegistryClient

    static let manifestAccept = [MediaType.ociIndex, MediaType.ociManifest,
                                 MediaType.dockerManifestList, MediaType.dockerManifest]
    /// Manifests are small; anything bigger is not one (containerd's limit is 4 MiB too).
    static let manifestLimit = 4 << 20

    init(content: ContentStore, snapshots: SnapshotStore, reference: ImageReference, options: PullOptions) {
        self.content = content; self.snapshots = snapshots; self.reference = reference; self.options = options
        client = RegistryClient(reference: reference, options: options)
    }

    /// A manifest or index as fetched: its bytes, the digest of those bytes, its media type.
    struct Fetched { var bytes: [UInt8]; var digest: Digest; var mediaType: String }

    func fetch() async throws -> FetchedImage {
        let top = try await fetchManifest(reference.digest?.description ?? reference.tag ?? ImageReference.defaultTag,
                                          expected: reference.digest)
        var chain = [top]
        // Indexes may nest (an index of indexes); a few levels is plenty.
        for _ in 0..<4 {
            let current = chain[chain.count - 1]
            if MediaType.isIndex(current.mediaType) {
                let list = try decode(Index.self, current.bytes, what: "index \(current.digest)")
                let child = try PlatformChoice.manifest(in: list, for: options.platform,
                                                        what: "pull \(reference): index \(current.digest)")
                chain.append(try await fetchManifest(child.digest, expected: try parse(child.digest)))
                continue
            }
            let manifest = try decode(Manifest.self, current.bytes, what: "manifest \(current.digest)")
            let configDigest = try parse(manifest.config.digest)
            try await fetchBlob(manifest.config)
            let config = try decode(ImageConfig.self, try content.read(configDigest), what: "config \(configDigest)")
            guard config.rootfs.diffIDs.count == manifest.layers.count else {
                throw RuntimeError("pull \(reference): manifest \(current.digest) has \(manifest.layers.count) layers but its config lists \(config.rootfs.diffIDs.count) diff_ids")
            }
            let chainIDs = SnapshotStore.chainIDs(diffIDs: config.rootfs.diffIDs)
            let layers = zip(manifest.layers, zip(config.rootfs.diffIDs, chainIDs))
                .filter { !MediaType.isForeignLayer($0.0.mediaType) }
            try await fetchBlobs(layers.map { $0.0 }) { i in
                guard options.unpack else { return }
                let (descriptor, (diffID, chainID)) = layers[i]
                let blob = LayerBlob(path: content.path(try parse(descriptor.digest)), diffID: diffID)
                try await Blocking.run { try snapshots.ensure(blob, chainID: chainID) }
            }
            for m in chain where !content.exists(m.digest) { _ = try content.write(m.bytes, expected: m.digest) }
            return FetchedImage(reference: reference.description,
                                manifests: chain.map { FetchedImage.Manifest(digest: $0.digest, mediaType: $0.mediaType) },
                                config: configDigest)
        }
        throw RuntimeError("pull \(reference): indexes nested too deeply")
    }

    /// GET a manifest by tag or digest; by digest, its bytes must hash to it.
    func fetchManifest(_ ref: String, expected: Digest?) async throws -> Fetched {
        let response = try await client.get("manifests", ref, accept: RegistryPuller.manifestAccept, timeout: .seconds(60))
        let body: ByteBuffer
        do { body = try await response.body.collect(upTo: RegistryPuller.manifestLimit) } catch {
            throw RuntimeError("pull \(reference): manifest \(ref): reading the body: \(error)")
        }
        let bytes = Array(buffer: body)
        let digest = Digest.of(bytes)
        if let expected, digest != expected {
            throw RuntimeError("pull \(reference): manifest \(ref): digest mismatch: got content hashing to \(digest)")
        }
        // The registry's own word on the digest must agree with what arrived (a proxy may rewrite).
        if expected == nil, let header = response.headers["Docker-Content-Digest"].first,
           let claimed = try? Digest(parsing: header), claimed != digest {
            throw RuntimeError("pull \(reference): manifest \(ref): registry says \(claimed) but the content hashes to \(digest)")
        }
        let probe = try? JSONDecoder().decode(MediaTypeProbe.self, from: Data(bytes))
        let contentType = response.headers["Content-Type"].first?.split(separator: ";").first.map { String($0).trimmingSpaces }
        var mediaType = probe?.mediaType ?? contentType ?? MediaType.ociManifest
        if probe?.mediaType == nil && probe?.manifests != nil { mediaType = MediaType.ociIndex }
        guard MediaType.isIndex(mediaType) || MediaType.isManifest(mediaType) else {
            throw RuntimeError("pull \(reference): manifest \(ref): unsupported media type \(mediaType)")
        }
        return Fetched(bytes: bytes, digest: digest, mediaType: mediaType)
    }

    /// Fetches blobs, at most `maxConcurrentDownloads` at once, calling `then` with each one's
    /// position once it is in the store; the first failure cancels the rest.
    func fetchBlobs(_ descriptors: [Descriptor], then: @escaping @Sendable (Int) async throws -> Void) async throws {
        let limit = max(1, options.maxConcurrentDownloads)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, next) in descriptors.enumerated() {
                if i >= limit { try await group.next() }
                group.addTask { try await fetchBlob(next); try await then(i) }
            }
            try await group.waitForAll()
        }
    }

    func fetchBlob(_ descriptor: Descriptor) async throws {
        let digest = try parse(descriptor.digest)
        if content.exists(digest) {
            options.progress?(PullProgress(digest: digest, bytesDone: descriptor.size, bytesTotal: descriptor.size, alreadyPresent: true))
            return
        }
        let response = try await client.get("blobs", digest.description, timeout: .hours(1))
        let writer = try content.writer(expected: digest, size: descriptor.size)
        do {
            for try await chunk in response.body {
                try chunk.withUnsafeReadableBytes { try writer.append($0) }
                options.progress?(PullProgress(digest: digest, bytesDone: writer.bytesWritten,
                                               bytesTotal: descriptor.size, alreadyPresent: false))
            }
            try writer.commit()
        } catch {
            writer.abort()  // the ingest file goes; nothing under blobs/ ever saw these bytes
            throw RuntimeError("pull \(reference): blob \(digest): \(error)")
        }
    }

    private func parse(_ text: String) throws -> Digest {
        do { return try Digest(parsing: text) } catch { throw RuntimeError("pull \(reference): \(error)") }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], what: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(bytes)) } catch {
            throw RuntimeError("pull \(reference): \(what) does not decode: \(error)")
        }
    }
}

/// Which manifest of an index this node runs: an exact variant match first, then any match.
enum PlatformChoice {
    static func manifest(in index: Index, for platform: Platform, what: String) throws -> Descriptor {
        let matching = index.manifests.filter { d in d.platform.map { HostPlatform.matches($0, wanted: platform) } ?? false }
        if let exact = matching.first(where: { $0.platform?.variant == platform.variant }) { return exact }
        if let any = matching.first { return any }
        let want = [platform.os, platform.architecture, platform.variant].compactMap { $0 }.joined(separator: "/")
        throw RuntimeError("\(what) has no manifest for \(want)")
    }
}
