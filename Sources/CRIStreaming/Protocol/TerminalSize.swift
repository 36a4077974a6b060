// A terminal's size as the resize channel carries it: {"Width": columns, "Height": rows}
// (the field names of client-go's TerminalSize, which has no JSON tags).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public struct TerminalSize: Codable, Sendable, Equatable, CustomStringConvertible {
    public var width: UInt16
    public var height: UInt16

    public init(width: UInt16, height: UInt16) {
        self.width = width
        self.height = height
    }

    enum CodingKeys: String, CodingKey {
        case width = "Width"
        case height = "Height"
    }

    public var description: String { "\(width)x\(height)" }

    public func encoded() -> [UInt8] { Array(#"{"Width":\#(width),"Height":\#(height)}"#.utf8) }

    /// Every size in a resize message (a client may send more than one JSON object at once);
    /// what is not a size is skipped.
    public static func decodeAll(_ bytes: [UInt8]) -> [TerminalSize] {
        var sizes: [TerminalSize] = []
        var depth = 0
        var start: Int?
        for (i, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "{") {
                if depth == 0 { start = i }
                depth += 1
            } else if byte == UInt8(ascii: "}"), depth > 0 {
                depth -= 1
                if depth == 0, let s = start,
                   let size = try? JSONDecoder().decode(TerminalSize.self, from: Data(bytes[s...i])) {
                    sizes.append(size)
                }
            }
        }
        return sizes
    }
}
