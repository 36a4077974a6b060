// /containerLogs/{namespace}/{pod}/{container}: a container's CRI log file printed as
// `kubectl logs` prints it (the content of each line, partial records joined; stdout and
// stderr interleaved as written), with the kubelet's query parameters: tailLines,
// sinceSeconds or sinceTime, timestamps, previous, limitBytes, and follow (a chunked answer
// that goes on until the container stops).
import ContainerMonitor
import Foundation
import KubeAPI

struct ContainerLogOptions: Sendable {
    var follow = false
    var previous = false
    var timestamps = false
    var tailLines: Int?
    var since: Timestamp?
    var limitBytes: Int?

    init(_ request: KubeletRequest, now: Timestamp = .now()) throws {
        follow = try request.flag("follow")
        previous = try request.flag("previous")
        timestamps = try request.flag("timestamps")
        tailLines = try request.number("tailLines")
        limitBytes = try request.number("limitBytes", minimum: 1)
        if let seconds = try request.number("sinceSeconds", minimum: 1) {
            since = Timestamp(nanosecondsSince1970: now.nanosecondsSince1970 - Int64(seconds) * 1_000_000_000)
        }
        if let text = request.value("sinceTime") {
            guard since == nil else { throw RequestProblem("at most one of sinceTime or sinceSeconds may be given") }
            guard let time = Timestamp(rfc3339: text) else { throw RequestProblem("parameter sinceTime=\(text) is not an RFC 3339 time between 1678 and 2262") }
            since = time
        }
    }
}

struct ContainerLogs: Sendable {
    let statuses: PodStatusStore
    /// How often a followed log is read for more.
    var pollInterval: Duration = .milliseconds(100)

    func respond(namespace: String, pod name: String, container: String, options: ContainerLogOptions) -> KubeletResponse {
        guard let pod = statuses.pod(namespace: namespace, name: name) else {
            return .problem(.notFound, "pod \(namespace)/\(name) not found")
        }
        guard let status = pod.container(named: container) else {
            let names = (pod.spec.initContainers ?? []).map(\.name) + pod.spec.containers.map(\.name)
            return .problem(.notFound, "container \(container) is not valid for pod \(name): choose one of [\(names.joined(separator: " "))]")
        }
        if options.previous {
            guard status.restartCount > 0 || status.lastState?.terminated != nil else {
                return .problem(.badRequest, "previous terminated container \"\(container)\" in pod \"\(name)\" not found")
            }
        } else if status.containerID == nil, let waiting = status.state?.waiting {
            return .problem(.badRequest, "container \"\(container)\" in pod \"\(name)\" is waiting to start: \(waiting.reason ?? "waiting")")
        }
        guard let path = statuses.logPath(namespace: namespace, pod: name, container: container, previous: options.previous),
              let reader = try? LogFileReader(path: path) else {
            return .problem(.notFound, "no log for container \"\(container)\" in pod \"\(name)\"" + (options.previous ? " (previous instance)" : ""))
        }
        let follow = options.follow && !options.previous && status.state?.running != nil
        var joiner = LogLineJoiner()
        var entries = reader.readRecords().compactMap { joiner.add($0) }
        // Unless followed, a last line without its newline is shown as it is.
        if !follow { entries += joiner.flush() }
        if let since = options.since { entries = entries.filter { $0.timestamp >= since } }
        if let tail = options.tailLines { entries = Array(entries.suffix(tail)) }
        var output = Output(timestamps: options.timestamps, limit: options.limitBytes)
        let first = output.render(entries)
        guard follow else {
            return .full(status: .ok, contentType: "text/plain; charset=utf-8", body: first)
        }
        let containerID = status.containerID
        let box = UncheckedBox((reader, joiner, output))
        return .stream(contentType: "text/plain; charset=utf-8") { [statuses, pollInterval] write in
            var (reader, joiner, output) = box.value
            try await write(first)
            var lastCheck = ContinuousClock.now
            while !output.isFull {
                try await Task.sleep(for: pollInterval)
                let records = reader.readRecords()
                let since = options.since
                let more = output.render(records.compactMap { joiner.add($0) }.filter { entry in since.map { entry.timestamp >= $0 } ?? true })
                if !more.isEmpty { try await write(more) }
                guard records.isEmpty, ContinuousClock.now - lastCheck >= .milliseconds(500) else { continue }
                lastCheck = ContinuousClock.now
                // Quiet for a while: done once this instance of the container no longer runs.
                let now = statuses.pod(namespace: namespace, name: name)?.container(named: container)
                if now?.containerID != containerID || now?.state?.running == nil {
                    let rest = reader.readRecords().compactMap { joiner.add($0) } + joiner.flush()
                    let last = output.render(rest)
                    if !last.isEmpty { try await write(last) }
                    return
                }
            }
        }
    }

    /// Lines to bytes, with timestamps if asked, up to limitBytes in all.
    struct Output {
        let timestamps: Bool
        var limit: Int?

        var isFull: Bool { limit == 0 }

        mutating func render(_ entries: [LogEntry]) -> [UInt8] {
            var bytes: [UInt8] = []
            for entry in entries { bytes += entry.formatted(timestamps: timestamps) }
            if let left = limit {
                bytes = Array(bytes.prefix(left))
                limit = left - bytes.count
            }
            return bytes
        }
    }
}

/// Hands non-Sendable state (a log reader) to the one task that uses it.
struct UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
