// Starting a container's monitor (skiff-monitor, see its main.c for the protocol): spawn it with
// a sync pipe, reap the process we spawned (the monitor itself forks away into its own
// session), and wait for its report: the created container's pid, or the error text.
import CSkiffSystem
import Glibc

public struct MonitorLaunch: Sendable {
    /// The skiff-monitor executable.
    public var monitor: String
    public var containerID: String
    public var bundle: String
    /// The OCI runtime, and its --root.
    public var runtime: String
    public var runtimeRoot: String?
    /// The CRI log, the exit file and the container's pid file.
    public var logPath: String
    public var exitFile: String
    public var pidFile: String
    public var attachSocket: String
    public var controlSocket: String
    /// The container has a terminal (process.terminal in its config): the monitor receives it
    /// and everything is logged as stdout.
    public var terminal = false
    /// Keep stdin open for attach clients; with `stdinOnce`, close it when the first ends.
    public var stdin = false
    public var stdinOnce = false
    /// Where the monitor's own diagnostics go (default: nowhere).
    public var monitorLog: String?
    /// How long to wait for the report (the monitor gives the runtime 60 s).
    public var timeout: Duration = .seconds(90)

    public init(monitor: String, containerID: String, bundle: String, runtime: String, logPath: String,
                exitFile: String, pidFile: String, attachSocket: String, controlSocket: String) {
        self.monitor = monitor
        self.containerID = containerID
        self.bundle = bundle
        self.runtime = runtime
        self.logPath = logPath
        self.exitFile = exitFile
        self.pidFile = pidFile
        self.attachSocket = attachSocket
        self.controlSocket = controlSocket
    }

    public struct Created: Sendable, Equatable {
        /// The container's process, waiting for `<runtime> start`.
        public var containerPID: Int32
        /// The monitor, which lives until the container has exited (then the exit file exists).
        public var monitorPID: Int32
    }

    /// The sync pipe's write end in the monitor.
    static let syncFD: Int32 = 3

    /// The monitor's command line (without the executable).
    public var arguments: [String] {
        var a = ["--id", containerID, "--bundle", bundle, "--runtime", runtime]
        if let runtimeRoot { a += ["--runtime-root", runtimeRoot] }
        a += ["--log-path", logPath, "--exit-file", exitFile, "--pid-file", pidFile,
              "--attach-socket", attachSocket, "--control-socket", controlSocket, "--sync-fd", String(Self.syncFD)]
        if terminal { a.append("--terminal") }
        if stdin { a.append("--stdin") }
        if stdinOnce { a.append("--stdin-once") }
        return a
    }

    /// Starts the monitor and waits until the container is created; then start it with
    /// `<runtime> start <id>`. Throws with the monitor's (often the runtime's) error text;
    /// the monitor has then exited and removed what it made.
    ///
    /// The monitor is re-parented to the nearest child subreaper: a daemon that is one
    /// (PR_SET_CHILD_SUBREAPER) gets it as a child and must reap it when it exits (its exit
    /// follows the exit file). A daemon started again later finds it by its sockets.
    public func launch() throws -> Created {
        var pipe: [Int32] = [-1, -1]
        guard sk_pipe2(&pipe, O_CLOEXEC) == 0 else { throw MonitorError.system("pipe") }
        let reader = pipe[0]
        var writer = pipe[1]
        defer { close(reader) }
        // dup2 onto itself would keep close-on-exec set: the write end must not be fd 3 already.
        if writer == Self.syncFD {
            writer = fcntl(pipe[1], F_DUPFD_CLOEXEC, Self.syncFD + 1)
            close(pipe[1])
        }
        let spawned: pid_t
        do {
            defer { close(writer) }
            spawned = try spawn(syncWriter: writer)
        }
        let report = try readReport(reader)
        var status: Int32 = 0
        while waitpid(spawned, &status, 0) < 0 && errno == EINTR {}
        return try parse(report, spawnStatus: status)
    }

    private func spawn(syncWriter: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, monitorLog ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o640)
        posix_spawn_file_actions_adddup2(&actions, syncWriter, Self.syncFD)
        // Nothing else of the daemon's may live on in the monitor and the container.
        sk_spawn_addclosefrom(&actions, Self.syncFD + 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGCHLD, SIGTERM, SIGINT, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([monitor] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, monitor, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw MonitorError.system("run the monitor \(monitor)", rc) }
        return pid
    }

    /// Everything the monitor wrote on the sync pipe, up to its end (it closes the pipe once
    /// it has reported, or dies).
    private func readReport(_ fd: Int32) throws -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + timeout
        while true {
            guard try UnixSocket.waitReadable(fd, timeout: ContinuousClock.now.duration(to: deadline)) else {
                throw MonitorError("the monitor for \(containerID) did not report within \(timeout)")
            }
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw MonitorError.system("read the monitor's report") }
            if n == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes += chunk[0..<n]
        }
    }

    private func parse(_ report: String, spawnStatus: Int32) throws -> Created {
        if report.hasPrefix("created ") {
            let fields = report.dropFirst(8).split(whereSeparator: { $0 == " " || $0 == "\n" })
            if fields.count == 2, let container = Int32(fields[0]), let monitor = Int32(fields[1]) {
                return Created(containerPID: container, monitorPID: monitor)
            }
        }
        if report.hasPrefix("error ") {
            throw MonitorError("create container \(containerID): \(report.dropFirst(6))")
        }
        if report.isEmpty {
            let signal = spawnStatus & 0x7f
            let how = signal == 0 ? "exit status \((spawnStatus >> 8) & 0xff)" : "signal \(signal)"
            throw MonitorError("the monitor for \(containerID) ended without a report (\(how))")
        }
        throw MonitorError("the monitor for \(containerID) reported \(report.prefix(200))")
    }
}
