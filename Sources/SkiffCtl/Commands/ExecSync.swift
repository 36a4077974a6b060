// `skiffctl exec` without a terminal or stdin: ExecSync, its output printed and its exit code
// returned (skiffctl exits with it).
import CRIAPI

public struct ExecInContainer: Sendable {
    public var container: String
    public var command: [String]
    /// Seconds the command may run (0: no limit).
    public var timeout: Int64 = 0

    public init(container: String, command: [String]) {
        self.container = container
        self.command = command
    }

    /// The command's exit code.
    public func run(_ context: CtlContext) async throws -> Int32 {
        guard !command.isEmpty else { throw CtlError("exec", "name the command to run") }
        let id = try await context.containerID(container)
        // The call itself must outlast the command's own timeout.
        let client = timeout > 0 ? context.runtime.withTimeout(max(context.runtime.timeout, .seconds(timeout + 30)))
            : context.runtime.withTimeout(.seconds(365 * 24 * 3600))
        let response = try await CtlError.during("exec in container \(id)") {
            try await client.execSync(ExecSyncRequest(containerId: id, cmd: command, timeout: timeout))
        }
        context.console.write(bytes: Array(response.stdout), to: .stdout)
        context.console.write(bytes: Array(response.stderr), to: .stderr)
        return response.exitCode
    }
}
