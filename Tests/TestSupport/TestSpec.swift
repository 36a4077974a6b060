// The container config tests start from: runc's `spec` default, without a terminal.
import OCISpec

public enum TestSpec {
    public static func busybox(args: [String]) -> Spec {
        var process = Process(terminal: false, args: args,
                              env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"])
        process.rlimits = [Rlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)]
        process.noNewPrivileges = true
        let caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        process.capabilities = Capabilities(bounding: caps, effective: caps, permitted: caps)
        var linux = Linux()
        linux.namespaces = ["pid", "network", "ipc", "uts", "mount", "cgroup"].map { Namespace(type: $0) }
        linux.maskedPaths = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                             "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"]
        linux.readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
        var resources = Resources()
        resources.devices = [Resources.DeviceCgroup(allow: false, access: "rwm")]
        linux.resources = resources
        return Spec(ociVersion: "1.0.2", process: process, root: Root(path: "rootfs", readonly: false), hostname: "skiff",
                    mounts: [
                        Mount(destination: "/proc", type: "proc", source: "proc"),
                        Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
                        Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
                              options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
                        Mount(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
                        Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
                        Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
                        Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
                    ],
                    linux: linux)
    }
}
