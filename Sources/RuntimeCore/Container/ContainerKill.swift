// `kill`: a signal to the container's process, or with --all to every process in its cgroup.
import CSkiffSystem
import Glibc
import OCISpec

extension Runtime {
    public func kill(_ id: String, signal: Int32, all: Bool) throws {
        let container = try load(id)
        let status = container.status
        guard status != .stopped || all else { throw RuntimeError("cannot kill container \(id): it is stopped") }
        if all {
            try signalAll(container, signal: signal)
        } else if Glibc.kill(container.record.pid, signal) < 0 {
            throw RuntimeError.system("kill container \(id) (pid \(container.record.pid))")
        }
    }

    /// Signals every process in the container's cgroup. Frozen meanwhile so none can fork away.
    func signalAll(_ container: Container, signal: Int32) throws {
        let cgroup = container.cgroup
        if !container.processIsInit(), (try? cgroup.processes())?.isEmpty ?? true { return }
        let wasFrozen = cgroup.isFrozen()
        let canFreeze = container.record.cgroup.driver != "none"
        if canFreeze && !wasFrozen { try? cgroup.freeze() }
        var pids = (try? cgroup.processes()) ?? []
        if pids.isEmpty && container.processIsInit() { pids = [container.record.pid] }
        for pid in pids { _ = Glibc.kill(pid, signal) }
        if canFreeze && (!wasFrozen || signal == SIGKILL) { try? cgroup.thaw() }
    }
}

/// Signal names as runc takes them: "KILL", "SIGKILL", "9", "SIGRTMIN+3".
public func parseSignal(_ text: String) throws -> Int32 {
    if let number = Int32(text), number >= 0, number <= sk_sigrtmax() { return number }   // 0: only checks it is alive
    var name = text.uppercased()
    if name.hasPrefix("SIG") { name.removeFirst(3) }
    if name.hasPrefix("RTMIN") || name.hasPrefix("RTMAX") {
        let base = name.hasPrefix("RTMIN") ? sk_sigrtmin() : sk_sigrtmax()
        let rest = name.dropFirst(5)
        let offset = rest.isEmpty ? 0 : Int32(rest) ?? Int32.max
        let value = base + offset
        if offset != Int32.max && value >= sk_sigrtmin() && value <= sk_sigrtmax() { return value }
    } else if let number = signalNumbers[name] {
        return number
    }
    throw RuntimeError("unknown signal \"\(text)\"")
}

let signalNumbers: [String: Int32] = [
    "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "ILL": SIGILL, "TRAP": SIGTRAP, "ABRT": SIGABRT, "IOT": SIGABRT,
    "BUS": SIGBUS, "FPE": SIGFPE, "KILL": SIGKILL, "USR1": SIGUSR1, "SEGV": SIGSEGV, "USR2": SIGUSR2,
    "PIPE": SIGPIPE, "ALRM": SIGALRM, "TERM": SIGTERM, "STKFLT": SIGSTKFLT, "CHLD": SIGCHLD, "CLD": SIGCHLD,
    "CONT": SIGCONT, "STOP": SIGSTOP, "TSTP": SIGTSTP, "TTIN": SIGTTIN, "TTOU": SIGTTOU, "URG": SIGURG,
    "XCPU": SIGXCPU, "XFSZ": SIGXFSZ, "VTALRM": SIGVTALRM, "PROF": SIGPROF, "WINCH": SIGWINCH, "IO": SIGIO,
    "POLL": SIGIO, "PWR": SIGPWR, "SYS": SIGSYS,
]
