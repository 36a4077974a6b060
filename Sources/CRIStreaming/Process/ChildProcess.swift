// A program started with posix_spawn on chosen descriptors, and its exit awaited without
// blocking Swift's cooperative threads. Used for exec streams: the daemon runs the OCI
// runtime's `exec` this way, tests run sh or cat.
import CSkiffSystem
import Dispatch
import Glibc
import Synchronization

public final class ChildProcess: Sendable {
    /// Where one of the child's standard descriptors comes from.
    public enum Source: Sendable {
        /// This descriptor of ours (duplicated into place; we keep ours).
        case descriptor(Int32)
        /// /dev/null.
        case null
        /// A file opened in the child, e.g. a terminal's slave: opened after setsid, it becomes
        /// the child's controlling terminal.
        case open(path: String, flags: Int32)
        /// The same as the child's descriptor n (already set up: list stdin first).
        case sameAs(Int32)
    }

    public let pid: pid_t
    private let state = ReapState()
    private let exitCode: Task<Int32, Never>

    private final class ReapState: Sendable {
        /// Once true the pid may be reused: nothing may signal it any more.
        let reaped = Mutex(false)
    }

    /// Starts `arguments[0]` (a path) with `arguments`, stdio from `stdin`, `stdout`, `stderr`
    /// and no other descriptor. `newSession` runs it in a session of its own (setsid), as a
    /// command on a terminal must be.
    public init(_ arguments: [String], environment: [String]? = nil,
                stdin: Source, stdout: Source, stderr: Source, newSession: Bool = false) throws {
        precondition(!arguments.isEmpty, "a command needs a path")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, source) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            switch source {
            case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .open(let path, let flags): posix_spawn_file_actions_addopen(&actions, target, path, flags, 0)
            case .sameAs(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
        }
        sk_spawn_addclosefrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // No blocked signals and SIGPIPE at its default, whatever the daemon's threads have.
        var none = sigset_t()
        sigemptyset(&none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newSession { flags |= 0x80 }   // POSIX_SPAWN_SETSID (glibc 2.26+; not in Swift's Glibc)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = (environment ?? Self.currentEnvironment()).map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var spawned: pid_t = 0
        let rc = posix_spawn(&spawned, arguments[0], &actions, &attributes, argv, envp)
        guard rc == 0 else { throw StreamingError("start \(arguments[0]): \(String(cString: strerror(rc)))") }
        self.pid = spawned
        let state = self.state
        let pid = spawned
        exitCode = Task.detached {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: Self.reap(pid, state)) }
            }
        }
    }

    /// The exit code, 128 + signal when a signal ended it (as shells report it).
    public func wait() async -> Int32 { await exitCode.value }

    /// Signals the child unless it has been reaped already (its pid could be another's by then).
    public func signal(_ number: Int32) {
        state.reaped.withLock { reaped in
            if !reaped { _ = Glibc.kill(pid, number) }
        }
    }

    private static func reap(_ pid: pid_t, _ state: ReapState) -> Int32 {
        // Wait without reaping first, so that `signal` never hits a recycled pid.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        var status: Int32 = 0
        state.reaped.withLock { reaped in
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            reaped = true
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private static func currentEnvironment() -> [String] {
        var result: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            result.append(String(cString: pointer))
            entry += 1
        }
        return result
    }
}

extension ExecProcess {
    /// Runs a command on this host with pipes or a new terminal, as `options` ask: stdin and
    /// stdout/stderr a client did not ask for are /dev/null. (The daemon runs the OCI runtime's
    /// `exec` instead; this serves tests and host-side tools.)
    public static func spawn(_ arguments: [String], options: StreamOptions, environment: [String]? = nil) throws -> ExecProcess {
        if options.tty {
            let (master, slave) = try Pseudoterminal.open()
            let child: ChildProcess
            do {
                child = try ChildProcess(arguments, environment: environment,
                                         stdin: .open(path: slave, flags: O_RDWR), stdout: .sameAs(0), stderr: .sameAs(0),
                                         newSession: true)
            } catch {
                close(master)
                throw error
            }
            return ExecProcess(stdio: .terminal(master: master), wait: { await child.wait() }, kill: { child.signal(SIGKILL) })
        }
        var ours: [Int32] = []
        var theirs: [Int32] = []
        defer { theirs.forEach { close($0) } }
        func pipe(forChild readEnd: Bool) throws -> (ours: Int32, theirs: Int32) {
            var fds: [Int32] = [0, 0]
            guard sk_pipe2(&fds, O_CLOEXEC) == 0 else {
                ours.forEach { close($0) }
                throw StreamingError("pipe: \(String(cString: strerror(errno)))")
            }
            let pair = readEnd ? (ours: fds[1], theirs: fds[0]) : (ours: fds[0], theirs: fds[1])
            ours.append(pair.ours)
            theirs.append(pair.theirs)
            return pair
        }
        let stdin = options.stdin ? try pipe(forChild: true) : nil
        let stdout = options.stdout ? try pipe(forChild: false) : nil
        let stderr = options.stderr ? try pipe(forChild: false) : nil
        let child: ChildProcess
        do {
            child = try ChildProcess(arguments, environment: environment,
                                     stdin: stdin.map { .descriptor($0.theirs) } ?? .null,
                                     stdout: stdout.map { .descriptor($0.theirs) } ?? .null,
                                     stderr: stderr.map { .descriptor($0.theirs) } ?? .null)
        } catch {
            ours.forEach { close($0) }
            throw error
        }
        return ExecProcess(stdio: .pipes(stdin: stdin?.ours, stdout: stdout?.ours, stderr: stderr?.ours),
                           wait: { await child.wait() }, kill: { child.signal(SIGKILL) })
    }
}
