// Which cgroup hierarchies this host has and where they are mounted, read from
// /proc/self/mountinfo. The runtime also uses this to mount `cgroup` filesystems inside a
// container with the same controller groupings as the host.
import Glibc

public struct CgroupLayout: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable {
        /// Only cgroup v1 hierarchies.
        case legacy
        /// v1 controllers, plus a cgroup2 mount (usually /sys/fs/cgroup/unified) that tracks processes.
        case hybrid
        /// /sys/fs/cgroup itself is cgroup2.
        case unified
    }

    /// One mounted cgroup v1 hierarchy.
    public struct V1Hierarchy: Sendable, Equatable {
        public var mountPoint: String
        /// The cgroup this mount shows at its mount point ("/" unless bind-mounted from deeper).
        public var root: String
        /// Controllers attached to it, e.g. ["cpu", "cpuacct"]; empty for a named-only hierarchy.
        public var controllers: [String]
        /// "systemd" for `name=systemd`.
        public var name: String?

        /// The controller part of the mount options, as given to mount(2): "cpu,cpuacct", "name=systemd".
        public var options: String {
            (controllers + (name.map { ["name=\($0)"] } ?? [])).joined(separator: ",")
        }

        /// The key this hierarchy has in /proc/<pid>/cgroup and in a CgroupRecord.
        public var key: String { options }

        /// The directory name under /sys/fs/cgroup: "cpu,cpuacct", "systemd".
        public var directoryName: String { String(mountPoint.split(separator: "/").last ?? "") }

        /// For controllers mounted together, the names that hosts (and runc inside containers)
        /// add as symlinks to the joined directory: "cpu" and "cpuacct" -> "cpu,cpuacct".
        public var symlinkNames: [String] {
            controllers.count > 1 ? controllers.filter { $0 != directoryName } : []
        }

        public init(mountPoint: String, root: String = "/", controllers: [String], name: String? = nil) {
            self.mountPoint = mountPoint; self.root = root; self.controllers = controllers; self.name = name
        }
    }

    public var mode: Mode
    public var v1Hierarchies: [V1Hierarchy]
    /// The cgroup2 mount: /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid ones.
    public var unifiedMountPoint: String?

    public init(mode: Mode, v1Hierarchies: [V1Hierarchy], unifiedMountPoint: String?) {
        self.mode = mode; self.v1Hierarchies = v1Hierarchies; self.unifiedMountPoint = unifiedMountPoint
    }

    /// The layout of the calling process's mount namespace.
    public static func current() throws -> CgroupLayout {
        let text: String
        do { text = try FileIO.readString("/proc/self/mountinfo") } catch {
            throw RuntimeError("cgroups: \(error)")
        }
        let layout = parse(mountinfo: text)
        if layout.mode == .legacy && layout.v1Hierarchies.isEmpty {
            throw RuntimeError("cgroups: no cgroup filesystem is mounted (see /proc/self/mountinfo)")
        }
        return layout
    }

    /// The hierarchy a v1 controller (or "name=systemd") is attached to.
    public func hierarchy(for controller: String) -> V1Hierarchy? {
        if controller.hasPrefix("name=") {
            let name = String(controller.dropFirst(5))
            return v1Hierarchies.first { $0.name == name }
        }
        return v1Hierarchies.first { $0.controllers.contains(controller) }
    }

    /// Every controller attached to some v1 hierarchy.
    public var v1Controllers: Set<String> { Set(v1Hierarchies.flatMap(\.controllers)) }

    /// Builds the layout from mountinfo text (pure, for tests).
    public static func parse(mountinfo: String) -> CgroupLayout {
        var hierarchies: [V1Hierarchy] = []
        var cgroup2Mounts: [String] = []
        var cgroupRootType: String?  // of the last (visible) mount on /sys/fs/cgroup
        for line in mountinfo.split(separator: "\n") {
            guard let mount = MountinfoLine(line) else { continue }
            if mount.mountPoint == "/sys/fs/cgroup" { cgroupRootType = mount.fsType }
            switch mount.fsType {
            case "cgroup2":
                cgroup2Mounts.append(mount.mountPoint)
            case "cgroup":
                let (controllers, name) = controllerOptions(mount.superOptions)
                if controllers.isEmpty && name == nil { continue }
                let h = V1Hierarchy(mountPoint: mount.mountPoint, root: mount.root, controllers: controllers, name: name)
                // A hierarchy mounted twice (bind mounts) is listed once: the first mount wins.
                if !hierarchies.contains(where: { $0.key == h.key }) { hierarchies.append(h) }
            default:
                continue
            }
        }
        // As runc decides: unified exactly when /sys/fs/cgroup itself is cgroup2.
        if cgroupRootType == "cgroup2" {
            return CgroupLayout(mode: .unified, v1Hierarchies: [], unifiedMountPoint: "/sys/fs/cgroup")
        }
        // Hybrid means systemd's layout: cgroup2 at /sys/fs/cgroup/unified beside the v1
        // hierarchies (runc's test too). A cgroup2 mounted elsewhere is only used when there is
        // nothing else.
        if cgroup2Mounts.contains("/sys/fs/cgroup/unified") && !hierarchies.isEmpty {
            return CgroupLayout(mode: .hybrid, v1Hierarchies: hierarchies, unifiedMountPoint: "/sys/fs/cgroup/unified")
        }
        if hierarchies.isEmpty, let first = cgroup2Mounts.first {
            return CgroupLayout(mode: .unified, v1Hierarchies: [], unifiedMountPoint: first)
        }
        return CgroupLayout(mode: .legacy, v1Hierarchies: hierarchies, unifiedMountPoint: nil)
    }

    /// Splits cgroup v1 super options ("rw,cpu,cpuacct", "rw,xattr,name=systemd") into the
    /// controllers and the hierarchy name, dropping the generic mount options.
    static func controllerOptions(_ options: String) -> (controllers: [String], name: String?) {
        let generic: Set<String> = ["rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode",
                                    "favordynmods", "nofavordynmods", "none", "sane_behavior"]
        var controllers: [String] = []
        var name: String?
        for option in options.split(separator: ",").map(String.init) {
            if option.hasPrefix("name=") {
                name = String(option.dropFirst(5))
            } else if !generic.contains(option) && !option.contains("=") {
                controllers.append(option)
            }
        }
        return (controllers, name)
    }
}
