// Checks config.json before anything is created, so that a bad config fails `create` with an
// error naming the field and leaves nothing behind.
import Glibc
import OCISpec

public enum Validation {
    public static func validate(_ spec: Spec, bundle: String) throws {
        guard let version = spec.ociVersion, !version.isEmpty else { throw field("ociVersion", "required field is missing") }
        guard version.hasPrefix("1.") else { throw field("ociVersion", "unsupported version \"\(version)\" (want 1.x)") }
        guard let root = spec.root, !root.path.isEmpty else { throw field("root.path", "required field is missing") }
        let rootfs = root.path.hasPrefix("/") ? root.path : joinPath(bundle, root.path)
        guard FileIO.isDirectory(rootfs) else { throw field("root.path", "\(rootfs) is not a directory") }

        guard let process = spec.process else { throw field("process", "required field is missing") }
        try validate(process, path: "process")

        let linux = spec.linux ?? Linux()
        try validateNamespaces(linux)
        if spec.hostname.map({ !$0.isEmpty }) == true && linux.namespace(.uts) == nil {
            throw field("hostname", "setting a hostname needs a private UTS namespace (linux.namespaces has no uts)")
        }
        if spec.domainname.map({ !$0.isEmpty }) == true && linux.namespace(.uts) == nil {
            throw field("domainname", "setting a domainname needs a private UTS namespace (linux.namespaces has no uts)")
        }
        if linux.namespace(.mount) == nil {
            throw field("linux.namespaces", "a mount namespace is required")
        }
        for (index, mount) in (spec.mounts ?? []).enumerated() {
            if mount.destination.isEmpty { throw field("mounts[\(index)].destination", "must not be empty") }
            for (i, option) in (mount.options ?? []).enumerated() where option.isEmpty {
                throw field("mounts[\(index)].options[\(i)]", "empty mount option")
            }
        }
        for (index, device) in (linux.devices ?? []).enumerated() {
            try validate(device, path: "linux.devices[\(index)]")
        }
        for (key, _) in linux.sysctl ?? [:] {
            try validateSysctl(key, linux: linux)
        }
        if let offsets = linux.timeOffsets, !offsets.isEmpty {
            guard linux.createsNamespace(.time) else {
                throw field("linux.timeOffsets", "time offsets need a new time namespace")
            }
            for key in offsets.keys where key != "monotonic" && key != "boottime" {
                throw field("linux.timeOffsets.\(key)", "unknown clock (want monotonic or boottime)")
            }
        }
        if let propagation = linux.rootfsPropagation, !propagation.isEmpty,
           MountOptions.propagation[propagation] == nil {
            throw field("linux.rootfsPropagation", "unknown propagation \"\(propagation)\"")
        }
        if let seccomp = linux.seccomp { try SeccompFilter.validate(seccomp) }
        if let hooks = spec.hooks { try validate(hooks) }
        if let personality = linux.personality, Personality.domain(personality.domain) == nil {
            throw field("linux.personality.domain", "unknown domain \"\(personality.domain)\"")
        }
    }

    public static func validate(_ process: Process, path: String) throws {
        guard let args = process.args, !args.isEmpty, !args[0].isEmpty else {
            throw field("\(path).args", "must name the program to run")
        }
        guard process.cwd.hasPrefix("/") else { throw field("\(path).cwd", "must be an absolute path, got \"\(process.cwd)\"") }
        for (index, entry) in (process.env ?? []).enumerated() where !entry.contains("=") {
            throw field("\(path).env[\(index)]", "\"\(entry)\" is not NAME=VALUE")
        }
        var seen = Set<String>()
        for (index, limit) in (process.rlimits ?? []).enumerated() {
            guard Rlimits.resource(limit.type) != nil else {
                throw field("\(path).rlimits[\(index)].type", "unknown rlimit \"\(limit.type)\"")
            }
            guard seen.insert(limit.type).inserted else {
                throw field("\(path).rlimits[\(index)].type", "\(limit.type) is set twice")
            }
            if limit.soft > limit.hard {
                throw field("\(path).rlimits[\(index)]", "soft limit \(limit.soft) is above hard limit \(limit.hard)")
            }
        }
        try CapabilitySet.validate(process.capabilities)
        try Scheduling.validate(process, path: path)
        if let score = process.oomScoreAdj, score < -1000 || score > 1000 {
            throw field("\(path).oomScoreAdj", "\(score) is outside -1000...1000")
        }
    }

