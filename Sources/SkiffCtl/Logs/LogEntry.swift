// A line of a container's output as `logs` prints it: the log's partial (P) records joined
// with the full (F) record that ends them, per stream, stamped with the first record's time.
import ContainerMonitor

public struct LogEntry: Sendable, Equatable {
    public var timestamp: Timestamp
    public var stream: ContainerStream
    public var content: [UInt8]
    /// False for output the container has not ended with a newline (yet).
    public var complete: Bool

    public init(timestamp: Timestamp, stream: ContainerStream, content: [UInt8], complete: Bool = true) {
        self.timestamp = timestamp
        self.stream = stream
        self.content = content
        self.complete = complete
    }

    public var text: String { String(decoding: content, as: UTF8.self) }

    /// The bytes to print: "<time> " first with timestamps, a newline after a complete line.
    public func formatted(timestamps: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        if timestamps { bytes += Array((timestamp.rfc3339Nano + " ").utf8) }
        bytes += content
        if complete { bytes.append(UInt8(ascii: "\n")) }
        return bytes
    }
}

/// Joins P records to the F record that completes them, each stream apart (a container's
/// stdout and stderr records interleave in one file).
public struct LogLineJoiner: Sendable {
    private var pending: [ContainerStream: LogEntry] = [:]

    public init() {}

    /// The finished line `record` completes, if it is an F record.
    public mutating func add(_ record: CRILogLine) -> LogEntry? {
        var entry = pending.removeValue(forKey: record.stream)
            ?? LogEntry(timestamp: record.timestamp, stream: record.stream, content: [], complete: false)
        entry.content += record.content
        if record.isPartial {
            pending[record.stream] = entry
            return nil
        }
        entry.complete = true
        return entry
    }

    /// The lines still waiting for their F record, oldest first, as incomplete entries (the
    /// end of a stream that stopped without a newline).
    public mutating func flush() -> [LogEntry] {
        let rest = pending.values.sorted { $0.timestamp < $1.timestamp }
        pending = [:]
        return rest
    }

    public var hasPending: Bool { !pending.isEmpty }
}

/// Which lines --since and --tail leave.
public enum LogSelection {
    /// Lines stamped at or after `since`, then the last `tail` of them (nil: all).
    public static func select(_ entries: [LogEntry], since: Timestamp?, tail: Int?) -> [LogEntry] {
        var selected = entries
        if let since { selected = selected.filter { $0.timestamp >= since } }
        if let tail { selected = Array(selected.suffix(max(0, tail))) }
        return selected
    }

    /// --since: an RFC 3339 time ("2026-11-23T10:00:00Z") or a duration back from `now`
    /// ("10s", "1h30m").
    public static func since(_ text: String, now: Timestamp) throws -> Timestamp {
        if let time = Timestamp(rfc3339: text) { return time }
        if let duration = DurationText.parse(text), duration >= .zero {
            return Timestamp(nanosecondsSince1970: now.nanosecondsSince1970 - duration.nanoseconds)
        }
        throw CtlError("--since \(text)", "neither an RFC 3339 time (2026-11-23T10:00:00Z) nor a duration (10s, 5m, 1h30m)")
    }
}
