// A static pod manifest file (YAML or JSON, one Pod) to a Pod, with errors that name the field.
import Foundation
import KubeAPI
import Yams

public enum ManifestDecoder {
    public struct DecodeError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public static func decodePod(_ data: Data) throws -> Pod {
        let text = String(decoding: data, as: UTF8.self)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DecodeError(description: "the file is empty (expected one Pod)")
        }
        // Each document, to say clearly when a file holds more than one.
        var documents: [Node] = []
        do {
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() { documents.append(node) }
        } catch {
            throw DecodeError(description: describe(error))
        }
        guard documents.count == 1 else {
            throw DecodeError(description: "the file holds \(documents.count) YAML documents: a static pod manifest holds one Pod")
        }
        // kind and apiVersion first: a Deployment would otherwise fail on some unrelated field.
        if let mapping = documents[0].mapping {
            let kind = mapping["kind"]?.string
            let version = mapping["apiVersion"]?.string
            guard let kind else { throw DecodeError(description: "kind: Required value (expected Pod)") }
            guard kind == "Pod" else {
                throw DecodeError(description: "kind is \"\(kind)\": a static pod manifest holds one Pod")
            }
            if let version, version != "v1" {
                throw DecodeError(description: "apiVersion is \"\(version)\": a Pod is apiVersion v1")
            }
        } else {
            throw DecodeError(description: "the document is not a mapping (expected a Pod object)")
        }
        do {
            return try YAMLDecoder().decode(Pod.self, from: text)
        } catch {
            throw DecodeError(description: describe(error))
        }
    }

    /// A decoding error as "field.path: what is wrong".
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else {
            if let yaml = error as? YamlError { return "not valid YAML: \(yaml)" }
            return "\(error)"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): Required value"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type)), found null"
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError, !(underlying is DecodingError) {
                return "not valid YAML: \(underlying)"
            }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "(document)" : text
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int32.Type, is Int64.Type, is UInt32.Type: return "an integer"
        case is Double.Type: return "a number"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "a mapping" }
            return "a \(name) object"
        }
    }
}
