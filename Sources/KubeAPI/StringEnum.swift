// Kubernetes' string-typed enums (Go's `type RestartPolicy string`): any string decodes, so an
// unknown value reaches validation, which names the field, instead of failing to decode.

/// A string-valued Kubernetes enum with well-known values as static constants.
public protocol StringEnum: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible where RawValue == String {
    init(rawValue: String)
}

extension StringEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
