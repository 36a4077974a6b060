// Runs external programs for the interop tests: posix_spawn, output to files, a deadline.
import Foundation

#if canImport(Glibc)
import Glibc
#endif

public struct CommandResult {
    public let command: [String]
    /// The exit code, or 128 + signal number when killed by a signal (as shells report it).
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// For assertion messages: the command line, exit status and both streams.
    public var summary: String {
        "`\(command.joined(separator: " "))` exited \(status)\nstdout: \(stdout)\nstderr: \(stderr)"
    }
}

public struct CommandError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Why not Foundation.Process: on Linux it learns that a child exited from a socketpair whose
/// other end the child inherits, and so does every daemon the child leaves behind. After
/// `podman run -d` (conmon) or `runc create` (the container's init) that end stays open, and
/// `isRunning`/`waitUntilExit` report the command running until the container exits.
/// Here the child gets stdin, stdout and stderr and nothing else, and we waitpid ourselves.
public enum Command {
    /// Runs `executable` with `arguments`, waits at most `timeout` seconds (then SIGKILLs it).
    /// Output goes to files, not pipes, for the same reason: a daemon holding a pipe's write
    /// end would keep the reader from ever seeing EOF.
    public static func run(
        _ executable: String, _ arguments: [String],
        environment: [String: String]? = nil, timeout: TimeInterval = 60
    ) throws -> CommandResult {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("skiff-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outPath = scratch.appendingPathComponent("stdout").path
        let errPath = scratch.appendingPathComponent("stderr").path

        let command = [executable] + arguments
        let pid = try spawn(command, environment: environment ?? ProcessInfo.processInfo.environment,
                            stdout: outPath, stderr: errPath)
        let (status, timedOut) = wait(for: pid, timeout: timeout)
        let result = CommandResult(
            command: command, status: status,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
        if timedOut {
            throw CommandError(description: "timed out after \(Int(timeout)) s: \(result.summary)")
        }
        return result
    }

    /// Starts a program in the background (output to /dev/null, or stdout to a file); stop it
    /// with `stop`, or wait for it with `wait`.
    public static func start(_ executable: String, _ arguments: [String], stdout: String = "/dev/null",
                             stderr: String = "/dev/null") throws -> pid_t {
        try spawn([executable] + arguments, environment: ProcessInfo.processInfo.environment,
                  stdout: stdout, stderr: stderr)
    }

    /// Waits for a program `start` started; its exit status (128 + signal when killed).
    public static func wait(_ pid: pid_t, timeout: TimeInterval) -> Int32 {
        wait(for: pid, timeout: timeout).status
    }

    /// Kills and reaps a program `start` started.
    public static func stop(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// The first executable named `name` on PATH or in the sbin/bin directories (a non-login
    /// root shell may lack /usr/sbin on PATH), or nil.
    public static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func spawn(
        _ command: [String], environment: [String: String], stdout: String, stderr: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else of ours may leak into the child and the daemons it leaves behind.
        // (glibc's addclosefrom_np is _GNU_SOURCE-only and not imported; glibc ignores close
        // actions on descriptors that are already closed, such as the listing's own.)
        for fd in openDescriptors() where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Start with no blocked signals and SIGPIPE at its default, whatever the test runner set.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var pipeOnly = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        posix_spawnattr_setsigmask(&attr, &noSignals)
        posix_spawnattr_setsigdefault(&attr, &pipeOnly)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var pid: pid_t = 0
        let rc = posix_spawn(&pid, command[0], &actions, &attr, argv, envp)
        guard rc == 0 else {
            throw CommandError(description: "posix_spawn \(command[0]): \(String(cString: strerror(rc)))")
        }
        return pid
    }

    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }

    /// Reaps `pid`; after `timeout` seconds kills it (the process we started, by PID) first.
    private static func wait(for pid: pid_t, timeout: TimeInterval) -> (status: Int32, timedOut: Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        var raw: Int32 = 0
        var timedOut = false
        while true {
            let r = waitpid(pid, &raw, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { return (-1, false) }
            if !timedOut && Date() >= deadline {
                timedOut = true
                kill(pid, SIGKILL)
            }
            usleep(5_000)
        }
        // WIFEXITED/WEXITSTATUS are C macros, not imported: decode the wait status by hand.
        let signal = raw & 0x7f
        return (signal == 0 ? (raw >> 8) & 0xff : 128 + signal, timedOut)
    }
}
