// config.json's mounts, made inside the rootfs before pivot_root.
import CSkiffSystem
import Glibc
import OCISpec

struct Mounter {
    let rootfs: RootfsDirectory
    let bundle: String
    let inUserNamespace: Bool
    let inCgroupNamespace: Bool
    let cgroupMounts: [CgroupMountPoints]

    func mount(_ m: Mount, index: Int) throws {
        let options = MountOptions(m.options ?? [])
        let type = m.type ?? ""
        let what = "mounts[\(index)] (\(m.destination))"
        if type == "cgroup" || type == "cgroup2" {
            return try mountCgroup(m, options: options, what: what)
        }
        if options.isBind || type == "bind" {
            return try bind(m, options: options, what: what)
        }
        let target = try rootfs.open(m.destination, creating: .directory)
        defer { close(target) }
        if options.tmpcopyup && type != "tmpfs" { throw RuntimeError("\(what): tmpcopyup applies to tmpfs mounts only") }
        let source = m.source ?? type
        var result = Glibc.mount(source, procFD(target), type, options.flags & ~UInt(MS_REMOUNT), options.dataString)
        if result < 0 && errno == EPERM && type == "sysfs" {
            // sysfs belongs to the network namespace's owner; without one of our own, bind the host's.
            result = Glibc.mount("/sys", procFD(target), nil, UInt(MS_BIND | MS_REC), nil)
        }
        try check(result, "\(what): mount \(type) on \(m.destination)")
        if options.tmpcopyup { try copyUp(from: target, to: m.destination, what: what) }
        try finish(m.destination, options: options, what: what, remount: false)
    }

    /// tmpcopyup: the new tmpfs starts with what the image had at its mount point.
    /// `below` is the directory under the new mount (opened before mounting).
    private func copyUp(from below: Int32, to destination: String, what: String) throws {
        let mounted = try rootfs.open(destination, creating: nil)
        defer { close(mounted) }
        // cp is the host's: we are still before pivot_root. Our fds are reached through our own pid.
        let me = try FileIO.readLink("/proc/self")
        let status = try spawnAndWait(["/bin/cp", "-a", "/proc/\(me)/fd/\(below)/.", "/proc/\(me)/fd/\(mounted)/"])
        if status != 0 { throw RuntimeError("\(what): tmpcopyup of \(destination): cp \(describeWaitStatus(status))") }
    }

    private func bind(_ m: Mount, options: MountOptions, what: String) throws {
        guard var source = m.source, !source.isEmpty else { throw RuntimeError("\(what): bind mount needs a source") }
        if !source.hasPrefix("/") { source = joinPath(bundle, source) }
        var st = stat()
        try check(stat(source, &st), "\(what): source \(source)")
        let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
        let target = try rootfs.open(m.destination, creating: isDirectory ? .directory : .file)
        defer { close(target) }
        try check(Glibc.mount(source, procFD(target), nil, UInt(MS_BIND) | (options.flags & UInt(MS_REC)), nil),
                  "\(what): bind \(source) on \(m.destination)")
        if options.tmpcopyup { throw RuntimeError("\(what): tmpcopyup applies to tmpfs mounts only") }
        try finish(m.destination, options: options, what: what, remount: true, source: source)
    }

    /// After the mount: remount to apply flags a bind ignores, propagation, recursive attributes.
    private func finish(_ destination: String, options: MountOptions, what: String, remount: Bool, source: String? = nil) throws {
        let extraFlags = options.flags & ~UInt(MS_BIND | MS_REC | MS_REMOUNT)
        guard (remount && extraFlags != 0) || !options.propagation.isEmpty
            || options.recursiveAttrSet != 0 || options.recursiveAttrClear != 0 else { return }
        // Reopen: the fd we mounted on is the directory under the new mount, not the mount itself.
        let mounted = try rootfs.open(destination, creating: nil)
        defer { close(mounted) }
        if remount && extraFlags != 0 {
            var flags = UInt(MS_BIND | MS_REMOUNT) | extraFlags
            if inUserNamespace, let source { flags |= lockedFlags(of: source) }
            try check(Glibc.mount(nil, procFD(mounted), nil, flags, nil), "\(what): remount \(destination)")
        }
        for propagation in options.propagation {
            try check(Glibc.mount(nil, procFD(mounted), nil, propagation, nil), "\(what): set propagation of \(destination)")
        }
        if options.recursiveAttrSet != 0 || options.recursiveAttrClear != 0 {
            try checkNeg(sk_mount_setattr_recursive(mounted, options.recursiveAttrSet, options.recursiveAttrClear),
                         "\(what): mount_setattr \(destination)")
        }
    }

