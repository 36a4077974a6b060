// resource.Quantity: "100m", "64Mi", "1.5Gi", "2", "1e3". Parsed exactly (decimal arithmetic);
// written back as given. value and milliValue round up, as Kubernetes' Value() and MilliValue().
import Foundation

public struct Quantity: Codable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The text as written (Kubernetes would canonicalize it; keeping it is simpler and clearer).
    public let text: String
    /// The exact amount: CPU in cores, memory in bytes.
    public let amount: Decimal

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var text: String
        public var description: String {
            "quantity \"\(text)\" is not a number with an optional suffix (m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or an exponent like e3)"
        }
    }

    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let amount = Self.parse(trimmed) else { throw ParseError(text: text) }
        self.text = trimmed
        self.amount = amount
    }

    /// A literal must be valid: it is a programming error otherwise.
    public init(stringLiteral value: String) {
        do { try self.init(parsing: value) } catch { preconditionFailure("\(error)") }
    }

    /// A whole number of units (bytes, cores).
    public init(_ value: Int64) {
        text = String(value)
        amount = Decimal(value)
    }

    /// Thousandths of a unit ("250m").
    public init(milli value: Int64) {
        text = value % 1000 == 0 ? String(value / 1000) : "\(value)m"
        amount = Decimal(value) / 1000
    }

    public var description: String { text }

    /// The amount in whole units, rounded up (bytes for memory, cores for CPU).
    public var value: Int64 { Self.ceilInt64(amount) }
    /// The amount in thousandths, rounded up (millicores for CPU).
    public var milliValue: Int64 { Self.ceilInt64(amount * 1000) }
    public var isZero: Bool { amount == 0 }

    public static func == (a: Quantity, b: Quantity) -> Bool { a.amount == b.amount }
    public func hash(into hasher: inout Hasher) { hasher.combine(amount) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // YAML `cpu: 1` and JSON `"cpu": 0.5` are numbers: Kubernetes takes them too.
        let text: String
        if let n = try? container.decode(Int64.self) {
            text = String(n)
        } else if let d = try? container.decode(Double.self) {
            text = String(d)
        } else {
            text = try container.decode(String.self)
        }
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    // MARK: parsing

    private static let decimalSuffixes: [String: Int] = ["n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18]
    private static let binarySuffixes: [String: Int] = ["Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6]

    private static func parse(_ text: String) -> Decimal? {
        var chars = Substring(text)
        var negative = false
        if let sign = chars.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            chars = chars.dropFirst()
        }
        let integer = chars.prefix { $0.isASCII && $0.isNumber }
        chars = chars.dropFirst(integer.count)
        var fraction = Substring("")
        if chars.first == "." {
            chars = chars.dropFirst()
            fraction = chars.prefix { $0.isASCII && $0.isNumber }
            chars = chars.dropFirst(fraction.count)
        }
        guard !integer.isEmpty || !fraction.isEmpty else { return nil }
        guard var amount = Decimal(string: "\(integer.isEmpty ? "0" : integer).\(fraction.isEmpty ? "0" : fraction)",
                                   locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        let suffix = String(chars)
        if let power = decimalSuffixes[suffix] {
            amount *= pow(10, power)
        } else if let power = binarySuffixes[suffix] {
            amount *= pow(Decimal(1024), power)
        } else if let first = suffix.first, first == "e" || first == "E" {
            let exponentText = suffix.dropFirst()
            let digits = exponentText.first == "-" || exponentText.first == "+" ? exponentText.dropFirst() : exponentText
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let exponent = Int(exponentText),
                  abs(exponent) <= 30 else { return nil }
            amount *= pow(10, exponent)
        } else {
            return nil
        }
        return negative ? -amount : amount
    }

    private static func pow(_ base: Decimal, _ exponent: Int) -> Decimal {
        var result = Decimal(1)
        for _ in 0..<abs(exponent) { result *= base }
        return exponent < 0 ? 1 / result : result
    }

    private static func ceilInt64(_ value: Decimal) -> Int64 {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, 0, .up)
        if rounded >= Decimal(Int64.max) { return Int64.max }
        if rounded <= Decimal(Int64.min) { return Int64.min }
        return Int64(rounded.description) ?? 0
    }
}
