// The cgroup v2 driver: one directory in the unified hierarchy. Also usable on a hybrid host's
// /sys/fs/cgroup/unified mount, which is how its tests run on v1 machines.
import Glibc
import OCISpec

public struct CgroupV2Manager: CgroupManager {
    /// The cgroup2 mount point (nil when reopened from a record: found again on create).
    public let mountPoint: String?
    /// The cgroup's directory.
    public let dir: String
    /// linux.devices: their nodes are allowed besides the rules (see DeviceRules.effective).
    public let deviceNodes: [Device]

    public init(mountPoint: String, cgroupPath: String, deviceNodes: [Device] = []) {
        self.mountPoint = mountPoint
        self.dir = joinPath(mountPoint, cgroupPath)
        self.deviceNodes = deviceNodes
    }

    init(dir: String, deviceNodes: [Device] = []) {
        self.mountPoint = nil
        self.dir = dir
        self.deviceNodes = deviceNodes
    }

    public var record: CgroupRecord {
        CgroupRecord(driver: "v2", paths: ["": dir], devices: deviceNodes.isEmpty ? nil : deviceNodes)
    }

    public func create(resources: Resources?) throws {
        let created = try Self.makeDirectory(dir, mountPoint: mountPoint)
        do {
            try apply(DeviceRules.resolve(resources, nodes: deviceNodes, creating: true))
        } catch {
            CgroupFiles.removeCreated(created)
            throw error
        }
    }

    /// mkdir -p of a cgroup2 directory, enabling the available controllers in each ancestor's
    /// cgroup.subtree_control on the way down (a child only gets what its parent enables).
    /// Returns the directories made.
    static func makeDirectory(_ dir: String, mountPoint: String?) throws -> [String] {
        let root = try mountPoint ?? unifiedMountPoint(containing: dir)
        let path = String(dir.dropFirst(root.count))
        return try CgroupFiles.makeLevels(mountPoint: root, path: path) { level, isLeaf in
            if !isLeaf { CgroupV2Resources.enableControllers(forChildrenOf: level) }
        }
    }

    static func unifiedMountPoint(containing dir: String) throws -> String {
        let layout = try CgroupLayout.current()
        guard let mount = layout.unifiedMountPoint, dir.hasPrefix(mount + "/") else {
            throw RuntimeError("cgroups: \(dir) is not inside the cgroup2 mount (\(layout.unifiedMountPoint ?? "none"))")
        }
        return mount
    }

    public func add(pid: pid_t) throws { try CgroupFiles.write(dir, "cgroup.procs", String(pid)) }

    public func update(resources: Resources) throws {
        try apply(DeviceRules.resolve(resources, nodes: deviceNodes, creating: false))
    }

    func apply(_ resources: Resources) throws {
        try CgroupV2Resources(dir: dir).apply(resources, groups: ResourceGroup.requested(in: resources))
    }

    public func freeze() throws { try CgroupFreezer.setV2(dir, frozen: true) }
    public func thaw() throws { try CgroupFreezer.setV2(dir, frozen: false) }
    public func isFrozen() -> Bool { CgroupFreezer.isFrozenV2(dir) }

    public func processes() throws -> [pid_t] { try CgroupFiles.pids(in: dir, recursive: true) }

    public func stats() throws -> CgroupStats { try CgroupV2Stats.read(dir) }

    public func destroy() throws { try CgroupFiles.removeTree(dir) }

    /// SIGKILLs every process in the cgroup at once through cgroup.kill (Linux 5.14+).
    public func killAll() throws -> Bool {
        guard CgroupFiles.exists(dir, "cgroup.kill") else { return false }
        try CgroupFiles.write(dir, "cgroup.kill", "1")
        return true
    }

    /// IDs of the eBPF device programs attached to this cgroup (for diagnostics and tests).
    public func deviceProgramIDs() throws -> [UInt32] { try CgroupDeviceFilter.attachedPrograms(dir: dir) }
}
