// Which log lines --since and --tail leave, and --since's two forms.
import ContainerMonitor

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
