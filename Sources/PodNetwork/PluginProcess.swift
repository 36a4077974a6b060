// One run of a plugin executable: posix_spawn (never Foundation.Process, whose exit detection
// is fooled by daemons that keep its pipe open), stdin already filled, stdout and stderr read as
// they come, a pidfd for the exit, SIGKILL at the deadline.
import CSkiffSystem
import Glibc

struct FinishedPlugin {
    var exitedZero: Bool
    /// "exit status 1" or "killed by signal 9".
    var status: String
    var stdout: [UInt8]
    var stderr: [UInt8]
}

enum PluginProcess {
    enum Failure: Error, CustomStringConvertible {
        case timedOut
        case system(String)
        var description: String {
            switch self {
            case .timedOut: "timed out"
            case .system(let message): message
            }
        }
    }

    /// Output past these sizes is dropped: a result is a few KB, stderr is for error messages.
    static let stdoutLimit = 4 << 20
    static let stderrLimit = 64 << 10

    static func run(path: String, environment: [String], stdin: [UInt8], timeout: Duration,
                    networkNamespace: String?) throws -> FinishedPlugin {
        let input = try filledPipe(stdin)
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        defer { [input, stdoutPipe[0], stdoutPipe[1], stderrPipe[0], stderrPipe[1]].filter { $0 >= 0 }.forEach { close($0) } }
        for (index, name) in [(0, "stdout"), (1, "stderr")] {
            var fds: [Int32] = [-1, -1]
            if sk_pipe2(&fds, O_CLOEXEC) < 0 { throw Failure.system("pipe for the plugin's \(name): \(errnoText())") }
            if index == 0 { stdoutPipe = fds } else { stderrPipe = fds }
        }

        let pid = try spawn(path: path, environment: environment, stdin: input, stdout: stdoutPipe[1],
                            stderr: stderrPipe[1], networkNamespace: networkNamespace)
        close(stdoutPipe[1]); stdoutPipe[1] = -1
        close(stderrPipe[1]); stderrPipe[1] = -1

        let pidfd = sk_pidfd_open(pid)
        if pidfd < 0 {
            kill(pid, SIGKILL)
            _ = reap(pid)
            throw Failure.system("pidfd_open for the plugin: \(errnoText(-pidfd))")
        }
        defer { close(pidfd) }

        var stdout = OutputCollector(fd: stdoutPipe[0], limit: stdoutLimit)
        var stderr = OutputCollector(fd: stderrPipe[0], limit: stderrLimit)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero {
                kill(pid, SIGKILL)
                _ = reap(pid)
                throw Failure.timedOut
            }
            var fds = [pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)]
            for collector in [stdout, stderr] where collector.isOpen {
                fds.append(pollfd(fd: collector.fd, events: Int16(POLLIN), revents: 0))
            }
            // Wake at least once a second; +1 so that a sub-millisecond rest does not spin.
            let milliseconds = min(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1, 1000)
            if poll(&fds, nfds_t(fds.count), Int32(milliseconds)) < 0 && errno != EINTR {
                throw Failure.system("poll the plugin: \(errnoText())")
            }
            stdout.readAvailable()
            stderr.readAvailable()
            if fds[0].revents != 0 { break }
        }
        // It exited: what it wrote is in the pipes (a child it left behind may hold them open,
        // so do not wait for their end).
        stdout.readAvailable()
        stderr.readAvailable()
        let status = reap(pid)
        guard let status else { throw Failure.system("wait for the plugin: \(errnoText())") }
        return FinishedPlugin(exitedZero: status == 0, status: describe(waitStatus: status),
                              stdout: stdout.bytes, stderr: stderr.bytes)
    }

    /// A pipe's read end holding all of `bytes`, the write end already closed: the plugin reads
    /// its config and then EOF, and we never write to a pipe whose reader may be gone (SIGPIPE).
    private static func filledPipe(_ bytes: [UInt8]) throws -> Int32 {
        var fds: [Int32] = [-1, -1]
        if sk_pipe2(&fds, O_CLOEXEC) < 0 { throw Failure.system("pipe for the plugin's stdin: \(errnoText())") }
        defer { close(fds[1]) }
        // A pipe holds 64 KiB; configs with a prevResult are a few KB, but grow it if needed.
        if bytes.count > 65536 && fcntl(fds[1], 1031 /* F_SETPIPE_SZ */, Int32(bytes.count)) < 0 {
            close(fds[0])
            throw Failure.system("the plugin's config (\(bytes.count) bytes) does not fit in a pipe: \(errnoText())")
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                close(fds[0])
                throw Failure.system("write the plugin's config: \(errnoText())")
            }
            offset += written
        }
        return fds[0]
    }

    private static func spawn(path: String, environment: [String], stdin: Int32, stdout: Int32, stderr: Int32,
                              networkNamespace: String?) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        sk_spawn_addclosefrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // No blocked signals and SIGPIPE at its default, whatever the daemon set for itself.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var pipeOnly = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &pipeOnly)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = [strdup(path)] + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawnHere = { posix_spawn(&pid, path, &actions, &attributes, argv, envp) }
        let rc: Int32
        if let networkNamespace {
            // The child starts in the namespace of the thread that spawns it.
            let namespaceFD = try NetworkNamespace(path: networkNamespace).open()
            defer { close(namespaceFD) }
            rc = try NamespaceThread.run(in: .namespace(fd: namespaceFD), spawnHere)
        } else {
            rc = spawnHere()
        }
        if rc != 0 { throw Failure.system("start \(path): \(errnoText(rc))") }
        return pid
    }

    /// The raw wait status, or nil when it cannot be had.
    private static func reap(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return nil }
        }
        return status
    }

    private static func describe(waitStatus status: Int32) -> String {
        let signal = status & 0x7f
        return signal == 0 ? "exit status \((status >> 8) & 0xff)" : "killed by signal \(signal)"
    }

    private static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
}

/// Reads a non-blocking pipe as data comes, keeping up to `limit` bytes.
private struct OutputCollector {
    let fd: Int32
    let limit: Int
    var bytes: [UInt8] = []
    var isOpen = true

    init(fd: Int32, limit: Int) {
        self.fd = fd
        self.limit = limit
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    mutating func readAvailable() {
        guard isOpen else { return }
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: buffer[..<min(count, max(0, limit - bytes.count))])
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count == 0 || errno != EAGAIN { isOpen = false }
            return
        }
    }
}
