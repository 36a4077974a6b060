// Unpacked layers on disk, one directory per layer keyed by its chain ID, shared by every
// image that has the same layer stack below it; and container rootfs mounts over them.
//
//   <root>/snapshots/<chainID hex>/fs      a layer, unpacked overlay-style (read-only by convention)
//   <root>/snapshots/.tmp-*                an unpack or removal in progress (cleaned up on open)
//   <root>/containers/<id>/{upper,work}    a container's writable layer
import Crypto
import Glibc
import RuntimeCore

/// A layer blob to unpack and the diffID the image config says it has.
public struct LayerBlob: Sendable {
    public var path: String
    public var diffID: String
    public init(path: String, diffID: String) { self.path = path; self.diffID = diffID }
}

public final class SnapshotStore: Sendable {
    public let root: String
    var snapshotsDir: String { root + "/snapshots" }
    var containersDir: String { root + "/containers" }

    private static let temporaryPrefix = ".tmp-"
    /// Temporary names carry the pid of the process making them: several processes share a
    /// store (the daemon and its pull processes), and only a dead one's leftovers are stale.
    private static var temporaryStem: String { "\(temporaryPrefix)\(getpid())-" }

    /// Opens (creating) the store, and removes what interrupted unpacks and removals left.
    public init(root: String) throws {
        self.root = root
        try FileIO.mkdirAll(root + "/snapshots", mode: 0o700)
        try FileIO.mkdirAll(root + "/containers", mode: 0o700)
        for name in FileIO.list(root + "/snapshots") where Self.isStaleTemporary(name) {
            FileIO.removeAll(root + "/snapshots/" + name)
        }
    }

    static func isStaleTemporary(_ name: String) -> Bool {
        guard name.hasPrefix(temporaryPrefix) else { return false }
        let pid = name.dropFirst(temporaryPrefix.count).prefix { $0 != "-" }
        guard let pid = Int32(pid), pid > 0 else { return true }
        return kill(pid, 0) < 0 && errno == ESRCH
    }

    // MARK: chain IDs

    /// chainID(L0) = diffID(L0); chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln)) (OCI image spec).
    public static func chainIDs(diffIDs: [String]) -> [String] {
        var ids: [String] = []
        for diffID in diffIDs {
            if let previous = ids.last {
                ids.append("sha256:" + lowercaseHex(SHA256.hash(data: Array("\(previous) \(diffID)".utf8))))
            } else {
                ids.append(diffID)
            }
        }
        return ids
    }

