// ImageIndex.pull: the entry point for pulling from a registry, in two parts. The fetch (the
// registry client, TLS, decompression, unpacking) writes only content-addressed blobs and
// snapshots, so it may run in another process (skiff-cri runs it in a short-lived one, which
// keeps that code and its buffers out of the resident daemon); the record is the index's own
// step. Two pulls of the same image at once share one fetch (as containerd dedupes by
// reference): the second waits for the first's result instead of downloading the same blobs.
import Foundation
import OCISpec
import RuntimeCore

/// What a registry fetch left in the store: the manifests (outermost first, the index a tag
/// named down to this platform's manifest) and the image config, all stored as blobs, the
/// layers unpacked. Everything recording the image needs, and small enough to hand over.
public struct FetchedImage: Codable, Sendable, Equatable {
    public struct Manifest: Codable, Sendable, Equatable {
        public var digest: Digest
        public var mediaType: String
    }
    public var reference: String
    public var manifests: [Manifest]
    public var config: Digest
}

/// Fetches a reference into a store; ImageIndex.fetch by default.
public typealias ImageFetcher = @Sendable (_ reference: String, _ options: PullOptions) async throws -> FetchedImage

extension ImageIndex {
    /// Pulls `reference` ("127.0.0.1:5000/test/busybox:1", "busybox@sha256:...") and records it;
    /// `fetcher` does the registry part (by default here, with `fetch`). A pull joining one
    /// already in flight gets that pull's result (and not its own progress).
    @discardableResult
    public func pull(_ reference: String, options: PullOptions = PullOptions(),
                     fetcher: ImageFetcher? = nil) async throws -> ImageRecord {
        let ref = try ImageReference(parsing: reference)
        let p = options.platform
        let key = "\(ref) \(p.os)/\(p.architecture)/\(p.variant ?? "")"
        return try await inFlightPulls.run(key) { [self] in
            let fetched = try await (fetcher ?? { try await self.fetch($0, options: $1) })(ref.description, options)
            return try record(fetched)
        }
    }

    /// The registry part of a pull into this index's store; records nothing.
    public func fetch(_ reference: String, options: PullOptions = PullOptions()) async throws -> FetchedImage {
        try await Self.fetch(reference, options: options, content: content, snapshots: snapshots)
    }

    /// The same for a process that is not the index's owner: it opens only the content and
    /// snapshot stores under `root`, both safe to share between processes.
    public static func fetch(_ reference: String, options: PullOptions, root: String) async throws -> FetchedImage {
        try await fetch(reference, options: options, content: try ContentStore(root: joinPath(root, "content")),
                        snapshots: try SnapshotStore(root: root))
    }

    static func fetch(_ reference: String, options: PullOptions, content: ContentStore,
                      snapshots: SnapshotStore) async throws -> FetchedImage {
        let ref = try ImageReference(parsing: reference)
        return try await RegistryPuller(content: content, snapshots: snapshots, reference: ref, options: options).fetch()
    }

    /// Records a fetched image under the index lock (as imports do), once every blob it needs
    /// is in the store: a GC between fetch and record may have taken one, which a retry refetches.
    public func record(_ fetched: FetchedImage) throws -> ImageRecord {
        let what = "pull \(fetched.reference)"
        guard let top = fetched.manifests.first, let last = fetched.manifests.last else {
            throw RuntimeError("\(what): no manifest was fetched")
        }
        let records = try runImport { _ in
            var size: Int64 = 0
            for m in fetched.manifests {
                guard content.exists(m.digest) else { throw RuntimeError("\(what): manifest \(m.digest) vanished before the image was recorded") }
                size += try content.size(m.digest)
            }
            let manifest: OCISpec.Manifest
            do { manifest = try JSONDecoder().decode(OCISpec.Manifest.self, from: Data(try content.read(last.digest))) } catch {
                throw RuntimeError("\(what): manifest \(last.digest): \(error)")
            }
            for d in [manifest.config] + manifest.layers {
                let digest: Digest
                do { digest = try Digest(parsing: d.digest) } catch { throw RuntimeError("\(what): \(error)") }
                if MediaType.isForeignLayer(d.mediaType) && !content.exists(digest) { continue }
                guard content.exists(digest) else {
                    throw RuntimeError("\(what): blob \(digest) vanished before the image was recorded")
                }
                size += d.size
            }
            return [ImageRecord(id: fetched.config, target: top.digest, targetMediaType: top.mediaType,
                                manifest: last.digest, names: [fetched.reference], size: size, importedAt: ImageIndex.now())]
        }
        return records[0]
    }
}

/// Pulls under way in this process, by reference and platform.
final class InFlightPulls: @unchecked Sendable {
    private let lock = NSLock()
    private var tasks: [String: Task<ImageRecord, Error>] = [:]

    func run(_ key: String, _ body: @escaping @Sendable () async throws -> ImageRecord) async throws -> ImageRecord {
        let (task, owner) = lock.withLock { () -> (Task<ImageRecord, Error>, Bool) in
            if let running = tasks[key] { return (running, false) }
            let task = Task { try await body() }
            tasks[key] = task
            return (task, true)
        }
        defer { if owner { lock.withLock { tasks[key] = nil } } }
        return try await task.value
    }
}
