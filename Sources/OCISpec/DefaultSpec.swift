// `skiff-runtime spec`: the starting config.json that `runc spec` also prints, with our hostname.
import Glibc

extension Spec {
    /// The default config; `rootless` turns it into one an unprivileged user can run, as
    /// `runc spec --rootless` does (user namespace mapping only the caller's ids).
    public static func defaultSpec(rootless: Bool = false) -> Spec {
        let caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        let process = Process(
            terminal: true,
            user: User(uid: 0, gid: 0),
            args: ["sh"],
            env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
            cwd: "/",
            capabilities: Capabilities(bounding: caps, effective: caps, permitted: caps),
            rlimits: [Rlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)],
            noNewPrivileges: true)

        var linux = Linux()
        var resources = Resources()
        resources.devices = [Resources.DeviceCgroup(allow: false, access: "rwm")]
        linux.resources = resources
        linux.namespaces = ["pid", "network", "ipc", "uts", "mount", "cgroup"].map { Namespace(type: $0) }
        linux.maskedPaths = [
            "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
        ]
        linux.readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

        var spec = Spec(ociVersion: specVersion, process: process, root: Root(path: "rootfs", readonly: true),
                        hostname: "skiff", mounts: defaultMounts, linux: linux)
        if rootless { spec.makeRootless(uid: getuid(), gid: getgid()) }
        return spec
    }

    static let defaultMounts: [Mount] = [
        Mount(destination: "/proc", type: "proc", source: "proc"),
        Mount(destination: "/dev", type: "tmpfs", source: "tmpfs",
              options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
              options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        Mount(destination: "/dev/shm", type: "tmpfs", source: "shm",
              options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
        Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
              options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
    ]

    /// What an unprivileged user cannot have: a network namespace with no way to configure it, a
    /// cgroup namespace and cgroup limits (no delegated cgroup), a fresh sysfs (needs a network
    /// namespace it owns), and ids other than its own (uid=/gid= mount options).
    mutating func makeRootless(uid: UInt32, gid: UInt32) {
        var linux = self.linux ?? Linux()
        linux.namespaces = (linux.namespaces ?? []).filter { !["network", "cgroup", "user"].contains($0.type) }
            + [Namespace(type: "user")]
        linux.uidMappings = [IDMapping(containerID: 0, hostID: uid, size: 1)]
        linux.gidMappings = [IDMapping(containerID: 0, hostID: gid, size: 1)]
        linux.resources = nil
        self.linux = linux
        mounts = (mounts ?? []).compactMap { mount in
            switch mount.destination {
            case "/sys":
                return Mount(destination: "/sys", type: "none", source: "/sys",
                             options: ["rbind", "nosuid", "noexec", "nodev", "ro"])
            case "/sys/fs/cgroup":
                return nil   // the rbind of /sys above already brings the host's cgroup mounts
            default:
                var m = mount
                m.options = m.options?.filter { !$0.hasPrefix("uid=") && !$0.hasPrefix("gid=") }
                return m
            }
        }
    }
}