    static func validate(_ hooks: Hooks) throws {
        let kinds: [(String, [Hook]?)] = [("prestart", hooks.prestart), ("createRuntime", hooks.createRuntime),
                                          ("createContainer", hooks.createContainer), ("startContainer", hooks.startContainer),
                                          ("poststart", hooks.poststart), ("poststop", hooks.poststop)]
        for (kind, list) in kinds {
            for (index, hook) in (list ?? []).enumerated() {
                guard hook.path.hasPrefix("/") else {
                    throw field("hooks.\(kind)[\(index)].path", "must be an absolute path, got \"\(hook.path)\"")
                }
                if let timeout = hook.timeout, timeout <= 0 {
                    throw field("hooks.\(kind)[\(index)].timeout", "must be greater than zero, got \(timeout)")
                }
            }
        }
    }

    static func validateNamespaces(_ linux: Linux) throws {
        var seen = Set<String>()
        for (index, ns) in (linux.namespaces ?? []).enumerated() {
            guard NamespaceKind(rawValue: ns.type) != nil else {
                throw field("linux.namespaces[\(index)].type", "unknown namespace type \"\(ns.type)\"")
            }
            guard seen.insert(ns.type).inserted else {
                throw field("linux.namespaces[\(index)].type", "namespace \"\(ns.type)\" is listed twice")
            }
            if let path = ns.path, !path.isEmpty {
                guard FileIO.exists(path) else {
                    throw field("linux.namespaces[\(index)].path", "\(path) does not exist")
                }
            }
        }
        let createsUser = linux.createsNamespace(.user)
        if createsUser && (linux.uidMappings ?? []).isEmpty {
            throw field("linux.uidMappings", "a new user namespace needs uid mappings")
        }
        if createsUser && (linux.gidMappings ?? []).isEmpty {
            throw field("linux.gidMappings", "a new user namespace needs gid mappings")
        }
        if !createsUser && !((linux.uidMappings ?? []).isEmpty && (linux.gidMappings ?? []).isEmpty) {
            throw field("linux.uidMappings", "id mappings need a new user namespace")
        }
    }

    static func validate(_ device: Device, path: String) throws {
        guard device.path.hasPrefix("/") else { throw field("\(path).path", "must be absolute, got \"\(device.path)\"") }
        switch device.type {
        case "c", "b", "u":
            guard device.major != nil, device.minor != nil else {
                throw field(path, "major and minor are required for type \"\(device.type)\"")
            }
        case "p": break
        default: throw field("\(path).type", "unknown device type \"\(device.type)\" (want c, b, u or p)")
        }
    }

    /// Sysctls are allowed only where they are namespaced and the container has that namespace.
    static func validateSysctl(_ key: String, linux: Linux) throws {
        let ipcKeys: Set<String> = ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
                                    "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"]
        if ipcKeys.contains(key) || key.hasPrefix("fs.mqueue.") {
            if linux.namespace(.ipc) == nil { throw field("linux.sysctl.\(key)", "needs a private IPC namespace") }
            return
        }
        if key.hasPrefix("net.") {
            guard let ns = linux.namespace(.network) else {
                throw field("linux.sysctl.\(key)", "needs a private network namespace")
            }
            if let path = ns.path, !path.isEmpty, sameNamespace(path, "/proc/self/ns/net") {
                throw field("linux.sysctl.\(key)", "the container joins the host's network namespace")
            }
            return
        }
        if key == "kernel.hostname" || key == "kernel.domainname" {
            if linux.namespace(.uts) == nil { throw field("linux.sysctl.\(key)", "needs a private UTS namespace") }
            return
        }
        throw field("linux.sysctl.\(key)", "not a namespaced sysctl: it would change the host")
    }

    static func sameNamespace(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    static func field(_ name: String, _ problem: String) -> RuntimeError {
        RuntimeError("config.json: \(name): \(problem)")
    }
}
