// What the runtime keeps about a container in <root>/<id>/: state.json (this record),
// config.json (the bundle's config as it was at create) and exec.fifo while it is "created".
import FoundationEssentials
import Glibc
import OCISpec

public struct ContainerRecord: Codable, Sendable {
    public var id: String
    public var bundle: String
    public var rootfs: String
    public var pid: Int32
    /// Start time of the init process (field 22 of /proc/<pid>/stat), so a reused pid is not mistaken for it.
    public var pidStartTime: UInt64
    public var created: String
    public var owner: String
    public var cgroup: CgroupRecord
    public var annotations: [String: String]?
    /// What start and delete need from config.json, kept here so they need not decode it.
    public var poststart: [Hook]?
    public var poststop: [Hook]?
    public var hasPIDNamespace: Bool
}

/// A container as found on disk, with its live status.
public struct Container {
    public let directory: String
    public var record: ContainerRecord

    public var id: String { record.id }
    var fifoPath: String { joinPath(directory, "exec.fifo") }

    /// The config.json the container was created with (as `update` last changed it).
    public func spec() throws -> Spec {
        let path = joinPath(directory, "config.json")
        return try Spec.decode(try FileIO.read(path), source: path)
    }
    public var cgroup: CgroupManager { Cgroups.manager(record: record.cgroup) }

    public var status: State.Status {
        guard processIsInit() else { return .stopped }
        if FileIO.exists(fifoPath) { return .created }
        if record.cgroup.driver != "none" && cgroup.isFrozen() { return .paused }
        return .running
    }

    /// The OCI state document.
    public var state: State {
        let status = self.status
        return State(id: record.id, status: status, pid: status == .stopped ? nil : record.pid,
                     bundle: record.bundle, annotations: record.annotations)
    }

    /// Whether record.pid is still our init: alive, not a zombie, and started when ours did.
    func processIsInit() -> Bool {
        guard record.pid > 0, let stat = ProcStat(pid: record.pid) else { return false }
        return stat.state != "Z" && stat.state != "X" && stat.startTime == record.pidStartTime
    }
}

/// The few fields of /proc/<pid>/stat we need.
struct ProcStat {
    var state: Character
    var startTime: UInt64

    init?(pid: Int32) {
        guard let text = FileIO.readIfExists("/proc/\(pid)/stat"),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after the command name, which may itself contain spaces and parentheses.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let first = fields[0].first, let start = UInt64(fields[19]) else { return nil }
        state = first
        startTime = start
    }
}

public func encodeJSON<T: Encodable>(_ value: T, pretty: Bool = false) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
    return Array(try encoder.encode(value))
}

/// The current time as RFC 3339 with nanoseconds, as runc's `list` prints it.
func rfc3339Now() -> String {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    var t = time_t(ts.tv_sec)
    var parts = tm()
    gmtime_r(&t, &parts)
    func pad(_ v: Int32, _ width: Int = 2) -> String {
        let s = String(v); return String(repeating: "0", count: max(0, width - s.count)) + s
    }
    let nanos = String(ts.tv_nsec)
    return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))."
        + String(repeating: "0", count: 9 - nanos.count) + nanos + "Z"
}
