// `skiffctl info` (the runtime's status and conditions, with its verbose info) and `version`.
import CRIAPI

public struct ShowInfo: Sendable {
    public var output: OutputFormat = .json

    public init() {}

    public func run(_ context: CtlContext) async throws {
        let response = try await CtlError.during("runtime status") { try await context.runtime.status(StatusRequest(verbose: true)) }
        if output == .table {
            var table = TextTable(["CONDITION", "STATUS", "REASON", "MESSAGE"])
            for c in response.status.conditions {
                table.append([c.type, c.status ? "true" : "false", c.reason, c.message])
            }
            context.console.write(table.text)
            return
        }
        let extra: [(String, JSONValue)] = [
            ("runtimeHandlers", try JSONValue(encoding: response.runtimeHandlers)),
            ("features", try JSONValue(encoding: response.features)),
        ]
        context.console.write(try Document.text(Document.inspection(status: response.status, info: response.info, extra: extra), output))
    }
}

public struct ShowVersion: Sendable {
    public var output: OutputFormat = .table

    public init() {}

    public func run(_ context: CtlContext) async throws {
        let v = try await CtlError.during("runtime version") { try await context.runtime.version(VersionRequest(version: "v1")) }
        if output != .table {
            context.console.write(try Document.text(encoding: v, output))
            return
        }
        context.console.write("""
            Version:  \(v.version)
            RuntimeName:  \(v.runtimeName)
            RuntimeVersion:  \(v.runtimeVersion)
            RuntimeApiVersion:  \(v.runtimeApiVersion)

            """)
    }
}
