// `skiffctl exec -i/-t` and `skiffctl attach`: the Exec or Attach call returns a URL on the
// daemon's streaming server, which is then opened on this process's own stdio (the terminal
// raw while a remote one is in charge); the remote exit code is skiffctl's.
import CRIAPI
import CRIStreaming

public struct InteractiveExec: Sendable {
    public var container: String
    public var command: [String]
    public var stdin: Bool
    public var tty: Bool

    public init(container: String, command: [String], stdin: Bool, tty: Bool) {
        self.container = container
        self.command = command
        self.stdin = stdin
        self.tty = tty
    }

    public func run(_ context: CtlContext) async throws -> Int32 {
        guard !command.isEmpty else { throw CtlError("exec", "name the command to run") }
        let id = try await context.containerID(container)
        var request = ExecRequest()
        request.containerId = id
        request.cmd = command
        request.stdin = stdin
        request.stdout = true
        request.stderr = !tty
        request.tty = tty
        let url = try await CtlError.during("exec in container \(id)") { try await context.runtime.exec(request).url }
        return try await CtlError.during("exec in container \(id): stream \(url)") {
            try await StreamingClient.runOnStandardStreams(url: url, stdin: stdin, tty: tty)
        }
    }
}

public struct AttachToContainer: Sendable {
    public var container: String
    public var stdin: Bool
    public var tty: Bool

    public init(container: String, stdin: Bool, tty: Bool) {
        self.container = container
        self.stdin = stdin
        self.tty = tty
    }

    public func run(_ context: CtlContext) async throws -> Int32 {
        let id = try await context.containerID(container)
        var request = AttachRequest()
        request.containerId = id
        request.stdin = stdin
        request.stdout = true
        request.stderr = !tty
        request.tty = tty
        let url = try await CtlError.during("attach to container \(id)") { try await context.runtime.attach(request).url }
        return try await CtlError.during("attach to container \(id): stream \(url)") {
            try await StreamingClient.runOnStandardStreams(url: url, stdin: stdin, tty: tty)
        }
    }
}
