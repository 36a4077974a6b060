// Proto3 field semantics for Codable: every field has a zero value, a missing or null field
// decodes to it, and 64-bit integers also come as decimal strings (the proto3 JSON mapping).

/// A value a CRI message field can hold: it has a proto3 zero value and decodes the way the
/// proto3 JSON mapping allows (for integers: a number or a decimal string).
public protocol ProtoValue: Codable, Sendable, Equatable {
    /// The proto3 default: "", 0, false, [], [:], the first enum case, an empty message.
    static var protoDefault: Self { get }
    init(protoDecoder decoder: any Decoder) throws
}

extension ProtoValue {
    public init(protoDecoder decoder: any Decoder) throws {
        // Through a container, not `init(from:)`: that is how JSONDecoder applies its data
        // strategy (bytes as base64) and hands a dictionary its keys unconverted.
        self = try decoder.singleValueContainer().decode(Self.self)
    }
}

/// A message field: missing or null in the JSON means the zero value, so callers read
/// `config.metadata.name` without unwrapping.
@propertyWrapper
public struct Field<Value: ProtoValue>: Codable, Sendable, Equatable {
    public var wrappedValue: Value

    public init() { wrappedValue = .protoDefault }
    public init(wrappedValue: Value) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        wrappedValue = try Value(protoDecoder: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        // Through a container, so JSONEncoder writes Data as base64.
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    /// Chosen over the generic `decode` by synthesized `init(from:)`: an absent key (or null)
    /// yields the zero value instead of a keyNotFound error.
    public func decode<Value>(_ type: Field<Value>.Type, forKey key: Key) throws -> Field<Value> {
        try decodeIfPresent(type, forKey: key) ?? Field()
    }
}

// MARK: - Scalars

extension String: ProtoValue { public static var protoDefault: String { "" } }
extension Bool: ProtoValue { public static var protoDefault: Bool { false } }
extension Double: ProtoValue {
    public static var protoDefault: Double { 0 }
    public init(protoDecoder decoder: any Decoder) throws {
        self = try decodeNumber(decoder, Double.self) { Double($0) }
    }
}
extension Int32: ProtoValue {
    public static var protoDefault: Int32 { 0 }
    public init(protoDecoder decoder: any Decoder) throws {
        self = try decodeNumber(decoder, Int32.self) { Int32($0) }
    }
}
extension UInt32: ProtoValue {
    public static var protoDefault: UInt32 { 0 }
    public init(protoDecoder decoder: any Decoder) throws {
        self = try decodeNumber(decoder, UInt32.self) { UInt32($0) }
    }
}
extension Int64: ProtoValue {
    public static var protoDefault: Int64 { 0 }
    public init(protoDecoder decoder: any Decoder) throws {
        self = try decodeNumber(decoder, Int64.self) { Int64($0) }
    }
}
extension UInt64: ProtoValue {
    public static var protoDefault: UInt64 { 0 }
    public init(protoDecoder decoder: any Decoder) throws {
        self = try decodeNumber(decoder, UInt64.self) { UInt64($0) }
    }
}

/// A JSON number, or a string holding one (how proto3 JSON writers such as Go's protojson
/// write int64 and uint64, since JavaScript numbers lose precision past 2^53).
private func decodeNumber<T: Decodable>(
    _ decoder: any Decoder, _ type: T.Type, parse: (String) -> T?
) throws -> T {
    let container = try decoder.singleValueContainer()
    if let text = try? container.decode(String.self) {
        guard let value = parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a valid \(T.self)")
        }
        return value
    }
    return try container.decode(T.self)
}

// MARK: - Collections

extension Array: ProtoValue where Element: ProtoValue {
    public static var protoDefault: [Element] { [] }
    public init(protoDecoder decoder: any Decoder) throws {
        // Element by element through Field, so repeated int64 also accepts strings.
        var container = try decoder.unkeyedContainer()
        var elements: [Element] = []
        while !container.isAtEnd {
            elements.append(try container.decode(Field<Element>.self).wrappedValue)
        }
        self = elements
    }
}

/// Every CRI map is map<string, string>. Decoded through a container (see init(protoDecoder:)),
/// JSONDecoder hands a string-keyed dictionary its keys verbatim: the key strategy that turns
/// snake_case field names into camelCase does not touch them. CodingTests checks it, since
/// labels such as "io.kubernetes.pod_uid" must survive.
extension Dictionary: ProtoValue where Key == String, Value == String {
    public static var protoDefault: [String: String] { [:] }
}
