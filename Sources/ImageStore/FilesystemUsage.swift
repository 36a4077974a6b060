// How much of its filesystem a store takes (CRI's ImageFsInfo): bytes as allocated on disk and
// inodes, counted once per inode so hard links and snapshots shared by images count once.
import Glibc
import RuntimeCore

public struct FilesystemUsage: Equatable, Sendable {
    public var usedBytes: UInt64
    public var inodesUsed: UInt64
    /// The store's directory, as CRI reports the filesystem by its mount point.
    public var mountpoint: String

    /// Walks `root` without following symlinks or crossing into other filesystems (container
    /// rootfs mounts live under a store's root).
    public static func of(_ root: String) throws -> FilesystemUsage {
        var st = stat()
        guard lstat(root, &st) == 0 else { throw RuntimeError.system("filesystem usage of \(root)") }
        var usage = FilesystemUsage(usedBytes: 0, inodesUsed: 0, mountpoint: root)
        var seen = Set<UInt64>()
        walk(root, device: st.st_dev, seen: &seen, usage: &usage)
        return usage
    }

    private static func walk(_ path: String, device: dev_t, seen: inout Set<UInt64>, usage: inout FilesystemUsage) {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_dev == device else { return }
        if seen.insert(UInt64(st.st_ino)).inserted {
            usage.inodesUsed += 1
            usage.usedBytes += UInt64(st.st_blocks) * 512
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { return }
        for name in FileIO.list(path) { walk(path + "/" + name, device: device, seen: &seen, usage: &usage) }
    }
}
