// Printing a message as -o json or -o yaml.
import CRIAPI
import Foundation

public enum Document {
    /// `value` in `format` (json or yaml), ending in a newline.
    public static func text(_ value: JSONValue, _ format: OutputFormat) throws -> String {
        switch format {
        case .json, .table: return try value.jsonText() + "\n"
        case .yaml: return try value.yamlText()
        }
    }

    public static func text(encoding message: some Encodable, _ format: OutputFormat) throws -> String {
        try text(JSONValue(encoding: message), format)
    }

    /// A status response as crictl's inspect commands print it: {"status": ..., "info": ...},
    /// with each info value (JSON text from the daemon) shown as the JSON it holds.
    public static func inspection(status: some Encodable, info: [String: String], extra: [(String, JSONValue)] = []) throws -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        if !info.isEmpty {
            members.append(("info", .object(info.keys.sorted().map { key in
                let raw = info[key]!
                return (key, (try? JSONValue.parse(Data(raw.utf8))) ?? .string(raw))
            })))
        }
        members += extra.map { (key: $0.0, value: $0.1) }
        members.append(("status", try JSONValue(encoding: status)))
        return .object(members.sorted { $0.key < $1.key })
    }
}
