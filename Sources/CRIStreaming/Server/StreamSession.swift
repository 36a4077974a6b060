// What a streaming URL stands for: the request the daemon accepted (Exec, Attach, PortForward)
// and the backend that does the real work once a client connects. The library speaks the
// protocol; the daemon plugs in processes, monitors and sockets.

/// Which streams a client asked for (CRI's ExecRequest/AttachRequest fields).
public struct StreamOptions: Sendable, Equatable {
    public var stdin: Bool
    public var stdout: Bool
    public var stderr: Bool
    public var tty: Bool

    public init(stdin: Bool = false, stdout: Bool = true, stderr: Bool = true, tty: Bool = false) {
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.tty = tty
    }
}

public enum StreamSession: Sendable {
    case exec(ExecSession)
    case attach(AttachSession)
    case portForward(PortForwardSession)

    /// The URL path segment: /exec/<token>, /attach/<token>, /portforward/<token>.
    public var kind: String {
        switch self {
        case .exec: return "exec"
        case .attach: return "attach"
        case .portForward: return "portforward"
        }
    }
}

/// A command to run once the client is connected.
public struct ExecSession: Sendable {
    public var options: StreamOptions
    /// Starts the command; its error is reported to the client on the error channel.
    public var start: @Sendable () async throws -> ExecProcess

    public init(options: StreamOptions, start: @escaping @Sendable () async throws -> ExecProcess) {
        self.options = options
        self.start = start
    }
}

/// A running container's streams to join.
public struct AttachSession: Sendable {
    public var options: StreamOptions
    public var connect: @Sendable () async throws -> any AttachedContainer

    public init(options: StreamOptions, connect: @escaping @Sendable () async throws -> any AttachedContainer) {
        self.options = options
        self.connect = connect
    }
}

/// A pod whose ports to reach.
public struct PortForwardSession: Sendable {
    /// Used when the URL names no port (CRI's PortForwardRequest.port).
    public var defaultPorts: [UInt16]
    /// A connected stream socket (SOCK_STREAM, ours to close) to the port inside the pod.
    public var connect: @Sendable (UInt16) async throws -> Int32

    public init(defaultPorts: [UInt16] = [], connect: @escaping @Sendable (UInt16) async throws -> Int32) {
        self.defaultPorts = defaultPorts
        self.connect = connect
    }
}

/// A container's output as it is printed and a way to its stdin (a monitor's attach socket).
public protocol AttachedContainer: Sendable {
    /// The next chunk of output and its channel (stdout or stderr); nil once the container has
    /// exited or `close` was called.
    func read() async throws -> (channel: StreamChannel, bytes: [UInt8])?
    func write(_ bytes: [UInt8]) async throws
    /// Ends this client's input (with stdinOnce the container's stdin closes).
    func closeStdin() async throws
    func resize(_ size: TerminalSize) async throws
    /// Disconnects; a pending `read` returns nil. The container keeps running.
    func close()
}
