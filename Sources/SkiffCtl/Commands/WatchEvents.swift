// `skiffctl events`: container lifecycle events from GetContainerEvents, printed as they come
// (one JSON document per event, or YAML documents, or table lines) until interrupted or the
// daemon ends the stream.
import CRIAPI
import ContainerMonitor

public struct WatchEvents: Sendable {
    public var output: OutputFormat = .json

    public init() {}

    public func run(_ context: CtlContext) async throws {
        if output == .table {
            context.console.write(TextTable(["TIME", "CONTAINER", "EVENT", "POD"]).text)
        }
        try await CtlError.during("watching container events") {
            for try await event in context.runtime.containerEvents() {
                context.console.write(try Self.render(event, output))
            }
        }
    }

    static func render(_ event: ContainerEventResponse, _ format: OutputFormat) throws -> String {
        switch format {
        case .json:
            // One compact line per event, so a reader can split them (NDJSON).
            return String(decoding: try JSONValue(encoding: event).jsonData(), as: UTF8.self) + "\n"
        case .yaml:
            return "---\n" + (try Document.text(encoding: event, .yaml))
        case .table:
            var row = TextTable([])
            row.header = [
                Timestamp(nanosecondsSince1970: event.createdAt).rfc3339Nano,
                HumanUnits.shortID(event.containerId),
                eventName(event.containerEventType),
                event.podSandboxStatus?.metadata.name ?? "",
            ]
            return row.text
        }
    }

    static func eventName(_ type: ContainerEventType) -> String {
        switch type {
        case .created: return "Created"
        case .started: return "Started"
        case .stopped: return "Stopped"
        case .deleted: return "Deleted"
        }
    }
}