    /// Flags the kernel locks on a mount seen from a user namespace: a remount must keep them.
    private func lockedFlags(of path: String) -> UInt {
        var fs = statvfs()
        guard statvfs(path, &fs) == 0 else { return 0 }
        var flags: UInt = 0
        let f = UInt(fs.f_flag)
        if f & UInt(SK_ST_NOSUID) != 0 { flags |= UInt(MS_NOSUID) }
        if f & UInt(SK_ST_NODEV) != 0 { flags |= UInt(MS_NODEV) }
        if f & UInt(SK_ST_NOEXEC) != 0 { flags |= UInt(MS_NOEXEC) }
        if f & UInt(SK_ST_RDONLY) != 0 { flags |= UInt(MS_RDONLY) }
        return flags
    }

    /// A `cgroup` mount: the container's own cgroups at the destination. With a cgroup namespace
    /// the hierarchies are mounted afresh (their root is the container's cgroup); without, the
    /// container's directories of the host hierarchies are bind-mounted.
    private func mountCgroup(_ m: Mount, options: MountOptions, what: String) throws {
        let hierarchies = cgroupMounts
        let base = try rootfs.open(m.destination, creating: .directory)
        defer { close(base) }
        let flags = options.flags & ~UInt(MS_BIND | MS_REC | MS_REMOUNT | MS_RDONLY)
        if hierarchies.count == 1, let only = hierarchies.first, only.isUnified {
            if inCgroupNamespace {
                try check(Glibc.mount("cgroup2", procFD(base), "cgroup2", flags, nil), "\(what): mount cgroup2")
            } else {
                try check(Glibc.mount(only.hostDirectory, procFD(base), nil, UInt(MS_BIND | MS_REC), nil),
                          "\(what): bind \(only.hostDirectory)")
            }
        } else {
            try check(Glibc.mount("tmpfs", procFD(base), "tmpfs", flags, "mode=755"), "\(what): mount tmpfs for cgroups")
            for hierarchy in hierarchies {
                let dest = joinPath(m.destination, hierarchy.name)
                let dir = try rootfs.open(dest, creating: .directory)
                defer { close(dir) }
                let result: Int32
                if inCgroupNamespace {
                    // A new mount takes read-only at once; only a bind needs a remount for it.
                    let mountFlags = flags | (options.isReadonly ? UInt(MS_RDONLY) : 0)
                    result = hierarchy.isUnified
                        ? Glibc.mount("cgroup2", procFD(dir), "cgroup2", mountFlags, nil)
                        : Glibc.mount("cgroup", procFD(dir), "cgroup", mountFlags, hierarchy.options)
                } else {
                    result = Glibc.mount(hierarchy.hostDirectory, procFD(dir), nil, UInt(MS_BIND | MS_REC), nil)
                }
                try check(result, "\(what): mount cgroup \(hierarchy.name)")
                if options.isReadonly && !inCgroupNamespace {
                    let mounted = try rootfs.open(dest, creating: nil)
                    defer { close(mounted) }
                    try check(Glibc.mount(nil, procFD(mounted), nil, UInt(MS_BIND | MS_REMOUNT | MS_RDONLY) | flags, nil),
                              "\(what): remount \(dest) read-only")
                }
                // cpu,cpuacct is also reachable as cpu and cpuacct, as on the host.
                for alias in hierarchy.aliases {
                    _ = symlinkat(hierarchy.name, base, alias)
                }
            }
        }
        if options.isReadonly {
            let mounted = try rootfs.open(m.destination, creating: nil)
            defer { close(mounted) }
            try check(Glibc.mount(nil, procFD(mounted), nil, UInt(MS_REMOUNT | MS_RDONLY | MS_BIND) | flags, nil),
                      "\(what): remount \(m.destination) read-only")
        }
    }
}

/// The hierarchies a `cgroup` mount shows, and where the container's cgroup is in each on the host.
/// Worked out by the runtime from the cgroup layout and the container's cgroup record, so the
/// container process need not read them again.
struct CgroupMountPoints: Sendable {
    var name: String          // directory name under /sys/fs/cgroup: "memory", "cpu,cpuacct", "systemd", "unified"
    var options: String       // mount options selecting the hierarchy: "memory", "none,name=systemd"
    var hostDirectory: String // the container's cgroup directory on the host
    var isUnified: Bool
    var aliases: [String]

    static func of(_ record: CgroupRecord, layout: CgroupLayout) -> [CgroupMountPoints] {
        var result: [CgroupMountPoints] = []
        for h in layout.v1Hierarchies {
            let key = h.controllers.first ?? h.name.map { "name=\($0)" } ?? ""
            guard let dir = record.paths[key] else { continue }
            let options = h.controllers.isEmpty ? "none,\(h.options)" : h.options
            result.append(CgroupMountPoints(name: h.directoryName, options: options, hostDirectory: dir,
                                            isUnified: false, aliases: h.symlinkNames))
        }
        if let dir = record.paths[""], let unified = layout.unifiedMountPoint {
            let name = layout.mode == .unified ? "" : String(unified.split(separator: "/").last ?? "unified")
            result.append(CgroupMountPoints(name: name, options: "", hostDirectory: dir, isUnified: true, aliases: []))
        }
        return result
    }
}
