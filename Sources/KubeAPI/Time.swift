// metav1.Time: an instant written as RFC 3339 in UTC with second precision ("2024-05-01T12:00:00Z").
import Foundation

public struct KubeTime: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var date: Date

    public init(_ date: Date) { self.date = date }
    public static var now: KubeTime { KubeTime(Date()) }

    /// From nanoseconds since the epoch, as CRI reports times.
    public init(nanoseconds: Int64) { date = Date(timeIntervalSince1970: Double(nanoseconds) / 1e9) }

    public var rfc3339: String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    public var description: String { rfc3339 }

    /// RFC 3339: a date, "T", a time with optional fraction, and "Z" or an offset.
    public init?(rfc3339 text: String) {
        let chars = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int32? {
            guard range.upperBound <= chars.count else { return nil }
            var n: Int32 = 0
            for c in chars[range] {
                guard c >= 48 && c <= 57 else { return nil }
                n = n * 10 + Int32(c - 48)
            }
            return n
        }
        guard chars.count >= 20, let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"), chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: "t")
        else { return nil }
        var index = 19
        var fraction = 0.0
        if chars[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        guard index < chars.count else { return nil }
        var offset = 0
        switch chars[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == chars.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == chars.count, let h = number(index + 1..<index + 3), let m = number(index + 4..<index + 6) else { return nil }
            offset = Int(h) * 3600 + Int(m) * 60
            if chars[index] == UInt8(ascii: "-") { offset = -offset }
        default:
            return nil
        }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let seconds = timegm(&parts)
        date = Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = KubeTime(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not an RFC 3339 time")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rfc3339)
    }

    public static func < (a: KubeTime, b: KubeTime) -> Bool { a.date < b.date }
}
