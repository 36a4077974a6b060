// The container's root filesystem, step by step: isolate mount propagation, make the rootfs a
// mount point, mount what config.json asks for, devices, then switch root.
import CSkiffSystem
import Glibc
import OCISpec

enum RootfsSetup {
    /// Before any mount: our mount namespace must not propagate back to the host.
    static func prepare(rootfs: String, propagation: String?) throws {
        let flag = propagation.flatMap { MountOptions.propagation[$0] } ?? UInt(MS_SLAVE | MS_REC)
        try check(mount(nil, "/", nil, flag, nil), "make / \(propagation ?? "rslave")")
        // pivot_root refuses a new root whose parent mount is shared.
        try makeParentMountPrivate(of: rootfs)
        try check(mount(rootfs, rootfs, nil, UInt(MS_BIND | MS_REC), nil), "bind rootfs \(rootfs) on itself")
    }

    private static func makeParentMountPrivate(of path: String) throws {
        var best: MountinfoLine?
        for line in try FileIO.readString("/proc/self/mountinfo").split(separator: "\n") {
            guard let mount = MountinfoLine(line) else { continue }
            let point = mount.mountPoint
            let contains = point == "/" || path == point || path.hasPrefix(point + "/")
            if contains && point.count >= (best?.mountPoint.count ?? 0) { best = mount }
        }
        if let best, best.isShared {
            try check(mount(nil, best.mountPoint, nil, UInt(MS_PRIVATE), nil), "make \(best.mountPoint) private")
        }
    }

    /// pivot_root into the rootfs and detach the old root, so the host's tree is gone for good.
    static func pivot(to rootfs: String) throws {
        let oldRoot = try check(open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC), "open /")
        defer { close(oldRoot) }
        let newRoot = try check(open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC), "open \(rootfs)")
        defer { close(newRoot) }
        try check(fchdir(newRoot), "chdir \(rootfs)")
        // pivot_root(".", ".") stacks the old root on top of the new one; no put_old directory needed.
        try checkNeg(sk_pivot_root(".", "."), "pivot_root \(rootfs)")
        try check(fchdir(oldRoot), "chdir old root")
        try check(mount(nil, ".", nil, UInt(MS_SLAVE | MS_REC), nil), "make old root rslave")
        try check(umount2(".", Int32(MNT_DETACH)), "unmount old root")
        try check(chdir("/"), "chdir /")
    }

    /// --no-pivot: move the rootfs over / and chroot (for ramdisk roots where pivot_root fails).
    static func moveRoot(to rootfs: String) throws {
        try check(chdir(rootfs), "chdir \(rootfs)")
        try check(mount(rootfs, "/", nil, UInt(MS_MOVE), nil), "move \(rootfs) to /")
        try check(chroot("."), "chroot \(rootfs)")
        try check(chdir("/"), "chdir /")
    }

    static func remountRootReadonly() throws {
        var fs = statvfs()
        try check(statvfs("/", &fs), "statvfs /")
        var flags = UInt(MS_BIND | MS_REMOUNT | MS_RDONLY)
        let f = UInt(fs.f_flag)
        if f & UInt(SK_ST_NOSUID) != 0 { flags |= UInt(MS_NOSUID) }
        if f & UInt(SK_ST_NODEV) != 0 { flags |= UInt(MS_NODEV) }
        if f & UInt(SK_ST_NOEXEC) != 0 { flags |= UInt(MS_NOEXEC) }
        try check(mount(nil, "/", nil, flags, nil), "remount / read-only")
    }

    /// linux.maskedPaths: hidden behind an empty read-only tmpfs (directories) or /dev/null (files).
    static func mask(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw RuntimeError.system("mask \(path)")
        }
        let result = (st.st_mode & S_IFMT) == S_IFDIR
            ? mount("tmpfs", path, "tmpfs", UInt(MS_RDONLY), nil)
            : mount("/dev/null", path, nil, UInt(MS_BIND), nil)
        try check(result, "mask \(path)")
    }

    /// linux.readonlyPaths: bound onto themselves, then made read-only.
    static func makeReadonly(_ path: String) throws {
        let result = mount(path, path, nil, UInt(MS_BIND | MS_REC), nil)
        if result < 0 {
            if errno == ENOENT { return }
            throw RuntimeError.system("bind \(path) read-only")
        }
        var fs = statvfs()
        var flags = UInt(MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC)
        if statvfs(path, &fs) == 0 {
            let f = UInt(fs.f_flag)
            if f & UInt(SK_ST_NOSUID) != 0 { flags |= UInt(MS_NOSUID) }
            if f & UInt(SK_ST_NODEV) != 0 { flags |= UInt(MS_NODEV) }
            if f & UInt(SK_ST_NOEXEC) != 0 { flags |= UInt(MS_NOEXEC) }
        }
        try check(mount(nil, path, nil, flags, nil), "remount \(path) read-only")
    }
}
