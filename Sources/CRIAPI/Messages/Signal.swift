// The stop signal of a container (the CRI proto's Signal enum).

/// A container's stop signal. Cases after `runtimeDefault` keep the signals' own names, as
/// the proto does; their raw values are the proto's numbers (1…65), not the kernel's.
public enum Signal: Int32, CRIEnum {
    /// The image's STOPSIGNAL, else SIGTERM.
    case runtimeDefault = 0
    case SIGABRT = 1, SIGALRM, SIGBUS, SIGCHLD, SIGCLD, SIGCONT
    case SIGFPE, SIGHUP, SIGILL, SIGINT, SIGIO, SIGIOT
    case SIGKILL, SIGPIPE, SIGPOLL, SIGPROF, SIGPWR, SIGQUIT
    case SIGSEGV, SIGSTKFLT, SIGSTOP, SIGSYS, SIGTERM, SIGTRAP
    case SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGUSR1, SIGUSR2
    case SIGVTALRM, SIGWINCH, SIGXCPU, SIGXFSZ, SIGRTMIN, SIGRTMINPLUS1
    case SIGRTMINPLUS2, SIGRTMINPLUS3, SIGRTMINPLUS4, SIGRTMINPLUS5, SIGRTMINPLUS6, SIGRTMINPLUS7
    case SIGRTMINPLUS8, SIGRTMINPLUS9, SIGRTMINPLUS10, SIGRTMINPLUS11, SIGRTMINPLUS12, SIGRTMINPLUS13
    case SIGRTMINPLUS14, SIGRTMINPLUS15, SIGRTMAXMINUS14, SIGRTMAXMINUS13, SIGRTMAXMINUS12, SIGRTMAXMINUS11
    case SIGRTMAXMINUS10, SIGRTMAXMINUS9, SIGRTMAXMINUS8, SIGRTMAXMINUS7, SIGRTMAXMINUS6, SIGRTMAXMINUS5
    case SIGRTMAXMINUS4, SIGRTMAXMINUS3, SIGRTMAXMINUS2, SIGRTMAXMINUS1, SIGRTMAX

    public var protoName: String { Self.protoNames[Int(rawValue)] }

    /// The Linux signal name without "SIG" as `kill -l` prints it ("TERM", "RTMIN+3"), or nil
    /// for runtimeDefault.
    public var linuxName: String? {
        guard self != .runtimeDefault else { return nil }
        let name = protoName.dropFirst(3)
        for (spelled, written) in [("MINPLUS", "MIN+"), ("MAXMINUS", "MAX-")] {
            if let range = name.firstRange(of: spelled) {
                return String(name[..<range.lowerBound]) + written + String(name[range.upperBound...])
            }
        }
        return String(name)
    }

    /// By raw value.
    private static let protoNames = [
        "RUNTIME_DEFAULT", "SIGABRT", "SIGALRM", "SIGBUS", "SIGCHLD", "SIGCLD",
        "SIGCONT", "SIGFPE", "SIGHUP", "SIGILL", "SIGINT", "SIGIO",
        "SIGIOT", "SIGKILL", "SIGPIPE", "SIGPOLL", "SIGPROF", "SIGPWR",
        "SIGQUIT", "SIGSEGV", "SIGSTKFLT", "SIGSTOP", "SIGSYS", "SIGTERM",
        "SIGTRAP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGUSR1",
        "SIGUSR2", "SIGVTALRM", "SIGWINCH", "SIGXCPU", "SIGXFSZ", "SIGRTMIN",
        "SIGRTMINPLUS1", "SIGRTMINPLUS2", "SIGRTMINPLUS3", "SIGRTMINPLUS4", "SIGRTMINPLUS5", "SIGRTMINPLUS6",
        "SIGRTMINPLUS7", "SIGRTMINPLUS8", "SIGRTMINPLUS9", "SIGRTMINPLUS10", "SIGRTMINPLUS11", "SIGRTMINPLUS12",
        "SIGRTMINPLUS13", "SIGRTMINPLUS14", "SIGRTMINPLUS15", "SIGRTMAXMINUS14", "SIGRTMAXMINUS13", "SIGRTMAXMINUS12",
        "SIGRTMAXMINUS11", "SIGRTMAXMINUS10", "SIGRTMAXMINUS9", "SIGRTMAXMINUS8", "SIGRTMAXMINUS7", "SIGRTMAXMINUS6",
        "SIGRTMAXMINUS5", "SIGRTMAXMINUS4", "SIGRTMAXMINUS3", "SIGRTMAXMINUS2", "SIGRTMAXMINUS1", "SIGRTMAX",
    ]
}
