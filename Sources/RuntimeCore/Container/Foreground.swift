// `run` and `exec` without --detach: the runtime stays, forwards the signals it gets to the
// container's process, relays the terminal if it holds one, and returns the exit status.
import CSkiffSystem
import Glibc

/// Signals the runtime forwards rather than acts on. Blocked before forking, so that none is
/// lost while the child starts; the child unblocks them before execve.
public enum Foreground {
    static let forwarded: [Int32] = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGCONT, SIGTSTP,
                                     SIGTTIN, SIGTTOU, SIGALRM, SIGPWR, SIGVTALRM, SIGPROF, SIGWINCH, SIGCHLD, SIGPIPE]

    /// Blocks the signals and returns a signalfd for them. Call before create/exec.
    public static func blockSignals() throws -> Int32 {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in forwarded { sigaddset(&set, signal) }
        sigprocmask(SIG_BLOCK, &set, nil)
        return try checkNeg(sk_signalfd(&set), "signalfd")
    }

    /// Waits for `pid` (our child), forwarding signals and relaying `terminal` (a pty master) to
    /// our stdio. Returns the exit code as a shell reports it.
    public static func wait(pid: Int32, signalFD: Int32, terminal: Int32?) -> Int32 {
        let raw = terminal != nil ? RawTerminal(fd: 0) : nil
        defer { raw?.restore() }
        if let terminal { resize(terminal) }
        var stdinOpen = terminal != nil
        var exited: Int32? = nil
        while true {
            if let code = exited {
                if let terminal { drain(terminal) }
                return code
            }
            var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)]
            if let terminal {
                fds.append(pollfd(fd: terminal, events: Int16(POLLIN), revents: 0))
                if stdinOpen { fds.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0)) }
            }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue }; return 255 }
            if fds[0].revents & Int16(POLLIN) != 0 {
                let signal = sk_signalfd_read(signalFD)
                switch signal {
                case SIGCHLD:
                    var status: Int32 = 0
                    while true {
                        let reaped = waitpid(-1, &status, WNOHANG)
                        if reaped <= 0 { break }
                        if reaped == pid { exited = exitCode(ofWaitStatus: status) }
                    }
                case SIGWINCH:
                    if let terminal { resize(terminal) }
                case SIGPIPE:
                    break
                default:
                    _ = kill(pid, signal)
                }
            }
            if let terminal, fds.count > 1 {
                if fds[1].revents & Int16(POLLIN) != 0 { copy(from: terminal, to: 1) }
                if stdinOpen, fds.count > 2, fds[2].revents & Int16(POLLIN | POLLHUP) != 0 {
                    if !copy(from: 0, to: terminal) { stdinOpen = false }
                }
            }
        }
    }

    @discardableResult
    private static func copy(from source: Int32, to target: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 32768)
        let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
        if n <= 0 { return false }
        _ = try? FileIO.writeAll(fd: target, Array(buffer[0..<n]), what: "terminal")
        return true
    }

    /// What the process wrote just before exiting is still in the pty.
    private static func drain(_ terminal: Int32) {
        var pfd = pollfd(fd: terminal, events: Int16(POLLIN), revents: 0)
        while poll(&pfd, 1, 0) > 0 && pfd.revents & Int16(POLLIN) != 0 && copy(from: terminal, to: 1) {}
    }

    private static func resize(_ terminal: Int32) {
        var rows: UInt16 = 0, cols: UInt16 = 0
        if sk_get_winsize(0, &rows, &cols) == 0 { _ = sk_set_winsize(terminal, rows, cols) }
    }
}

/// Puts our own terminal in raw mode while a container's terminal is relayed through it.
struct RawTerminal {
    let fd: Int32
    var saved = termios()
    let active: Bool

    init?(fd: Int32) {
        guard isatty(fd) == 1 else { return nil }
        self.fd = fd
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var raw = saved
        cfmakeraw(&raw)
        active = tcsetattr(fd, TCSANOW, &raw) == 0
    }

    func restore() {
        var saved = self.saved
        if active { tcsetattr(fd, TCSANOW, &saved) }
    }
}
