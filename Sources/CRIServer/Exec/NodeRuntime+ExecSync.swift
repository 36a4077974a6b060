// ExecSync: a command run in a running container through the runtime's `exec`, its output
// collected, its exit code returned, killed at the deadline.
import CRIAPI
import Foundation
import OCISpec
import RuntimeCore

extension NodeRuntime {
    public func execSync(_ request: ExecSyncRequest) async throws -> ExecSyncResponse {
        let record = try container(request.containerId)
        guard record.state == .running else {
            throw CRIError.failedPrecondition("container \(record.id) is \(record.state.protoName), not running")
        }
        guard !request.cmd.isEmpty else { throw CRIError.invalidArgument("exec: cmd is empty") }
        let processFile = try writeExecProcess(record, args: request.cmd, terminal: false)
        defer { unlink(processFile) }
        let runtime = try runtime(record.runtimeHandler)
        let timeout: Duration = request.timeout > 0 ? .seconds(request.timeout) : .seconds(24 * 3600)
        let result: ProcessResult
        do {
            result = try await ProcessCall.run(runtime.path, ["--root", runtime.root, "exec", "--process", processFile, record.id],
                                               timeout: timeout)
        } catch let e as CRIError where e.code == .deadlineExceeded {
            throw CRIError.deadlineExceeded("exec in \(record.id): command timed out after \(request.timeout)s")
        }
        var response = ExecSyncResponse()
        response.stdout = Data(result.stdout)
        response.stderr = Data(result.stderr)
        response.exitCode = result.status
        return response
    }

    /// The container's own process settings (user, env, cwd, capabilities...) with new args,
    /// written for `exec --process`.
    func writeExecProcess(_ record: ContainerRecord, args: [String], terminal: Bool) throws -> String {
        let spec: Spec
        do { spec = try JSONDecoder().decode(Spec.self, from: Data(try FileIO.read(bundle(record.id) + "/config.json"))) } catch {
            throw CRIError.internal("container \(record.id): its config.json cannot be read: \(error)")
        }
        guard var process = spec.process else { throw CRIError.internal("container \(record.id): config.json has no process") }
        process.args = args
        process.terminal = terminal
        process.consoleSize = nil
        let path = monitorDirectory(record.id) + "/exec-\(Self.newID().prefix(12)).json"
        let encoder = JSONEncoder()
        try FileIO.writeAtomically(path, [UInt8](try encoder.encode(process)))
        return path
    }
}
