// Helpers for the cgroup tests that use the real kernel: child processes spawned with
// posix_spawn (and always killed and reaped), unique cgroup names, /proc readers.
import Foundation
import Glibc
import OCISpec
import XCTest
@testable import RuntimeCore

/// A child process for a test. It is SIGKILLed and reaped by `stop()`, which tests register as
/// a teardown block, so none outlives its test.
final class TestChild {
    let pid: pid_t
    private var stdinWriteFD: Int32 = -1
    private var reaped = false
    private(set) var status: Int32 = 0

    /// Runs `argv` (absolute path first). With `gated`, its stdin is a pipe: a shell script can
    /// `read` to wait until the test has put it into a cgroup and calls `release()`.
    init(_ argv: [String], gated: Bool = false) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var fds: [Int32] = [-1, -1]
        if gated {
            guard pipe(&fds) == 0 else { throw RuntimeError.system("pipe") }
            posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
            posix_spawn_file_actions_addclose(&actions, fds[1])
        }
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var env: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let r = posix_spawn(&pid, argv[0], &actions, nil, &cargs, &env)
        if gated { close(fds[0]) }
        guard r == 0 else {
            if gated { close(fds[1]) }
            throw RuntimeError.system("posix_spawn \(argv[0])", errno: r)
        }
        self.pid = pid
        self.stdinWriteFD = gated ? fds[1] : -1
    }

    static func sleeper() throws -> TestChild { try TestChild(["/bin/sleep", "1000"]) }
    /// Burns CPU until killed.
    static func spinner() throws -> TestChild { try TestChild(["/bin/sh", "-c", "while :; do :; done"]) }
    /// Waits for `release()`, then allocates some memory (charged to its cgroup by then, unlike
    /// pages touched before joining) and burns CPU until killed.
    static func gatedSpinner() throws -> TestChild {
        try gatedShell("s=$(printf '%0200000d' 0); while :; do :; done")
    }
    /// Waits for `release()`, then runs `script`.
    static func gatedShell(_ script: String) throws -> TestChild {
        try TestChild(["/bin/sh", "-c", "read go; " + script], gated: true)
    }

    func release() {
        guard stdinWriteFD >= 0 else { return }
        _ = "go\n".withCString { Glibc.write(stdinWriteFD, $0, 3) }
        close(stdinWriteFD)
        stdinWriteFD = -1
    }

    /// Waits up to `timeoutMs` for the exit; a child still running then is SIGKILLed, so a
    /// broken driver fails the test instead of hanging the suite. Returns the raw wait status.
    @discardableResult
    func wait(timeoutMs: Int = 5000) -> Int32 {
        var waited = 0
        while !reaped {
            var st: Int32 = 0
            let r = waitpid(pid, &st, WNOHANG)
            if r == pid { status = st; reaped = true; break }
            if r < 0 && errno != EINTR { reaped = true; break }
            if waited >= timeoutMs {
                XCTFail("child \(pid) still running after \(timeoutMs) ms; killing it")
                kill(pid, SIGKILL)
                waited = Int.min / 2  // from now on wait for the kill without limit
            }
            usleep(2000)
            waited += 2
        }
        return status
    }

    /// The exit code, or nil when a signal ended it (or it had to be killed).
    var exitCode: Int32? { let s = wait(); return (s & 0x7F) == 0 ? (s >> 8) & 0xFF : nil }
    var termSignal: Int32? { let s = wait(); return (s & 0x7F) != 0 ? s & 0x7F : nil }

    func stop() {
        release()
        if !reaped { kill(pid, SIGKILL); wait(timeoutMs: 60_000) }
    }

    /// utime + stime in clock ticks, from /proc/<pid>/stat.
    var cpuTicks: UInt64 {
        let fields = procStatFields
        guard fields.count > 14 else { return 0 }
        return (UInt64(fields[13]) ?? 0) + (UInt64(fields[14]) ?? 0)
    }

    /// The one-letter state ("R", "S", "D", "T").
    var state: String { let f = procStatFields; return f.count > 2 ? f[2] : "?" }

    private var procStatFields: [String] {
        guard let text = FileIO.readIfExists("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return [] }
        // The command name is in parentheses and may contain spaces; fields 3... follow it.
        return ["pid", "comm"] + text[text.index(after: close)...].split(separator: " ").map(String.init)
    }

    /// /proc/<pid>/cgroup as hierarchy key ("memory", "cpu,cpuacct", "name=systemd", "") -> path.
    var cgroups: [String: String] {
        var out: [String: String] = [:]
        for line in (FileIO.readIfExists("/proc/\(pid)/cgroup") ?? "").split(separator: "\n") {
            let f = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            if f.count == 3 { out[String(f[1])] = String(f[2]) }
        }
        return out
    }
}

enum CgroupTestSupport {
    static func uniqueName(_ tag: String) -> String {
        "skiff-test-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    static var isRoot: Bool { geteuid() == 0 }

    /// Milliseconds of sleep without Foundation.
    static func sleep(ms: Int) { usleep(useconds_t(ms * 1000)) }

    /// Removes a test's cgroup trees, children first, ignoring what is already gone. Written
    /// here rather than with the driver's code, so a broken driver cannot leak test cgroups.
    static func removeDirs(_ dirs: [String]) {
        for dir in dirs {
            for name in FileIO.list(dir) where FileIO.isDirectory(dir + "/" + name) { removeDirs([dir + "/" + name]) }
            for _ in 0..<100 where rmdir(dir) != 0 && errno == EBUSY { usleep(10_000) }
        }
    }

    static func read(_ path: String) -> String {
        CgroupFiles.trim(FileIO.readIfExists(path) ?? "<missing \(path)>")
    }

    /// The devices.list lines v1 shows for a rule list, after the driver adds runc's defaults.
    static func expectedDevicesList(_ rules: [Resources.DeviceCgroup], nodes: [Device] = []) throws -> Set<String> {
        Set(try DeviceRuleSet(oci: DeviceRules.effective(rules, devices: nodes)).sortedExceptions.map { "\($0.match.text) \($0.access)" })
    }

    /// Resources from linux.resources JSON (several OCI types have no public memberwise init).
    static func resources(_ json: String) throws -> Resources {
        try JSONDecoder().decode(Resources.self, from: Data(json.utf8))
    }
}
