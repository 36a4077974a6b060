// `skiffctl logs`: read the container's CRI log file (the path ContainerStatus gives), join
// partial lines, apply --since and --tail, and with -f keep printing until the container stops.
#if canImport(Glibc)
import Glibc
#endif
import CRIAPI
import ContainerMonitor

public struct ShowLogs: Sendable {
    public var container: String
    public var follow = false
    /// The last N lines (nil: all).
    public var tail: Int?
    /// --since, unparsed: RFC 3339 or a duration.
    public var since: String?
    public var timestamps = false
    /// The log of the container's previous attempt (the file before N.log).
    public var previous = false
    /// How often -f looks for new output.
    public var pollInterval: Duration = .milliseconds(100)

    public init(container: String) { self.container = container }

    public func run(_ context: CtlContext) async throws {
        let sinceTime = try since.map { try LogSelection.since($0, now: Timestamp(nanosecondsSince1970: context.now())) }
        let id = try await context.containerID(container)
        let status = try await containerStatus(id, context)
        guard !status.logPath.isEmpty else {
            throw CtlError("logs of container \(id)", "the container has no log path (its pod has no log directory)")
        }
        let path = previous ? try Self.previousLogPath(status.logPath) : status.logPath
        if follow && !previous { try await waitForLogFile(path, of: id, context) }
        let reader = try LogFileReader(path: path)

        var joiner = LogLineJoiner()
        let first = reader.readRecords().compactMap { joiner.add($0) }
        // Without -f, output that never got its newline is shown as it is; with -f it may
        // still be completed, so it waits.
        let unfinished = follow && !previous ? [] : joiner.flush()
        for entry in LogSelection.select(first + unfinished, since: sinceTime, tail: tail) {
            print(entry, context)
        }
        guard follow && !previous else { return }

        var lastCheck = ContinuousClock.now
        while true {
            try await Task.sleep(for: pollInterval)
            let records = reader.readRecords()
            for record in records {
                if let entry = joiner.add(record), sinceTime.map({ entry.timestamp >= $0 }) ?? true {
                    print(entry, context)
                }
            }
            guard records.isEmpty, ContinuousClock.now - lastCheck >= .milliseconds(500) else { continue }
            lastCheck = ContinuousClock.now
            // Quiet for a while: done once the container is no longer running and the file
            // has nothing more.
            let state = (try? await context.runtime.containerStatus(ContainerStatusRequest(containerId: id)).status.state) ?? .unknown
            if state != .running && state != .created {
                for record in reader.readRecords() {
                    if let entry = joiner.add(record) { print(entry, context) }
                }
                for entry in joiner.flush() { print(entry, context) }
                return
            }
        }
    }

    /// A container that has not started yet may have no log file: -f waits for it while the
    /// container can still write one.
    private func waitForLogFile(_ path: String, of id: String, _ context: CtlContext) async throws {
        while access(path, F_OK) != 0 {
            let state = try await containerStatus(id, context).state
            guard state == .created || state == .running else { return }
            try await Task.sleep(for: pollInterval)
        }
    }

    private func containerStatus(_ id: String, _ context: CtlContext) async throws -> ContainerStatus {
        try await CtlError.during("container status of \(id)") {
            try await context.runtime.containerStatus(ContainerStatusRequest(containerId: id)).status
        }
    }

    private func print(_ entry: LogEntry, _ context: CtlContext) {
        context.console.write(bytes: entry.formatted(timestamps: timestamps), to: entry.stream == .stderr ? .stderr : .stdout)
    }

    /// ".../app/2.log" → ".../app/1.log": the kubelet names a container's logs by restart count.
    static func previousLogPath(_ path: String) throws -> String {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        let file = path[slash...]
        guard file.hasSuffix(".log"), let attempt = Int(file.dropLast(4)) else {
            throw CtlError("--previous", "the log file \(path) is not named <attempt>.log")
        }
        guard attempt > 0 else {
            throw CtlError("--previous", "the container is its first attempt (\(path)): there is no previous log")
        }
        return String(path[..<slash]) + "\(attempt - 1).log"
    }
}
