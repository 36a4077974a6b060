// The cgroup v1 driver, for legacy hosts and hybrid ones. It makes the container's directory in
// every mounted v1 hierarchy (including name=systemd, as runc does) and, on hybrid hosts, in the
// cgroup2 mount too, so the container's processes are tracked there like under runc and crun.
// Controllers that exist only in the cgroup2 mount (hugetlb on some hybrid hosts) are driven
// through it with the v2 files.
import Glibc
import OCISpec

public struct CgroupV1Manager: CgroupManager {
    /// Key ("cpu", "cpuacct", "name=systemd", ...) -> directory; controllers mounted together
    /// ("cpu,cpuacct") share one directory.
    public let paths: [String: String]
    /// Hybrid hosts: the container's cgroup2 directory.
    public let unifiedDir: String?
    /// linux.devices: their nodes are allowed besides the rules (see DeviceRules.effective).
    public let deviceNodes: [Device]
    /// Known when built from a layout; looked up again when reopened from a record.
    private let layout: CgroupLayout?

    public init(layout: CgroupLayout, cgroupPath: String, deviceNodes: [Device] = []) {
        var paths: [String: String] = [:]
        for h in layout.v1Hierarchies where !h.controllers.isEmpty || h.name == "systemd" {
            let dir = joinPath(h.mountPoint, cgroupPath)
            for c in h.controllers { paths[c] = dir }
            if let name = h.name { paths["name=\(name)"] = dir }
        }
        self.paths = paths
        self.unifiedDir = layout.mode == .hybrid ? layout.unifiedMountPoint.map { joinPath($0, cgroupPath) } : nil
        self.deviceNodes = deviceNodes
        self.layout = layout
    }

    init(record: CgroupRecord) {
        self.paths = record.paths.filter { !$0.key.isEmpty }
        self.unifiedDir = record.paths[""]
        self.deviceNodes = record.devices ?? []
        self.layout = nil
    }

    public var record: CgroupRecord {
        var all = paths
        if let unifiedDir { all[""] = unifiedDir }
        return CgroupRecord(driver: unifiedDir == nil ? "v1" : "hybrid", paths: all,
                            devices: deviceNodes.isEmpty ? nil : deviceNodes)
    }

    /// Each distinct v1 directory once, in a stable order.
    private var directories: [String] { Array(Set(paths.values)).sorted() }

    // MARK: lifecycle

    public func create(resources: Resources?) throws {
        let layout = try self.layout ?? CgroupLayout.current()
        var created: [String] = []
        do {
            for dir in directories {
                let mounts = layout.v1Hierarchies.filter { dir.hasPrefix($0.mountPoint + "/") }
                guard let h = mounts.max(by: { $0.mountPoint.count < $1.mountPoint.count }) else {
                    throw RuntimeError("cgroups: \(dir) is in no mounted cgroup hierarchy")
                }
                let isCpuset = h.controllers.contains("cpuset")
                created += try CgroupFiles.makeLevels(mountPoint: h.mountPoint, path: String(dir.dropFirst(h.mountPoint.count))) { level, _ in
                    if isCpuset { try CgroupV1Resources.inheritCpuset(dir: level, mountPoint: h.mountPoint) }
                }
            }
            if let unifiedDir {
                created += try CgroupV2Manager.makeDirectory(unifiedDir, mountPoint: layout.unifiedMountPoint)
            }
            try apply(DeviceRules.resolve(resources, nodes: deviceNodes, creating: true))
        } catch {
            CgroupFiles.removeCreated(created)
            throw error
        }
    }

    public func add(pid: pid_t) throws {
        for dir in directories + (unifiedDir.map { [$0] } ?? []) {
            try CgroupFiles.write(dir, "cgroup.procs", String(pid))
        }
    }

    public func update(resources: Resources) throws {
        try apply(DeviceRules.resolve(resources, nodes: deviceNodes, creating: false))
    }

    /// Each requested part goes to its v1 controller; on hybrid hosts a part whose controller
    /// only the cgroup2 mount has goes there. A part no hierarchy can take is an error.
    func apply(_ r: Resources) throws {
        let unifiedControllers = unifiedDir.map(CgroupV2Resources.controllers(of:)) ?? []
        var v1: [ResourceGroup] = [], v2: [ResourceGroup] = []
        for group in ResourceGroup.requested(in: r) {
            if let c = group.v1Controller, paths[c] != nil {
                v1.append(group)
            } else if unifiedDir != nil && (group == .unified || group == .devices ||
                                            group.v2Controller.map(unifiedControllers.contains) == true) {
                v2.append(group)
            } else {
                v1.append(group)  // fails there, naming the missing controller
            }
        }
        try CgroupV1Resources(dirs: paths).apply(r, groups: v1)
        if let unifiedDir, !v2.isEmpty { try CgroupV2Resources(dir: unifiedDir).apply(r, groups: v2) }
    }

    public func destroy() throws {
        var firstError: Error?
        for dir in directories + (unifiedDir.map { [$0] } ?? []) {
            do { try CgroupFiles.removeTree(dir) } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }

    // MARK: freezer

    public func freeze() throws { try setFrozen(true) }
    public func thaw() throws { try setFrozen(false) }

    private func setFrozen(_ frozen: Bool) throws {
        if let dir = paths["freezer"] { return try CgroupFreezer.setV1(dir, frozen: frozen) }
        if let unifiedDir { return try CgroupFreezer.setV2(unifiedDir, frozen: frozen) }
        throw RuntimeError("\(frozen ? "pause" : "resume"): the freezer cgroup controller is not mounted")
    }

    public func isFrozen() -> Bool {
        if let dir = paths["freezer"] { return CgroupFreezer.isFrozenV1(dir) }
        if let unifiedDir { return CgroupFreezer.isFrozenV2(unifiedDir) }
        return false
    }

    // MARK: processes and stats

    public func processes() throws -> [pid_t] {
        // Any hierarchy holds every process; prefer one the container cannot have left.
        let dir = paths["devices"] ?? paths["freezer"] ?? unifiedDir ?? directories.first
        guard let dir else { return [] }
        return try CgroupFiles.pids(in: dir, recursive: true)
    }

    public func stats() throws -> CgroupStats {
        var stats = try CgroupV1Stats.read(paths)
        guard let unifiedDir else { return stats }
        // Fill in what only the cgroup2 side measures on this host.
        let v2 = try CgroupV2Stats.read(unifiedDir)
        if paths["cpuacct"] == nil { stats.cpu.usage = v2.cpu.usage }
        if paths["cpu"] == nil { stats.cpu.throttling = v2.cpu.throttling }
        if paths["cpuset"] == nil { stats.cpuset = v2.cpuset }
        if paths["memory"] == nil { stats.memory = v2.memory }
        if paths["pids"] == nil { stats.pids = v2.pids }
        if paths["blkio"] == nil { stats.blkio = v2.blkio }
        if paths["hugetlb"] == nil { stats.hugetlb = v2.hugetlb }
        return stats
    }

    /// On hybrid hosts cgroup.kill of the cgroup2 directory SIGKILLs every process at once.
    public func killAll() throws -> Bool {
        guard let unifiedDir else { return false }
        return try CgroupV2Manager(dir: unifiedDir).killAll()
    }
}
