// Proto enums on the wire: written as their proto name ("CONTAINER_RUNNING"), read from the
// name or the number, as the proto3 JSON mapping does.

/// A CRI proto enum. Swift case names follow Swift style; `protoName` is the name on the wire.
public protocol CRIEnum: ProtoValue, RawRepresentable, CaseIterable, Hashable, CustomStringConvertible
where RawValue == Int32 {
    /// The value's name in the CRI proto, for example "CONTAINER_RUNNING".
    var protoName: String { get }
}

extension CRIEnum {
    /// The zero value, as in proto3.
    public static var protoDefault: Self { Self(rawValue: 0)! }

    public var description: String { protoName }

    /// The case whose proto name is `name`, if any.
    public init?(protoName name: String) {
        guard let match = Self.allCases.first(where: { $0.protoName == name }) else { return nil }
        self = match
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let name = try? container.decode(String.self) {
            guard let value = Self(protoName: name) else {
                let known = Self.allCases.map(\.protoName).joined(separator: ", ")
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "unknown \(Self.self) \"\(name)\" (expected one of \(known))")
            }
            self = value
            return
        }
        let number = try container.decode(Int32.self)
        guard let value = Self(rawValue: number) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "unknown \(Self.self) number \(number)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(protoName)
    }
}
