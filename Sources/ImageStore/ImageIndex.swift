// The node's image metadata: which names point at which image, over a content store.
// All records live in one JSON file (<root>/images.json) replaced atomically (write, fsync,
// rename), so a tag that moves a name from one image to another is one step, never half done,
// and the index survives restarts. A node holds at most hundreds of images: one file is cheap.
import Foundation
import Glibc
import OCISpec
import RuntimeCore

public final class ImageIndex: @unchecked Sendable {
    public let root: String
    public let content: ContentStore
    /// Unpacked layers and container rootfs layers, under the same root.
    public let snapshots: SnapshotStore
    let indexPath: String
    /// Serializes every change (and GC) in this process; imports hold it from first blob to
    /// record, so GC never sees an import's blobs before its record exists.
    let lock = NSLock()
    var records: [Digest: ImageRecord]
    /// Registry pulls under way, so the same image pulled twice at once is fetched once.
    let inFlightPulls = InFlightPulls()

    private struct IndexFile: Codable {
        var version: Int
        var images: [ImageRecord]
    }

    /// Opens the image index and content store under `root` (created if missing).
    public init(root: String) throws {
        self.root = root
        try FileIO.mkdirAll(root)
        content = try ContentStore(root: joinPath(root, "content"))
        snapshots = try SnapshotStore(root: root)
        indexPath = joinPath(root, "images.json")
        records = [:]
        unlink(indexPath + ".tmp")  // a save cut off by a crash; images.json itself is intact
        if FileIO.exists(indexPath) {
            let bytes = try FileIO.read(indexPath)
            let file: IndexFile
            do { file = try JSONDecoder().decode(IndexFile.self, from: Data(bytes)) } catch {
                throw RuntimeError("image index \(indexPath): cannot decode: \(error)")
            }
            for r in file.images { records[r.id] = r }
        }
    }

    // MARK: reading

    public func list() -> [ImageRecord] {
        lock.withLock { records.values.sorted { ($0.names.first ?? "~", $0.id) < ($1.names.first ?? "~", $1.id) } }
    }

    /// Finds an image by what a user typed: an ID ("sha256:<hex>", or a unique hex prefix of at
    /// least 12 digits), a name ("busybox", "busybox:1.36"), or a digest reference ("busybox@sha256:...").
    public func resolve(_ text: String) throws -> ImageRecord {
        try lock.withLock { try resolveLocked(text).record }
    }

    /// The record, and the name it was found by (nil when found by ID or digest).
    func resolveLocked(_ text: String) throws -> (record: ImageRecord, name: String?) {
        if text.hasPrefix("\(Digest.algorithm):") {
            let id = try Digest(parsing: text)
            if let r = records[id] { return (r, nil) }
            throw RuntimeError("image \(text) not found")
        }
        if text.utf8.count >= 12 && text.utf8.count <= 64 && text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) {
            let matches = records.values.filter { $0.id.hex.hasPrefix(text) }
            if matches.count == 1 { return (matches[0], nil) }
            if matches.count > 1 { throw RuntimeError("image ID prefix \(text) is ambiguous (\(matches.count) images)") }
            if text.utf8.count == 64 { throw RuntimeError("image \(text) not found") }
        }
        let ref = try ImageReference(parsing: text)
        if let d = ref.digest {
            let pinned = records.values.filter { $0.target == d || $0.manifest == d }
            let sameRepo = pinned.filter { r in r.names.contains { (try? ImageReference(parsing: $0))?.name == ref.name } }
            if let r = sameRepo.first ?? pinned.first { return (r, nil) }
            throw RuntimeError("image \(text) not found (no image with digest \(d))")
        }
        let name = ref.description
        if let r = records.values.first(where: { $0.names.contains(name) }) { return (r, name) }
        throw RuntimeError("image \(text) not found (looked for \(name))")
    }

    /// The image's record and its config (entrypoint, cmd, env, user, working dir, labels, ports).
    public func inspect(_ text: String) throws -> ImageDetails {
        let record = try resolve(text)
        let bytes = try content.read(record.id)
        do {
            return ImageDetails(record: record, config: try JSONDecoder().decode(ImageConfig.self, from: Data(bytes)))
        } catch let e as RuntimeError { throw e } catch {
            throw RuntimeError("image \(text): config \(record.id) does not decode: \(error)")
        }
    }

    // MARK: changing

    /// Adds `reference` as a name of the image `source` resolves to; a name another image had
    /// moves here (that image stays, untagged if it has no other name).
    @discardableResult
    public func tag(_ source: String, as reference: String) throws -> ImageReference {
        let ref = try ImageReference(parsing: reference)
        guard ref.digest == nil else { throw RuntimeError("tag \(reference): a tag cannot contain a digest") }
        try lock.withLock {
            var record = try resolveLocked(source).record
            record.names.append(ref.description)
            try saveLocked(adding: [record])
        }
        return ref
    }

    /// Removes a name, or a whole image when given its ID or a digest reference, or when its
    /// last name goes. An image being removed that `isInUse` says containers use is refused
    /// unless `force` (the containers keep their snapshots; only the metadata goes).
    /// Returns whether the image itself was removed (false: only a name was).
    @discardableResult
    public func remove(_ text: String, force: Bool = false, isInUse: (Digest) -> Bool = { _ in false }) throws -> Bool {
        try lock.withLock {
            var (record, byName) = try resolveLocked(text)
            if let name = byName, record.names.count > 1 {
                record.names.removeAll { $0 == name }
                try saveLocked(adding: [record])
                return false
            }
            if !force && isInUse(record.id) {
                throw RuntimeError("image \(text) (\(record.id)) is in use by a container; remove the container first or force")
            }
            var all = records
            all[record.id] = nil
            try writeLocked(all)
            records = all
            return true
        }
    }

    /// Records images in one write (imports call this last, under the lock); each one's names
    /// move to it from any other image, so a later record wins a name listed twice.
    func saveLocked(adding added: [ImageRecord]) throws {
        var all = records
        for var record in added {
            var unique: [String] = []
            for n in record.names where !unique.contains(n) { unique.append(n) }
            record.names = unique
            for (id, var other) in all where id != record.id {
                let before = other.names.count
                other.names.removeAll { unique.contains($0) }
                if other.names.count != before { all[id] = other }
            }
            all[record.id] = record
        }
        try writeLocked(all)
        records = all
    }

    /// Writes the whole index: temp file, fsync, rename, fsync the directory.
    private func writeLocked(_ all: [Digest: ImageRecord]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(IndexFile(version: 1, images: all.values.sorted { $0.id < $1.id }))
        let tmp = indexPath + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if fd < 0 { throw RuntimeError.system("image index: create \(tmp)") }
        do {
            try FileIO.writeAll(fd: fd, [UInt8](data), what: tmp)
            if fsync(fd) < 0 { throw RuntimeError.system("image index: fsync \(tmp)") }
            close(fd)
        } catch { close(fd); unlink(tmp); throw error }
        if rename(tmp, indexPath) < 0 {
            let e = errno; unlink(tmp)
            throw RuntimeError.system("image index: rename \(tmp) to \(indexPath)", errno: e)
        }
        ContentStore.syncDirectory(root)
    }
}
