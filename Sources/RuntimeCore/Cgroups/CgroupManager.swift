// The cgroup drivers' common interface. One driver per layout (v1, v2, hybrid); the rest of the
// runtime sees only this protocol and the record it persists in state.json.
import Glibc
import OCISpec

public protocol CgroupManager {
    /// Creates the cgroup directories and applies `resources`, before any process joins.
    func create(resources: Resources?) throws
    /// Moves a process (and so its future children) into the cgroup.
    func add(pid: pid_t) throws
    /// Applies resources to an existing cgroup (`update`).
    func update(resources: Resources) throws
    func freeze() throws
    func thaw() throws
    func isFrozen() -> Bool
    /// Every process in the cgroup.
    func processes() throws -> [pid_t]
    func stats() throws -> CgroupStats
    /// Removes the cgroup directories; processes must be gone.
    func destroy() throws
    /// What state.json keeps to reopen this cgroup later.
    var record: CgroupRecord { get }
}

public struct CgroupRecord: Codable, Sendable, Equatable {
    public var driver: String            // "v1", "v2", "hybrid" or "none"
    public var paths: [String: String]   // controller (or "" for v2) -> absolute directory
    public init(driver: String, paths: [String: String]) { self.driver = driver; self.paths = paths }
}

/// Resource usage, in the shape `runc events --stats` prints.
public struct CgroupStats: Codable, Sendable, Equatable {
    public init() {}
}

public enum Cgroups {
    /// Opens the driver for a new container's cgroup.
    public static func manager(cgroupsPath: String?, id: String, systemd: Bool) throws -> CgroupManager {
        if systemd { throw RuntimeError("--systemd-cgroup: the systemd cgroup driver is not supported; use cgroupfs") }
        return NoCgroup()
    }

    /// Reopens a container's cgroup from its record.
    public static func manager(record: CgroupRecord) -> CgroupManager { NoCgroup() }
}

/// Placeholder until the cgroupfs drivers land.
struct NoCgroup: CgroupManager {
    func create(resources: Resources?) throws {}
    func add(pid: pid_t) throws {}
    func update(resources: Resources) throws {}
    func freeze() throws { throw RuntimeError("pause: no cgroup") }
    func thaw() throws { throw RuntimeError("resume: no cgroup") }
    func isFrozen() -> Bool { false }
    func processes() throws -> [pid_t] { [] }
    func stats() throws -> CgroupStats { CgroupStats() }
    func destroy() throws {}
    var record: CgroupRecord { CgroupRecord(driver: "none", paths: [:]) }
}
