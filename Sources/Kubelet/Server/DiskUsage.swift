// What /stats/summary says about filesystems: a filesystem's capacity and free space (statvfs),
// and how much a directory tree takes of it (its files' allocated blocks and its inodes, as du
// counts them; the kubelet measures log directories and emptyDirs the same way).
import Foundation
import KubeAPI

enum DiskUsage {
    /// The filesystem holding `path`: capacity, available bytes and inodes; nil if it cannot be read.
    static func filesystem(of path: String, at time: KubeTime) -> FsStats? {
        var fs = statvfs()
        guard statvfs(path, &fs) == 0 else { return nil }
        var stats = FsStats(time: time)
        let block = UInt64(fs.f_frsize)
        stats.capacityBytes = UInt64(fs.f_blocks) * block
        stats.availableBytes = UInt64(fs.f_bavail) * block
        stats.inodes = UInt64(fs.f_files)
        stats.inodesFree = UInt64(fs.f_ffree)
        return stats
    }

    /// The filesystem holding `path` with what is used on it in all (a tmpfs volume, the node's fs).
    static func wholeFilesystem(of path: String, at time: KubeTime) -> FsStats? {
        var fs = statvfs()
        guard statvfs(path, &fs) == 0, var stats = filesystem(of: path, at: time) else { return nil }
        stats.usedBytes = UInt64(fs.f_blocks - fs.f_bfree) * UInt64(fs.f_frsize)
        stats.inodesUsed = UInt64(fs.f_files - fs.f_ffree)
        return stats
    }

    /// Bytes allocated to the tree at `path` and its inode count (symbolic links are not
    /// followed, other filesystems mounted inside are not entered); nil when it does not exist.
    static func tree(_ path: String) -> (bytes: UInt64, inodes: UInt64)? {
        var top = stat()
        guard lstat(path, &top) == 0 else { return nil }
        var bytes = UInt64(top.st_blocks) * 512
        var inodes: UInt64 = 1
        guard (top.st_mode & S_IFMT) == S_IFDIR, let walker = FileManager.default.enumerator(atPath: path) else { return (bytes, inodes) }
        while let relative = walker.nextObject() as? String {
            var entry = stat()
            guard lstat(path + "/" + relative, &entry) == 0 else { continue }
            if (entry.st_mode & S_IFMT) == S_IFDIR && entry.st_dev != top.st_dev {
                walker.skipDescendants()
                continue
            }
            bytes += UInt64(entry.st_blocks) * 512
            inodes += 1
        }
        return (bytes, inodes)
    }

    /// The tree at `path` on its filesystem's figures.
    static func directory(_ path: String, at time: KubeTime) -> FsStats? {
        guard let used = tree(path) else { return nil }
        var stats = filesystem(of: path, at: time) ?? FsStats(time: time)
        stats.usedBytes = used.bytes
        stats.inodesUsed = used.inodes
        return stats
    }
}
