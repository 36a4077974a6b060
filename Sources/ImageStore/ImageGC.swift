// Garbage collection of the content store: a blob stays while some image record reaches it
// (target → index → manifests present in the store → config and layers), as containerd's
// GC walks its references; everything else is deleted.
import Foundation
import OCISpec

extension ImageIndex {
    /// Deletes unreferenced blobs; returns their digests.
    @discardableResult
    public func collectGarbage() throws -> [Digest] {
        try lock.withLock {
            let live = try reachableLocked()
            var removed: [Digest] = []
            for d in content.list() where !live.contains(d) {
                try content.delete(d)
                removed.append(d)
            }
            return removed
        }
    }

    /// Every blob that some image needs.
    func reachableLocked() throws -> Set<Digest> {
        var live = Set<Digest>()
        for r in records.values {
            try mark(r.target, into: &live)
            try mark(r.manifest, into: &live)
            live.insert(r.id)
        }
        return live
    }

    /// Marks a manifest or index and what it references. Index children absent from the store
    /// (other platforms never fetched) are skipped; a manifest's config and layers are kept.
    private func mark(_ digest: Digest, into live: inout Set<Digest>) throws {
        guard live.insert(digest).inserted, content.exists(digest) else { return }
        let bytes = try content.read(digest)
        let probe = try? JSONDecoder().decode(MediaTypeProbe.self, from: Data(bytes))
        if let index = try? JSONDecoder().decode(Index.self, from: Data(bytes)),
           MediaType.isIndex(probe?.mediaType) || probe?.manifests != nil {
            for child in index.manifests {
                if let d = try? Digest(parsing: child.digest) { try mark(d, into: &live) }
            }
        } else if let manifest = try? JSONDecoder().decode(Manifest.self, from: Data(bytes)) {
            for desc in [manifest.config] + manifest.layers {
                if let d = try? Digest(parsing: desc.digest) { live.insert(d) }
            }
        }
    }
}

/// Just enough of a manifest-like JSON to tell an index from a manifest.
struct MediaTypeProbe: Decodable {
    var mediaType: String?
    var manifests: [Descriptor]?
}
