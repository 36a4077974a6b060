// From an image to a container's root filesystem: the image's layers unpacked into shared
// snapshots, an overlay of them under the container's own writable layer, and the collection
// of snapshots that neither an image nor a container uses any more.
//
//   <root>/containers/<id>/lowers   the chain IDs the container's rootfs stands on, one per line
import Foundation
import Glibc
import OCISpec
import RuntimeCore

extension ImageIndex {
    /// The layers of an image, base first: blobs in the content store and their diffIDs.
    func layerBlobs(_ details: ImageDetails) throws -> [LayerBlob] {
        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: Data(try content.read(details.record.manifest))) } catch let e as RuntimeError {
            throw e
        } catch {
            throw RuntimeError("image \(details.id): manifest \(details.record.manifest) does not decode: \(error)")
        }
        let diffIDs = details.config.rootfs.diffIDs
        guard diffIDs.count == manifest.layers.count else {
            throw RuntimeError("image \(details.id): \(manifest.layers.count) layers but \(diffIDs.count) diff_ids")
        }
        return try zip(manifest.layers, diffIDs).map { layer, diffID in
            let digest = try Digest(parsing: layer.digest)
            guard content.exists(digest) else {
                throw RuntimeError("image \(details.id): layer \(digest) is not in the content store")
            }
            return LayerBlob(path: content.path(digest), diffID: diffID)
        }
    }

    /// Unpacks every layer of the image that is not unpacked yet; returns its chain IDs, base first.
    @discardableResult
    public func unpack(_ image: String) throws -> [String] {
        try snapshots.prepare(layers: try layerBlobs(try inspect(image)))
    }

    /// Mounts a rootfs for `container` at `target`: the image's layers (unpacked if needed) under
    /// a fresh writable layer. Returns the image, whose config says how to run it.
    @discardableResult
    public func prepareRootfs(image: String, container: String, target: String) throws -> ImageDetails {
        let details = try inspect(image)
        let chainIDs = try snapshots.prepare(layers: try layerBlobs(details))
        // Under the lock: a GC must not take a snapshot between the check and the mount.
        try lock.withLock {
            try snapshots.mountRootfs(container: container, chainIDs: chainIDs, target: target)
            do {
                let lowers = try snapshots.containerDirectory(container) + "/lowers"
                try FileIO.writeAtomically(lowers, Array(chainIDs.joined(separator: "\n").utf8))
            } catch {
                try? snapshots.removeRootfs(container: container, target: target)
                throw error
            }
        }
        return details
    }

    /// Unmounts a container's rootfs and deletes its writable layer (nothing if it has none).
    public func removeRootfs(container: String, target: String) throws {
        try lock.withLock { try snapshots.removeRootfs(container: container, target: target) }
    }

    /// Deletes the snapshots no image and no container rootfs stands on; returns their chain IDs.
    @discardableResult
    public func collectSnapshots() throws -> [String] {
        try lock.withLock {
            var live = Set<String>()
            for record in records.values {
                guard let bytes = try? content.read(record.id),
                      let config = try? JSONDecoder().decode(ImageConfig.self, from: Data(bytes)) else { continue }
                live.formUnion(SnapshotStore.chainIDs(diffIDs: config.rootfs.diffIDs))
            }
            for container in FileIO.subdirectories(snapshots.containersDir) {
                let lowers = (try? FileIO.read(snapshots.containersDir + "/" + container + "/lowers")) ?? []
                live.formUnion(String(decoding: lowers, as: UTF8.self).split(separator: "\n").map(String.init))
            }
            var removed: [String] = []
            for chainID in snapshots.list() where !live.contains(chainID) {
                try snapshots.remove(chainID: chainID)
                removed.append(chainID)
            }
            return removed
        }
    }
}
