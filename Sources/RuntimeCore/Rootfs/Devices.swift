// Device nodes in the container's /dev: the default set every container gets, plus
// linux.devices. In a user namespace mknod is not allowed, so host nodes are bind-mounted.
import CSkiffSystem
import Glibc
import OCISpec

enum Devices {
    /// The devices the runtime-spec says every Linux container has.
    static let defaults: [Device] = [
        Device(type: "c", path: "/dev/null", major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0),
        Device(type: "c", path: "/dev/zero", major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0),
        Device(type: "c", path: "/dev/full", major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0),
        Device(type: "c", path: "/dev/random", major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0),
        Device(type: "c", path: "/dev/urandom", major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0),
        Device(type: "c", path: "/dev/tty", major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0),
    ]

    static func create(_ configured: [Device], in rootfs: RootfsDirectory, bindFromHost: Bool) throws {
        let configuredPaths = Set(configured.map(\.path))
        for device in defaults where !configuredPaths.contains(device.path) {
            try create(device, in: rootfs, bindFromHost: bindFromHost, what: device.path)
        }
        for (index, device) in configured.enumerated() {
            try create(device, in: rootfs, bindFromHost: bindFromHost, what: "linux.devices[\(index)] (\(device.path))",
                       mustMatchExisting: true)
        }
    }

    static func create(_ device: Device, in rootfs: RootfsDirectory, bindFromHost: Bool, what: String,
                       mustMatchExisting: Bool = false) throws {
        let parentPath = FileIO.parent(of: device.path)
        let name = String(device.path.split(separator: "/").last ?? "")
        let parent = try rootfs.open(parentPath, creating: .directory)
        defer { close(parent) }
        if bindFromHost {
            let target = try rootfs.open(device.path, creating: .file)
            defer { close(target) }
            try check(Glibc.mount(device.path, procFD(target), nil, UInt(MS_BIND), nil), "bind device \(device.path)")
            return
        }
        let type: mode_t
        switch device.type {
        case "c", "u": type = S_IFCHR
        case "b": type = S_IFBLK
        default: type = S_IFIFO
        }
        let mode = type | mode_t(device.fileMode ?? 0o666) & 0o7777
        let result = sk_mknodat(parent, name, mode, UInt32(device.major ?? 0), UInt32(device.minor ?? 0))
        if result == -EEXIST {
            // A node the image (or a bind-mounted /dev) already has is left alone; a different
            // file where a configured device should be is an error, as the runtime-spec says.
            var st = stat()
            let matches = fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == type
                && (type == S_IFIFO || (sk_major(st.st_rdev) == UInt32(device.major ?? 0) && sk_minor(st.st_rdev) == UInt32(device.minor ?? 0)))
            if mustMatchExisting && !matches {
                throw RuntimeError("\(what): a different file already exists at \(device.path)")
            }
            return
        }
        try checkNeg(result, "mknod \(what)")
        // mknod obeys the umask; the mode asked for is the mode wanted.
        try check(fchmodat(parent, name, mode & 0o7777, 0), "chmod \(what)")
        try check(fchownat(parent, name, device.uid ?? 0, device.gid ?? 0, AT_SYMLINK_NOFOLLOW), "chown \(what)")
    }

    /// The symlinks /dev is expected to hold.
    static func createSymlinks(in rootfs: RootfsDirectory, hasDevpts: Bool) throws {
        let dev = try rootfs.open("/dev", creating: .directory)
        defer { close(dev) }
        var links = [("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"),
                     ("/proc/self/fd/2", "stderr")]
        if FileIO.exists("/proc/kcore") { links.append(("/proc/kcore", "core")) }
        if hasDevpts {
            // The container's ptmx is its own devpts instance's, not a host node.
            var st = stat()
            if fstatat(dev, "ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) != S_IFLNK {
                _ = unlinkat(dev, "ptmx", 0)
            }
            links.append(("pts/ptmx", "ptmx"))
        }
        for (target, name) in links where symlinkat(target, dev, name) < 0 && errno != EEXIST {
            throw RuntimeError.system("symlink /dev/\(name)")
        }
    }
}
