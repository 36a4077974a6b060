// Attach: joins a running container's stdio through its monitor; returns a URL on the
// streaming server, connected when a client opens it.
import CRIAPI
import ImageStore
import CRIStreaming

extension NodeRuntime {
    public func attach(_ request: AttachRequest) async throws -> AttachResponse {
        let record = try container(request.containerId)
        guard record.state == .running else {
            throw CRIError.failedPrecondition("container \(record.id) is \(record.state.protoName), not running")
        }
        if request.tty && !record.config.tty {
            throw CRIError.invalidArgument("container \(record.id) has no terminal (config.tty is false): attach without tty")
        }
        if request.stdin && !record.config.stdin {
            throw CRIError.invalidArgument("container \(record.id) was created without stdin (config.stdin is false): attach cannot write to it")
        }
        // A terminal has one output stream: stderr is just not asked for separately.
        let options = try Self.streamOptions(stdin: request.stdin, stdout: request.stdout,
                                             stderr: request.stderr && !record.config.tty, tty: record.config.tty)
        let id = record.id
        let session = AttachSession(options: options) { [self] in
            let record = try container(id)
            guard record.state == .running else {
                throw CRIError.failedPrecondition("container \(id) is \(record.state.protoName), not running")
            }
            let directory = monitorDirectory(id)
            return try await Blocking.run { try MonitorAttachment(directory: directory, terminal: record.config.tty) }
        }
        return AttachResponse(url: try registerStream(.attach(session)))
    }
}
