// Runs OCI hooks: the container state on stdin, the hook's own env only, a timeout.
import CSkiffSystem
import Glibc
import OCISpec

enum HookRunner {
    /// Runs each hook in order; the first failure is thrown (callers that must only warn catch it).
    /// The state is encoded only when there is a hook to read it.
    static func run(_ hooks: [Hook]?, kind: String, state: State) throws {
        guard let hooks, !hooks.isEmpty else { return }
        let json = try encodeJSON(state)
        for (index, hook) in hooks.enumerated() {
            try run(hook, name: "hooks.\(kind)[\(index)] (\(hook.path))", state: json)
        }
    }

    static func run(_ hook: Hook, name: String, state: [UInt8]) throws {
        var input: [Int32] = [0, 0]
        try checkNeg(sk_pipe2(&input, O_CLOEXEC), "\(name): pipe")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        let argv = hook.args?.isEmpty == false ? hook.args! : [hook.path]
        var pid: pid_t = 0
        let spawned = withCStrings(argv) { cargv in
            withCStrings(hook.env ?? []) { cenv in posix_spawn(&pid, hook.path, &actions, nil, cargv, cenv) }
        }
        close(input[0])
        if spawned != 0 {
            close(input[1])
            throw RuntimeError.system("\(name): exec", errno: spawned)
        }
        // A hook that exits without reading its stdin must not kill us: SIGPIPE is ignored for
        // the write (and only for it: an ignored signal would stay ignored in the container
        // process across execve), and EPIPE is not an error.
        var ignore = sigaction(), previous = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        sigaction(SIGPIPE, &ignore, &previous)
        _ = try? FileIO.writeAll(fd: input[1], state, what: "\(name) stdin")
        sigaction(SIGPIPE, &previous, nil)
        close(input[1])
        let status = try wait(pid, timeout: hook.timeout, name: name)
        if status != 0 { throw RuntimeError("\(name): \(describeWaitStatus(status))") }
    }

    private static func wait(_ pid: pid_t, timeout: Int?, name: String) throws -> Int32 {
        if let timeout, timeout > 0 {
            let pidfd = sk_pidfd_open(pid)
            if pidfd >= 0 {
                defer { close(pidfd) }
                var pfd = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
                if poll(&pfd, 1, Int32(timeout) * 1000) == 0 {
                    kill(pid, SIGKILL)
                    var status: Int32 = 0
                    _ = waitpid(pid, &status, 0)
                    throw RuntimeError("\(name): timed out after \(timeout)s")
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw RuntimeError.system("\(name): wait") }
        }
        return status
    }
}

/// Runs a program with our stdio and no other fd (ours are close-on-exec) and returns its wait status.
func spawnAndWait(_ argv: [String]) throws -> Int32 {
    var pid: pid_t = 0
    let spawned = withCStrings(argv) { posix_spawn(&pid, argv[0], nil, nil, $0, environ) }
    if spawned != 0 { throw RuntimeError.system("exec \(argv[0])", errno: spawned) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status
}

/// "exit status 3" or "killed by signal 9" for a waitpid status.
func describeWaitStatus(_ status: Int32) -> String {
    let signal = status & 0x7f
    if signal == 0 { return "exit status \((status >> 8) & 0xff)" }
    return "killed by signal \(signal)"
}

/// The shell convention: the exit code, or 128 + signal.
func exitCode(ofWaitStatus status: Int32) -> Int32 {
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
}

/// A NULL-terminated C string array valid during `body`.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
