// Resolves container paths inside the rootfs the way the container will see them: symlinks are
// followed as if the rootfs were "/", and nothing can lead out of it, whatever the image holds.
// Every step goes through openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS) from an fd, so a
// symlink swapped in behind our back makes the open fail instead of escaping.
import CSkiffSystem
import Glibc

struct RootfsDirectory {
    enum Kind { case directory, file }

    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = try check(Glibc.open(path, Int32(SK_O_PATH) | O_DIRECTORY | O_CLOEXEC), "open rootfs \(path)")
    }

    func close() { _ = Glibc.close(fd) }

    private static let inRoot: UInt64 = 0x10      // RESOLVE_IN_ROOT
    private static let noSymlinks: UInt64 = 0x04  // RESOLVE_NO_SYMLINKS
    private static let noMagicLinks: UInt64 = 0x02

    /// Opens `containerPath` as an Int32(SK_O_PATH) fd, creating what is missing (parents as directories,
    /// the last component as `kind`). The caller closes the fd.
    func open(_ containerPath: String, creating kind: Kind?) throws -> Int32 {
        // Most paths exist and hold no symlink: one openat2 settles them.
        let direct = sk_openat2(fd, "." + (containerPath.hasPrefix("/") ? "" : "/") + containerPath,
                                UInt64(Int32(SK_O_PATH) | O_CLOEXEC), 0, Self.inRoot | Self.noSymlinks | Self.noMagicLinks)
        if direct >= 0 { return direct }
        let resolved = try resolve(containerPath, creating: kind)
        return try openResolved(resolved, what: containerPath)
    }

    /// The symlink-free path relative to the rootfs that `containerPath` leads to.
    func resolve(_ containerPath: String, creating kind: Kind?) throws -> [String] {
        var pending = components(containerPath)
        var current: [String] = []
        var links = 0
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name == ".." { _ = current.popLast(); continue }
            let parent = try openResolved(current, what: containerPath)
            defer { Glibc.close(parent) }
            var st = stat()
            if fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 {
                if (st.st_mode & S_IFMT) == S_IFLNK {
                    links += 1
                    if links > 40 { throw RuntimeError.system("resolve \(containerPath) in rootfs", errno: ELOOP) }
                    let target = try readLink(parent, name, what: containerPath)
                    if target.hasPrefix("/") { current = [] }
                    pending = components(target) + pending
                } else {
                    current.append(name)
                }
                continue
            }
            guard errno == ENOENT, let kind else {
                throw RuntimeError.system("resolve \(containerPath) in rootfs")
            }
            let isLast = pending.isEmpty
            if isLast && kind == .file {
                let created = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o644)
                if created < 0 && errno != EEXIST { throw RuntimeError.system("create \(containerPath) in rootfs") }
                if created >= 0 { Glibc.close(created) }
            } else if mkdirat(parent, name, 0o755) < 0 && errno != EEXIST {
                throw RuntimeError.system("mkdir \(containerPath) in rootfs")
            }
            pending.insert(name, at: 0)   // look at it again: it may have been raced into a symlink
        }
        return current
    }

    private func openResolved(_ components: [String], what: String) throws -> Int32 {
        let relative = components.isEmpty ? "." : components.joined(separator: "/")
        let fd = sk_openat2(self.fd, relative, UInt64(Int32(SK_O_PATH) | O_CLOEXEC), 0,
                            Self.inRoot | Self.noSymlinks | Self.noMagicLinks)
        if fd < 0 { throw RuntimeError.system("open \(what) in rootfs", errno: -fd) }
        return fd
    }

    private func readLink(_ dir: Int32, _ name: String, what: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(dir, name, &buffer, buffer.count - 1)
        if n < 0 { throw RuntimeError.system("readlink \(what) in rootfs") }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init).filter { $0 != "." }
    }
}

/// The path through which syscalls that take a path (mount, mknod) reach what an fd refers to.
func procFD(_ fd: Int32) -> String { "/proc/self/fd/\(fd)" }
