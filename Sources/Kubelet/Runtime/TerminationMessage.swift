// A container's termination message: what it wrote to terminationMessagePath (a host file the
// kubelet mounts there), or with FallbackToLogsOnError and a failure, the tail of its log.
import ContainerMonitor
import Foundation

enum TerminationMessage {
    static let maxBytes = 4096
    static let fallbackLines = 80
    static let fallbackBytes = 2048

    static func read(hostPath: String?, logPath: String, fallbackToLogs: Bool, exitCode: Int32) -> String? {
        if let hostPath, let data = FileManager.default.contents(atPath: hostPath), !data.isEmpty {
            return String(decoding: data.prefix(maxBytes), as: UTF8.self)
        }
        guard fallbackToLogs, exitCode != 0 else { return nil }
        return logTail(logPath)
    }

    static func logTail(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var lines: [String] = []
        var partial = ""
        for raw in text.split(separator: "\n") {
            guard let record = try? CRILogLine(parsing: String(raw)) else { continue }
            partial += record.text
            if !record.isPartial {
                lines.append(partial)
                partial = ""
            }
        }
        if !partial.isEmpty { lines.append(partial) }
        let tail = lines.suffix(fallbackLines).joined(separator: "\n")
        guard !tail.isEmpty else { return nil }
        return String(decoding: Array(tail.utf8).suffix(fallbackBytes), as: UTF8.self)
    }
}
