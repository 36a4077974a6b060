// The kubelet's log: klog-style lines ("I1122 10:04:05.123456 main] message") to stderr, or to
// any sink (tests read them).
import Foundation
import Synchronization

public struct KubeletLogger: Sendable {
    public enum Level: String, Sendable {
        case info = "I", warning = "W", error = "E"
    }

    private let sink: @Sendable (Level, String) -> Void

    public init(sink: @escaping @Sendable (Level, String) -> Void) { self.sink = sink }

    /// klog's format on standard error.
    public static let standardError = KubeletLogger { level, message in
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let line = "\(level.rawValue)\(pad(Int(parts.tm_mon) + 1, 2))\(pad(Int(parts.tm_mday), 2)) "
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(now.tv_nsec / 1000, 6)) "
            + "\(getpid()) kubelet] \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }

    public func info(_ message: String) { sink(.info, message) }
    public func warning(_ message: String) { sink(.warning, message) }
    public func error(_ message: String) { sink(.error, message) }
}

/// Keeps log lines in memory: for tests, and for showing recent problems.
public final class LogRecorder: Sendable {
    private let lines = Mutex<[(KubeletLogger.Level, String)]>([])
    private let echo: KubeletLogger?

    public init(echo: KubeletLogger? = nil) { self.echo = echo }

    public var logger: KubeletLogger {
        KubeletLogger { [self] level, message in
            lines.withLock { $0.append((level, message)) }
            echo.map { level == .info ? $0.info(message) : level == .warning ? $0.warning(message) : $0.error(message) }
        }
    }

    public var messages: [String] { lines.withLock { $0.map(\.1) } }
    public func contains(_ text: String) -> Bool { messages.contains { $0.contains(text) } }
}
