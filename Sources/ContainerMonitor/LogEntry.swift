// A line of a container's output as `logs` prints it (skiffctl logs, the kubelet's
// /containerLogs): the log's partial (P) records joined with the full (F) record that ends
// them, per stream, stamped with the first record's time.
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
