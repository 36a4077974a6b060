// One record of a CRI container log: "<RFC3339Nano> <stdout|stderr> <F|P> <content>". A line
// the container printed is one F record, or P records followed by an F record when it was
// longer than the monitor's buffer; a stream that ended without a newline ends with a P.
public struct CRILogLine: Sendable, Equatable {
    public enum Tag: String, Sendable {
        case full = "F", partial = "P"
    }

    public var timestamp: Timestamp
    public var stream: ContainerStream
    public var tag: Tag
    /// The bytes as the container wrote them, without the newline.
    public var content: [UInt8]

    public init(timestamp: Timestamp, stream: ContainerStream, tag: Tag, content: [UInt8]) {
        self.timestamp = timestamp
        self.stream = stream
        self.tag = tag
        self.content = content
    }

    public var text: String { String(decoding: content, as: UTF8.self) }
    public var isPartial: Bool { tag == .partial }

    /// The record as written to the log, without the newline.
    public var formatted: String { "\(timestamp.rfc3339Nano) \(stream.rawValue) \(tag.rawValue) \(text)" }

    /// One record (a trailing newline is allowed). The tag field may carry more colon-separated
    /// tags after F or P, as the CRI format allows; they are ignored.
    public init(parsing line: some Collection<UInt8>) throws {
        var bytes = Array(line)
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        let space = UInt8(ascii: " ")
        func field(from start: Int) -> (Range<Int>, next: Int)? {
            guard start <= bytes.count, let end = bytes[start...].firstIndex(of: space) else { return nil }
            return (start..<end, end + 1)
        }
        let shown = String(decoding: bytes.prefix(80), as: UTF8.self)
        guard let (time, afterTime) = field(from: 0),
              let timestamp = Timestamp(rfc3339: String(decoding: bytes[time], as: UTF8.self)) else {
            throw MonitorError("CRI log line without a timestamp: \(shown)")
        }
        guard let (streamRange, afterStream) = field(from: afterTime),
              let stream = ContainerStream(rawValue: String(decoding: bytes[streamRange], as: UTF8.self)) else {
            throw MonitorError("CRI log line without stdout or stderr: \(shown)")
        }
        // "F" then a space and the content; an empty content may lose its space.
        let tagEnd = bytes[afterStream...].firstIndex(of: space) ?? bytes.count
        let tags = String(decoding: bytes[afterStream..<tagEnd], as: UTF8.self)
        guard let tag = Tag(rawValue: String(tags.prefix { $0 != ":" })) else {
            throw MonitorError("CRI log line without the F or P tag: \(shown)")
        }
        self.init(timestamp: timestamp, stream: stream, tag: tag,
                  content: tagEnd < bytes.count ? Array(bytes[(tagEnd + 1)...]) : [])
    }

    public init(parsing line: String) throws { try self.init(parsing: Array(line.utf8)) }

    /// Every record of a log file's text (empty lines are skipped).
    public static func parseAll(_ text: String) throws -> [CRILogLine] {
        try text.utf8.split(separator: UInt8(ascii: "\n")).map { try CRILogLine(parsing: $0) }
    }
}
