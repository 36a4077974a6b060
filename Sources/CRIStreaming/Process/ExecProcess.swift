// A started command as an exec stream drives it: its stdio descriptors (pipes or a terminal),
// a way to resize its terminal, its exit code, and a way to kill it when the client leaves.

public struct ExecProcess: Sendable {
    public enum Stdio: Sendable {
        /// Our ends of the command's pipes: stdin's write end, stdout's and stderr's read ends
        /// (nil where the command has none, e.g. /dev/null).
        case pipes(stdin: Int32?, stdout: Int32?, stderr: Int32?)
        /// The master of the command's terminal: its input and its output (stdout and stderr).
        case terminal(master: Int32)
    }

    /// The stream owns these from now on and closes them.
    public var stdio: Stdio
    /// The command's exit code (128 + signal when killed), once it has exited.
    public var wait: @Sendable () async throws -> Int32
    /// Kills the command: the client went away before it finished.
    public var kill: @Sendable () -> Void
    /// Resizes the terminal; the default sets the master's window size.
    public var resize: @Sendable (TerminalSize) -> Void

    public init(stdio: Stdio, wait: @escaping @Sendable () async throws -> Int32,
                kill: @escaping @Sendable () -> Void, resize: (@Sendable (TerminalSize) -> Void)? = nil) {
        self.stdio = stdio
        self.wait = wait
        self.kill = kill
        if let resize {
            self.resize = resize
        } else if case .terminal(let master) = stdio {
            self.resize = { size in Pseudoterminal.setSize(master, size) }
        } else {
            self.resize = { _ in }
        }
    }
}
