// The kubelet's cgroup tree, cgroupfs driver: <root>/kubepods for Guaranteed pods,
// <root>/kubepods/burstable and <root>/kubepods/besteffort for the others, and one
// pod<uid> cgroup per pod holding its containers' cgroups (the runtime makes those under the
// parent the sandbox config names). The pod cgroup carries the pod's total CPU shares and, when
// every container has one, the sum of the limits. cgroup v1 (each controller its own tree) and
// v2 (one tree) are both handled.
import Foundation
import KubeAPI

struct PodCgroups: Sendable {
    enum Layout: Sendable, Equatable {
        /// v1 controllers: controller name → mount point.
        case v1([String: String])
        case v2(String)
    }

    let layout: Layout
    /// The kubelet's --cgroup-root, e.g. "/" or "/skiff-test".
    let root: String
    let perQOS: Bool
    let logger: KubeletLogger

    init(root: String, perQOS: Bool, logger: KubeletLogger) {
        self.root = root
        self.perQOS = perQOS
        self.logger = logger
        layout = Self.detect()
    }

    /// The pod's cgroup, cgroupfs syntax (the CRI cgroupParent): "/kubepods/burstable/pod<uid>".
    func podCgroup(uid: String, qos: QOSClass) -> String {
        guard perQOS else { return join(root, "pod" + uid) }
        return join(qosCgroup(qos), "pod" + uid)
    }

    func qosCgroup(_ qos: QOSClass) -> String {
        let kubepods = join(root, "kubepods")
        switch qos {
        case .burstable: return kubepods + "/burstable"
        case .bestEffort: return kubepods + "/besteffort"
        default: return kubepods
        }
    }

    private func join(_ base: String, _ name: String) -> String {
        base == "/" || base.isEmpty ? "/" + name : (base.hasSuffix("/") ? base + name : base + "/" + name)
    }

    /// Creates the pod's cgroup (and the QoS cgroups above it) and writes the pod-level limits.
    func create(for pod: Pod, qos: QOSClass) throws {
        let path = podCgroup(uid: pod.uid, qos: qos)
        let containers = pod.spec.containers + (pod.spec.initContainers ?? []).filter { $0.restartPolicy == .always }
        let cpuRequest = containers.reduce(Int64(0)) { $0 + ($1.resources?.requests?["cpu"]?.milliValue ?? 0) }
        let cpuLimits = containers.map { $0.resources?.limits?["cpu"]?.milliValue ?? 0 }
        let memoryLimits = containers.map { $0.resources?.limits?["memory"]?.value ?? 0 }
        // Init containers run one at a time: the pod needs at least the largest of them.
        let initMemory = (pod.spec.initContainers ?? []).map { $0.resources?.limits?["memory"]?.value ?? 0 }.max() ?? 0
        let memoryLimit: Int64? = memoryLimits.allSatisfy({ $0 > 0 }) ? max(memoryLimits.reduce(0, +), initMemory) : nil
        let cpuQuota: Int64? = cpuLimits.allSatisfy({ $0 > 0 }) ? ContainerResources.quota(milliCPU: cpuLimits.reduce(0, +)) : nil
        let shares = qos == .bestEffort ? ContainerResources.minShares : ContainerResources.shares(milliCPU: cpuRequest)

        switch layout {
        case .v1(let mounts):
            for (controller, mount) in mounts.sorted(by: { $0.key < $1.key }) {
                try makeV1(mount: mount, path: path, cpuset: controller == "cpuset")
            }
            if let cpu = mounts["cpu"] {
                try write(cpu + path + "/cpu.shares", String(shares))
                if qos == .bestEffort { try? write(cpu + qosCgroup(.bestEffort) + "/cpu.shares", "2") }
                if let cpuQuota {
                    try write(cpu + path + "/cpu.cfs_period_us", String(ContainerResources.cfsPeriod))
                    try write(cpu + path + "/cpu.cfs_quota_us", String(cpuQuota))
                }
            }
            if let memory = mounts["memory"], let memoryLimit {
                try write(memory + path + "/memory.limit_in_bytes", String(memoryLimit))
            }
        case .v2(let mount):
            try makeV2(mount: mount, path: path)
            try? write(mount + path + "/cpu.weight", String(1 + ((shares - 2) * 9999) / 262_142))
            if let cpuQuota { try? write(mount + path + "/cpu.max", "\(cpuQuota) \(ContainerResources.cfsPeriod)") }
            if let memoryLimit { try write(mount + path + "/memory.max", String(memoryLimit)) }
        }
    }

