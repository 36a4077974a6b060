// Decoding config.json with errors that name the offending field, e.g.
// "config.json: linux.resources.memory.limit: expected a number".
import FoundationEssentials

public struct SpecError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Spec {
    public static func decode(_ bytes: [UInt8], source: String = "config.json") throws -> Spec {
        try decodeJSON(Spec.self, bytes, source: source)
    }
}

/// Decodes JSON, turning DecodingError into a message with the field path.
public func decodeJSON<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], source: String) throws -> T {
    do {
        return try JSONDecoder().decode(type, from: Data(bytes))
    } catch let error as DecodingError {
        throw SpecError("\(source): \(describe(error))")
    }
}

func describe(_ error: DecodingError) -> String {
    func path(_ keys: [CodingKey]) -> String {
        var out = ""
        for key in keys {
            if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
        }
        return out.isEmpty ? "(top level)" : out
    }
    switch error {
    case .typeMismatch(let type, let context):
        return "\(path(context.codingPath)): expected \(typeName(type))"
    case .valueNotFound(let type, let context):
        return "\(path(context.codingPath)): expected \(typeName(type)), found null"
    case .keyNotFound(let key, let context):
        return "\(path(context.codingPath + [key])): required field is missing"
    case .dataCorrupted(let context):
        if context.codingPath.isEmpty { return "not valid JSON (\(context.debugDescription))" }
        return "\(path(context.codingPath)): \(context.debugDescription)"
    @unknown default:
        return "\(error)"
    }
}

private func typeName(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: return "a string"
    case is Bool.Type: return "a boolean"
    case is Int.Type, is Int32.Type, is Int64.Type: return "an integer"
    case is UInt.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type: return "a non-negative integer"
    case is [String].Type: return "an array of strings"
    default:
        let name = "\(type)"
        if name.hasPrefix("Array") { return "an array" }
        if name.hasPrefix("Dictionary") { return "an object" }
        return "an object (\(name))"
    }
}

extension Spec {
    /// A process.json as `exec --process` takes it.
    public static func decodeProcess(_ bytes: [UInt8], source: String) throws -> Process {
        try decodeJSON(Process.self, bytes, source: source)
    }
}
