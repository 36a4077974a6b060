// Exec (CRI's streaming one, not ExecSync): checks the request, and returns a URL on the
// streaming server; the command starts when a client opens it (RuntimeExec).
import CRIAPI
import CRIStreaming

extension NodeRuntime {
    public func exec(_ request: ExecRequest) async throws -> ExecResponse {
        let record = try container(request.containerId)
        guard record.state == .running else {
            throw CRIError.failedPrecondition("container \(record.id) is \(record.state.protoName), not running")
        }
        guard !request.cmd.isEmpty else { throw CRIError.invalidArgument("exec: cmd is empty") }
        let options = try Self.streamOptions(stdin: request.stdin, stdout: request.stdout, stderr: request.stderr, tty: request.tty)
        let id = record.id
        let cmd = request.cmd
        let session = ExecSession(options: options) { [self] in
            let record = try container(id)
            guard record.state == .running else {
                throw CRIError.failedPrecondition("container \(id) is \(record.state.protoName), not running")
            }
            let processFile = try writeExecProcess(record, args: cmd, terminal: options.tty)
            return try await RuntimeExec.start(runtime: try runtime(record.runtimeHandler), id: id, processFile: processFile,
                                               scratch: monitorDirectory(id), options: options)
        }
        return ExecResponse(url: try registerStream(.exec(session)))
    }

    /// CRI's rules for the streams of Exec and Attach.
    static func streamOptions(stdin: Bool, stdout: Bool, stderr: Bool, tty: Bool) throws -> StreamOptions {
        guard stdin || stdout || stderr else {
            throw CRIError.invalidArgument("one of stdin, stdout and stderr must be requested")
        }
        if tty && stderr {
            throw CRIError.invalidArgument("tty and stderr cannot both be true (a terminal has one output stream)")
        }
        return StreamOptions(stdin: stdin, stdout: stdout, stderr: stderr, tty: tty)
    }

    /// A URL for `session` on the daemon's streaming server.
    func registerStream(_ session: StreamSession) throws -> String {
        guard let server = lock.withLock({ streamingServer }) else {
            throw CRIError.unavailable("the streaming server is not running")
        }
        do { return try server.register(session) } catch {
            throw CRIError(.resourceExhausted, "\(error)")
        }
    }
}
