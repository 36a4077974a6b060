// The JSON codec of the CRI wire: lowerCamelCase out with sorted keys, camelCase or snake_case in.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public enum CRICodec {
    /// A message as JSON: field names in lowerCamelCase, keys sorted so output is stable,
    /// int64 as numbers, enums by name, bytes as base64.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty
            ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// A message from JSON with lowerCamelCase or the proto's snake_case field names (so
    /// crictl's pod-config.json works). Unknown fields are ignored. Throws an InvalidArgument
    /// CRIError that says where the JSON was wrong.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        // Only field names pass through here: JSONDecoder gives map<string,string> keys to the
        // dictionary verbatim (CodingTests checks it).
        decoder.keyDecodingStrategy = .custom { path in
            ProtoFieldKey(stringValue: protoJSONName(path.last!.stringValue))
        }
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw CRIError(.invalidArgument, "decoding \(T.self): \(describe(error))")
        }
    }

    /// The JSON name protoc gives a field: each "_x" becomes "X" ("pod_sandbox_id" →
    /// "podSandboxId", "CDI_devices" → "CDIDevices"); names without "_" stay as they are.
    public static func protoJSONName(_ fieldName: String) -> String {
        guard fieldName.contains("_") else { return fieldName }
        var name = ""
        var capitalizeNext = false
        for character in fieldName {
            if character == "_" {
                capitalizeNext = true
            } else if capitalizeNext {
                name += character.uppercased()
                capitalizeNext = false
            } else {
                name.append(character)
            }
        }
        return name
    }

    /// "at config.metadata.attempt: expected UInt32, found a string" rather than the
    /// DecodingError dump.
    public static func describe(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            guard !path.isEmpty else { return "" }
            var text = ""
            for key in path {
                if let index = key.intValue, key.stringValue.hasPrefix("Index ") {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : "." + key.stringValue
                }
            }
            return "at \(text): "
        }
        func detail(_ context: DecodingError.Context) -> String {
            var text = context.debugDescription
            if let underlying = context.underlyingError {
                text += " (\(underlying))"
            }
            return text
        }
        switch error {
        case .typeMismatch(let type, let context):
            return at(context.codingPath) + "expected \(type): \(detail(context))"
        case .valueNotFound(let type, let context):
            return at(context.codingPath) + "missing \(type) value: \(detail(context))"
        case .keyNotFound(let key, let context):
            return at(context.codingPath) + "missing field \"\(key.stringValue)\""
        case .dataCorrupted(let context):
            return at(context.codingPath) + detail(context)
        @unknown default:
            return "\(error)"
        }
    }
}

/// A field name after snake_case → camelCase.
struct ProtoFieldKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