    /// Removes the pod's cgroup everywhere it exists (its containers' cgroups must be gone).
    func remove(uid: String) {
        for qos in [QOSClass.guaranteed, .burstable, .bestEffort] {
            let path = podCgroup(uid: uid, qos: qos)
            for mount in Self.allHierarchies() where FileManager.default.fileExists(atPath: mount + path) {
                removeTree(mount + path)
            }
        }
    }

    /// Removes the whole kubepods tree under the root (for tests and an orderly node reset).
    func removeAll() {
        let kubepods = join(root, "kubepods")
        for mount in Self.allHierarchies() where FileManager.default.fileExists(atPath: mount + kubepods) {
            removeTree(mount + kubepods)
            if root != "/" { rmdir(mount + root) }
        }
    }

    private func removeTree(_ directory: String) {
        // Children first; rmdir is the only way to remove a cgroup.
        if let children = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for child in children {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: directory + "/" + child, isDirectory: &isDirectory), isDirectory.boolValue {
                    removeTree(directory + "/" + child)
                }
            }
        }
        if rmdir(directory) != 0 && errno != ENOENT {
            logger.warning("remove cgroup \(directory): \(String(cString: strerror(errno)))")
        }
    }

    private func makeV1(mount: String, path: String, cpuset: Bool) throws {
        var current = mount
        for part in path.split(separator: "/") {
            let parent = current
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw KubeletError.setup("create cgroup \(current): \(String(cString: strerror(errno)))")
            }
            // A new cpuset cgroup has no CPUs and no memory nodes until given its parent's.
            if cpuset {
                for file in ["cpuset.cpus", "cpuset.mems"] {
                    let own = (try? String(contentsOfFile: current + "/" + file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                    if own.isEmpty, let inherited = try? String(contentsOfFile: parent + "/" + file, encoding: .utf8) {
                        try? write(current + "/" + file, inherited.trimmingCharacters(in: .whitespacesAndNewlines))
                    }
                }
            }
        }
    }

    private func makeV2(mount: String, path: String) throws {
        var current = mount
        let available = ((try? String(contentsOfFile: mount + "/cgroup.controllers", encoding: .utf8)) ?? "")
            .split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        for part in path.split(separator: "/") {
            // Children only get the controllers their parent delegates.
            let enable = available.filter { ["cpu", "memory", "pids", "io", "cpuset", "hugetlb"].contains($0) }.map { "+" + $0 }
            try? write(current + "/cgroup.subtree_control", enable.joined(separator: " "))
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw KubeletError.setup("create cgroup \(current): \(String(cString: strerror(errno)))")
            }
        }
    }

    private func write(_ path: String, _ value: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw KubeletError.setup("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let ok = value.withCString { Glibc.write(fd, $0, strlen($0)) } >= 0
        if !ok { throw KubeletError.setup("write \(value) to \(path): \(String(cString: strerror(errno)))") }
    }

    /// v2 when /sys/fs/cgroup is itself cgroup2; else v1's controllers.
    static func detect() -> Layout {
        if FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") { return .v2("/sys/fs/cgroup") }
        var mounts: [String: String] = [:]
        for (point, type, options) in mountTable() where type == "cgroup" {
            for option in options where ["cpu", "cpuacct", "memory", "pids", "cpuset", "blkio", "freezer", "hugetlb", "devices"].contains(option) {
                mounts[option] = point
            }
        }
        return .v1(mounts)
    }

    /// Every cgroup hierarchy mounted (v1 controllers, name=systemd, the unified tree).
    static func allHierarchies() -> [String] {
        Array(Set(mountTable().filter { $0.1 == "cgroup" || $0.1 == "cgroup2" }.map(\.0))).sorted()
    }

    private static func mountTable() -> [(String, String, [String])] {
        guard let text = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 4 else { return nil }
            return (String(fields[1]), String(fields[2]), fields[3].split(separator: ",").map(String.init))
        }
    }
}