    /// The hex part of a "sha256:<hex>" digest, refusing anything else (it becomes a directory name).
    static func hex(_ digest: String) throws -> String {
        let hex = digest.hasPrefix("sha256:") ? String(digest.dropFirst(7)) : ""
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw RuntimeError("snapshot: \"\(digest)\" is not a sha256 digest")
        }
        return hex
    }

    // MARK: snapshots

    /// The unpacked layer directory of a chain ID.
    public func layerPath(chainID: String) throws -> String {
        snapshotsDir + "/" + (try Self.hex(chainID)) + "/fs"
    }

    public func exists(chainID: String) -> Bool {
        guard let path = try? layerPath(chainID: chainID) else { return false }
        return FileIO.isDirectory(path)
    }

    /// Chain IDs of every snapshot in the store.
    public func list() -> [String] {
        FileIO.subdirectories(snapshotsDir).filter { !$0.hasPrefix(Self.temporaryPrefix) }.map { "sha256:" + $0 }
    }

    /// Makes sure every layer of an image is unpacked: unpacks the missing ones, checking each
    /// diffID. `layers` go base first. Returns the chain IDs, base first.
    @discardableResult
    public func prepare(layers: [LayerBlob]) throws -> [String] {
        let chainIDs = Self.chainIDs(diffIDs: layers.map(\.diffID))
        for (layer, chainID) in zip(layers, chainIDs) { try ensure(layer, chainID: chainID) }
        return chainIDs
    }

    /// Unpacks one layer into the snapshot `chainID` unless it is there already. Each layer is
    /// its own directory, so layers of one image may be unpacked in any order, or at once.
    public func ensure(_ layer: LayerBlob, chainID: String) throws {
        if !exists(chainID: chainID) { try unpack(layer, chainID: chainID) }
    }

    /// Unpacks into a temporary directory and renames it into place only once it is complete
    /// and its diffID matches: a snapshot directory is always a whole, verified layer.
    private func unpack(_ layer: LayerBlob, chainID: String) throws {
        let hex = try Self.hex(chainID)
        _ = try Self.hex(layer.diffID)
        var template = Array("\(snapshotsDir)/\(Self.temporaryStem)\(hex)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw RuntimeError.system("snapshot \(chainID): make a temporary directory") }
        let temporary = String(cString: made)
        do {
            try check(mkdir(temporary + "/fs", 0o755), "snapshot \(chainID): mkdir \(temporary)/fs")
            try check(chmod(temporary + "/fs", 0o755), "snapshot \(chainID): chmod \(temporary)/fs")   // not the umask's
            let diffID = try LayerUnpacker.apply(blobAt: layer.path, into: temporary + "/fs")
            guard diffID == layer.diffID else {
                throw RuntimeError("snapshot \(chainID): layer \(layer.path) has diffID \(diffID), the image says \(layer.diffID)")
            }
            _ = chmod(temporary, 0o755)
            if rename(temporary, snapshotsDir + "/" + hex) < 0 {
                // Someone else unpacked the same layer meanwhile: theirs is as good as ours.
                guard errno == ENOTEMPTY || errno == EEXIST, exists(chainID: chainID) else {
                    throw RuntimeError.system("snapshot \(chainID): rename into place")
                }
                FileIO.removeAll(temporary)
            }
        } catch {
            FileIO.removeAll(temporary)
            throw error
        }
    }

    /// Removes a snapshot. It disappears at once (renamed aside), then is deleted.
    /// The caller makes sure no image or mounted rootfs still uses it.
    public func remove(chainID: String) throws {
        let hex = try Self.hex(chainID)
        var template = Array("\(snapshotsDir)/\(Self.temporaryStem)remove-\(hex)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw RuntimeError.system("remove snapshot \(chainID): make a temporary name") }
        let aside = String(cString: made)
        if rename(snapshotsDir + "/" + hex, aside) < 0 {
            let e = errno
            rmdir(aside)
            if e == ENOENT { return }
            throw RuntimeError.system("remove snapshot \(chainID): rename aside", errno: e)
        }
        FileIO.removeAll(aside)
    }

    // MARK: container rootfs

    public func containerDirectory(_ container: String) throws -> String {
        guard !container.isEmpty, !container.contains("/"), container != ".", container != ".." else {
            throw RuntimeError("rootfs: invalid container id \"\(container)\"")
        }
        return containersDir + "/" + container
    }

    /// Mounts the container's rootfs at `target` (an existing directory): the layers `chainIDs`
    /// (base first, as `prepare` returns them) under a fresh upperdir of the container's own.
    public func mountRootfs(container: String, chainIDs: [String], target: String) throws {
        let directory = try containerDirectory(container)
        let lowers = try chainIDs.reversed().map { chainID -> String in
            let path = try layerPath(chainID: chainID)
            guard FileIO.isDirectory(path) else { throw RuntimeError("rootfs of \(container): snapshot \(chainID) is not prepared") }
            return path
        }
        if mkdir(directory, 0o700) < 0 {
            throw RuntimeError.system("rootfs of \(container): mkdir \(directory) (does it have a rootfs already?)")
        }
        do {
            try check(mkdir(directory + "/upper", 0o755), "rootfs of \(container): mkdir upper")
            // The rootfs' "/" takes the upperdir's mode: 0755 whatever the umask.
            try check(chmod(directory + "/upper", 0o755), "rootfs of \(container): chmod upper")
            try check(mkdir(directory + "/work", 0o700), "rootfs of \(container): mkdir work")
            try OverlayMount.mount(lowerDirs: lowers, upperDir: directory + "/upper", workDir: directory + "/work", target: target)
        } catch {
            FileIO.removeAll(directory)
            throw error
        }
    }

    /// Unmounts the container's rootfs from `target` and deletes its writable layer.
    public func removeRootfs(container: String, target: String) throws {
        let directory = try containerDirectory(container)
        try OverlayMount.unmount(target)
        FileIO.removeAll(directory)
    }

    /// The container's upperdir: what it has written.
    public func upperDirectory(container: String) throws -> String { try containerDirectory(container) + "/upper" }
}

/// Throws `RuntimeError.system` when a libc call returns -1.
@discardableResult
private func check(_ result: Int32, _ stage: @autoclosure () -> String) throws -> Int32 {
    if result < 0 { throw RuntimeError.system(stage()) }
    return result
}
