// The cgroup drivers' common interface. One driver per layout (v1 for legacy and hybrid hosts,
// v2 for unified ones); the rest of the runtime sees only this protocol and the record it
// persists in state.json.
import Glibc
import OCISpec

public protocol CgroupManager {
    /// Creates the cgroup directories and applies `resources` (linux.resources), before any
    /// process joins. Device rules are completed as runc does (DeviceRules.effective) and always
    /// applied. On failure, the directories it made are removed again.
    func create(resources: Resources?) throws
    /// Moves a process (and so its future children) into the cgroup.
    func add(pid: pid_t) throws
    /// Applies resources to an existing cgroup (`update`).
    func update(resources: Resources) throws
    func freeze() throws
    func thaw() throws
    func isFrozen() -> Bool
    /// Every process in the cgroup, including its child cgroups.
    func processes() throws -> [pid_t]
    func stats() throws -> CgroupStats
    /// Removes the cgroup directories; processes must be gone.
    func destroy() throws
    /// What state.json keeps to reopen this cgroup later.
    var record: CgroupRecord { get }
    /// SIGKILLs every process at once where the kernel can (cgroup.kill). Returns false when it
    /// cannot, and the caller signals the pids from processes() instead.
    func killAll() throws -> Bool
}

extension CgroupManager {
    public func killAll() throws -> Bool { false }
}

public struct CgroupRecord: Codable, Sendable, Equatable {
    public var driver: String            // "v1", "v2", "hybrid" or "none"
    public var paths: [String: String]   // controller (or "" for cgroup2) -> absolute directory
    /// linux.devices, whose nodes stay allowed when `update` changes the device rules.
    public var devices: [Device]?
    public init(driver: String, paths: [String: String], devices: [Device]? = nil) {
        self.driver = driver; self.paths = paths; self.devices = devices
    }
}

public enum Cgroups {
    /// Opens the driver for a new container's cgroup, for the host's layout. `devices`
    /// (linux.devices) are allowed in the device cgroup besides linux.resources.devices.
    /// There is no systemd driver (no systemd on these nodes): say so when one is asked for.
    public static func requireCgroupfs(systemd: Bool) throws {
        if systemd { throw RuntimeError("--systemd-cgroup: the systemd cgroup driver is not supported; use cgroupfs") }
    }

    public static func manager(layout: CgroupLayout, cgroupsPath: String?, id: String, devices: [Device]? = nil) throws -> CgroupManager {
        let path = try CgroupPath.resolve(cgroupsPath, id: id)
        switch layout.mode {
        case .unified:
            guard let mount = layout.unifiedMountPoint else { throw RuntimeError("cgroups: no cgroup2 mount found") }
            return CgroupV2Manager(mountPoint: mount, cgroupPath: path, deviceNodes: devices ?? [])
        case .legacy, .hybrid:
            return CgroupV1Manager(layout: layout, cgroupPath: path, deviceNodes: devices ?? [])
        }
    }

    /// Reopens a container's cgroup from its record.
    public static func manager(record: CgroupRecord) -> CgroupManager {
        switch record.driver {
        case "v2":
            guard let dir = record.paths[""] else { return NoCgroup(problem: "the v2 cgroup record has no directory") }
            return CgroupV2Manager(dir: dir, deviceNodes: record.devices ?? [])
        case "v1", "hybrid":
            return CgroupV1Manager(record: record)
        case "none":
            return NoCgroup(problem: nil)
        default:
            return NoCgroup(problem: "unknown cgroup driver \"\(record.driver)\" in the container's state")
        }
    }
}

/// A container without a cgroup ("none" records): nothing to manage. With a `problem`, every
/// operation fails with it instead.
struct NoCgroup: CgroupManager {
    let problem: String?

    private func check() throws { if let problem { throw RuntimeError("cgroups: \(problem)") } }
    func create(resources: Resources?) throws { try check() }
    func add(pid: pid_t) throws { try check() }
    func update(resources: Resources) throws { try check() }
    func freeze() throws { try check(); throw RuntimeError("pause: the container has no cgroup") }
    func thaw() throws { try check(); throw RuntimeError("resume: the container has no cgroup") }
    func isFrozen() -> Bool { false }
    func processes() throws -> [pid_t] { try check(); return [] }
    func stats() throws -> CgroupStats { try check(); return CgroupStats() }
    func destroy() throws { try check() }
    var record: CgroupRecord { CgroupRecord(driver: "none", paths: [:]) }
}
