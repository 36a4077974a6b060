// A podman of the test's own: storage, run and tmp dirs, config and cgroup parent all private.
import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Drives podman with `runtime` as its OCI runtime, isolated from the host's podman.
///
/// Why each setting (podman 4.3 on Debian 12, no systemd, no D-Bus, no CAP_SYS_RESOURCE):
/// - `--root`/`--runroot`: images, containers and their bolt database in a temp dir.
/// - `CONTAINERS_CONF`: when set, podman reads only this file, so the host's
///   containers.conf cannot change the test. In it:
///   - `default_ulimits` at or below the hard limits: podman's defaults raise nofile/nproc,
///     which fails without CAP_SYS_RESOURCE ("error setting rlimit type 7").
///   - `tmp_dir`: otherwise podman keeps exit files and locks in the shared /run/libpod.
///   - `network_config_dir`: otherwise network configs live in /etc/containers/networks.
/// - `--runtime <path>`: the runtime under test (podman's default here would be crun, which
///   refuses hybrid cgroups).
/// - `--cgroup-manager cgroupfs`, `--events-backend file`: no systemd or journald here. Podman
///   picks these itself on this machine; they are spelled out so nothing depends on that.
/// - `--cgroup-parent /skiff-interop-<id>` on `run`: conmon and the container land in cgroups
///   we can find and remove afterwards (podman otherwise leaves /libpod_parent behind).
/// - `--network none` on `run`: the host's network namespace stays untouched.
final class PodmanSandbox {
    static let image = "localhost/skiff-test:latest"

    let podmanPath: String
    let runtime: String
    let dir: URL
    let cgroupParent: String
    private let environment: [String: String]

    init(podman: String, runtime: String) throws {
        podmanPath = podman
        self.runtime = runtime
        let id = UUID().uuidString.prefix(8).lowercased()
        dir = URL(fileURLWithPath: "/tmp/skiff-podman-\(id)")
        cgroupParent = "/skiff-interop-\(id)"
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let conf = dir.appendingPathComponent("containers.conf")
        try """
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

            [engine]
            tmp_dir = "\(dir.path)/tmp"

            [network]
            network_config_dir = "\(dir.path)/networks"

            """.write(to: conf, atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env["CONTAINERS_CONF"] = conf.path
        environment = env
    }

    /// `podman <global flags> args...`
    func podman(_ args: String..., timeout: TimeInterval = 60) throws -> CommandResult {
        try podman(args, timeout: timeout)
    }

    /// `podman <global flags> run <isolation flags> args...`
    func run(_ args: String...) throws -> CommandResult {
        try podman(["run", "--network", "none", "--cgroup-parent", cgroupParent] + args)
    }

    private func podman(_ args: [String], timeout: TimeInterval = 60) throws -> CommandResult {
        let global = [
            "--root", dir.appendingPathComponent("root").path,
            "--runroot", dir.appendingPathComponent("runroot").path,
            "--runtime", runtime,
            "--cgroup-manager", "cgroupfs",
            "--events-backend", "file",
        ]
        return try Command.run(podmanPath, global + args, environment: environment, timeout: timeout)
    }

    /// Removes every container, then whatever podman left: processes in our cgroups, mounts
    /// under our dir, the cgroups, the dir. Each step runs even if an earlier one failed, since
    /// the runtime under test may be what broke.
    func destroy() {
        _ = try? podman("rm", "--all", "--force", "--time", "0", timeout: 30)
        killProcessesInCgroups()
        unmountAll()
        removeCgroups()
        try? FileManager.default.removeItem(at: dir)
    }

    // MARK: - Cleanup

    /// Every directory named after our cgroup parent: /sys/fs/cgroup/<parent> on cgroup v2,
    /// /sys/fs/cgroup/<controller>/<parent> on v1 and hybrid hosts.
    private func cgroupDirs() -> [String] {
        let base = "/sys/fs/cgroup"
        let hierarchies = [base] + ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [])
            .map { "\(base)/\($0)" }
        return hierarchies.map { $0 + cgroupParent }.filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// All cgroup directories at and below `root`, deepest first.
    private func subtree(_ root: String) -> [String] {
        var dirs = [root]
        if let walker = FileManager.default.enumerator(atPath: root) {
            for case let rel as String in walker {
                var isDir: ObjCBool = false
                let path = "\(root)/\(rel)"
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                    dirs.append(path)
                }
            }
        }
        return dirs.sorted { $0.count > $1.count }
    }

    /// Processes still in our cgroups were started by this test's containers: kill them by PID.
    private func killProcessesInCgroups() {
        for dir in cgroupDirs() {
            for cgroup in subtree(dir) {
                let procs = (try? String(contentsOfFile: "\(cgroup)/cgroup.procs", encoding: .utf8)) ?? ""
                for pid in procs.split(separator: "\n").compactMap({ pid_t($0) }) {
                    kill(pid, SIGKILL)
                }
            }
        }
    }

    private func removeCgroups() {
        // A killed process leaves its cgroup only once reaped: retry for a moment on EBUSY.
        for _ in 0..<50 {
            var busy = false
            for dir in cgroupDirs() {
                for cgroup in subtree(dir) where rmdir(cgroup) != 0 && errno == EBUSY {
                    busy = true
                }
            }
            if !busy { return }
            usleep(100_000)
        }
    }

    /// Overlay and shm mounts podman may leave under our dir, deepest first.
    private func unmountAll() {
        guard let info = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return }
        let prefix = dir.path + "/"
        let points = info.split(separator: "\n")
            .compactMap { line -> String? in
                let fields = line.split(separator: " ")
                return fields.count > 4 ? String(fields[4]) : nil
            }
            .filter { $0.hasPrefix(prefix) }
            .sorted { $0.count > $1.count }
        for point in points {
            umount2(point, Int32(MNT_DETACH))
        }
    }
}
