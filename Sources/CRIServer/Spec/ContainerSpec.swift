// A CRI container config, its image and its sandbox, turned into an OCI config the way
// containerd's CRI plugin does: the image's entrypoint/cmd/env/user/workdir as the defaults
// the request overrides, the sandbox's namespaces joined, and the security context mapped.
import CRIAPI
import CSkiffSystem
import Foundation
import ImageStore
import OCISpec
import RuntimeCore

struct ContainerSpecInput {
    var id: String
    var config: ContainerConfig
    var sandbox: SandboxRecord
    var sandboxFiles: SandboxSpec.Files
    var image: ImageDetails
    /// The mounted rootfs, to read /etc/passwd and /etc/group from.
    var rootfs: String
}

enum ContainerSpec {
    /// Docker's and containerd's default capabilities.
    static let defaultCapabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ]

    static func make(_ input: ContainerSpecInput) throws -> Spec {
        let config = input.config
        let security = config.linux.securityContext
        var spec = Spec.defaultSpec()
        spec.root = Root(path: "rootfs", readonly: security.readonlyRootfs)
        spec.hostname = input.sandbox.hostNetwork ? nil : input.sandbox.config.hostname

        var process = spec.process!
        process.terminal = config.tty
        process.args = try arguments(config, image: input.image)
        process.env = environment(config, image: input.image)
        process.cwd = !config.workingDir.isEmpty ? config.workingDir : (input.image.workingDir.isEmpty ? "/" : input.image.workingDir)
        process.user = try user(security, image: input.image, rootfs: input.rootfs)
        process.noNewPrivileges = security.noNewPrivs
        process.rlimits = nil
        let capabilities = try capabilitySet(security)
        process.capabilities = Capabilities(bounding: capabilities, effective: capabilities, inheritable: [],
                                            permitted: capabilities, ambient: [])
        let resources = config.linux.resources
        if resources.oomScoreAdj != 0 { process.oomScoreAdj = Int(resources.oomScoreAdj) }
        spec.process = process

        var linux = spec.linux!
        linux.namespaces = namespaces(security.namespaceOptions, sandbox: input.sandbox)
        linux.cgroupsPath = SandboxSpec.cgroupsPath(parent: input.sandbox.config.linux.cgroupParent, id: input.id)
        linux.resources = ociResources(resources, devices: try deviceRules(config.devices, privileged: security.privileged))
        linux.devices = try config.devices.map(device)
        if security.privileged {
            linux.maskedPaths = nil
            linux.readonlyPaths = nil
        } else {
            if !security.maskedPaths.isEmpty { linux.maskedPaths = security.maskedPaths }
            if !security.readonlyPaths.isEmpty { linux.readonlyPaths = security.readonlyPaths }
            linux.seccomp = try seccomp(security)
        }
        spec.linux = linux
        spec.mounts = try mounts(input)
        spec.annotations = config.annotations.merging([
            "io.kubernetes.cri.container-type": "container",
            "io.kubernetes.cri.container-name": config.metadata.name,
            "io.kubernetes.cri.sandbox-id": input.sandbox.id,
            "io.kubernetes.cri.sandbox-name": input.sandbox.config.metadata.name,
            "io.kubernetes.cri.sandbox-namespace": input.sandbox.config.metadata.namespace,
            "io.kubernetes.cri.sandbox-uid": input.sandbox.config.metadata.uid,
            "io.kubernetes.cri.image-name": input.image.record.names.first ?? input.image.id.description,
        ]) { _, ours in ours }
        return spec
    }

    /// Kubernetes' rule: command replaces the entrypoint (and drops the image's cmd); args
    /// replace the cmd.
    static func arguments(_ config: ContainerConfig, image: ImageDetails) throws -> [String] {
        let args: [String]
        if !config.command.isEmpty {
            args = config.command + config.args
        } else {
            args = image.entrypoint + (config.args.isEmpty ? image.cmd : config.args)
        }
        guard !args.isEmpty else {
            throw CRIError.invalidArgument("container \(config.metadata.name): no command: neither the config nor the image gives one")
        }
        return args
    }

    /// The image's env, then the config's, a later key replacing an earlier one.
    static func environment(_ config: ContainerConfig, image: ImageDetails) -> [String] {
        var order: [String] = [], values: [String: String] = [:]
        func set(_ key: String, _ value: String) {
            if values[key] == nil { order.append(key) }
            values[key] = value
        }
        for entry in image.env {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            set(String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        if values["PATH"] == nil { set("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") }
        for kv in config.envs { set(kv.key, kv.value) }
        if config.tty && values["TERM"] == nil { set("TERM", "xterm") }
        return order.map { "\($0)=\(values[$0]!)" }
    }

    /// runAsUser/runAsGroup, else runAsUsername, else the image's USER; names are looked up in
    /// the container's own /etc/passwd and /etc/group, as the runtime would.
    static func user(_ security: LinuxContainerSecurityContext, image: ImageDetails, rootfs: String) throws -> User {
        let accounts = UserDatabase(rootfs: rootfs)
        var uid: UInt32 = 0, gid: UInt32? = nil, name: String? = nil
        if let runAs = security.runAsUser {
            uid = UInt32(clamping: runAs.value)
        } else {
            let spec = !security.runAsUsername.isEmpty ? security.runAsUsername : image.user
            if !spec.isEmpty {
                let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
                if let n = UInt32(parts[0]) { uid = n } else {
                    guard let entry = accounts.user(named: parts[0]) else {
                        throw CRIError.invalidArgument("user \"\(parts[0])\" is not in the image's /etc/passwd")
                    }
                    uid = entry.uid; gid = entry.gid; name = parts[0]
                }
                if parts.count > 1 {
                    if let n = UInt32(parts[1]) { gid = n } else {
                        guard let g = accounts.group(named: parts[1]) else {
                            throw CRIError.invalidArgument("group \"\(parts[1])\" is not in the image's /etc/group")
                        }
                        gid = g
                    }
                }
            }
        }
        if name == nil, let entry = accounts.user(id: uid) {
            name = entry.name
            if gid == nil { gid = entry.gid }
        }
        if let runAs = security.runAsGroup { gid = UInt32(clamping: runAs.value) }
        var groups = security.supplementalGroups.map { UInt32(clamping: $0) }
        if security.supplementalGroupsPolicy == .merge, let name { groups = accounts.groups(of: name) + groups }
        var seen = Set<UInt32>()
        groups = groups.filter { seen.insert($0).inserted }
        return User(uid: uid, gid: gid ?? 0, additionalGids: groups.isEmpty ? nil : groups)
    }

    /// The default set, plus and minus what the context says ("ALL" included); everything when privileged.
    static func capabilitySet(_ security: LinuxContainerSecurityContext) throws -> [String] {
        if security.privileged { return CapabilitySet.allNames }
        func normalized(_ names: [String]) throws -> [String] {
            try names.map { name in
                if name.uppercased() == "ALL" { return "ALL" }
                let full = name.uppercased().hasPrefix("CAP_") ? name.uppercased() : "CAP_" + name.uppercased()
                guard CapabilitySet.allNames.contains(full) else {
                    throw CRIError.invalidArgument("unknown capability \"\(name)\"")
                }
                return full
            }
        }
        let add = try normalized(security.capabilities.addCapabilities)
        let drop = try normalized(security.capabilities.dropCapabilities)
        var caps = defaultCapabilities
        if add.contains("ALL") { caps = CapabilitySet.allNames }
        for c in add where c != "ALL" && !caps.contains(c) { caps.append(c) }
        if drop.contains("ALL") { caps = add.filter { $0 != "ALL" } }
        caps.removeAll { drop.contains($0) }
        return caps
    }

    static func namespaces(_ options: NamespaceOption, sandbox: SandboxRecord) -> [OCISpec.Namespace] {
        let pause = "/proc/\(sandbox.pid)/ns/"
        var list = [OCISpec.Namespace(type: "mount")]
        switch options.pid {
        case .pod: list.append(.init(type: "pid", path: pause + "pid"))
        case .container, .target: list.append(.init(type: "pid"))
        case .node: break
        }
        if sandbox.namespaceOptions.ipc != .node { list.append(.init(type: "ipc", path: pause + "ipc")) }
        if !sandbox.hostNetwork {
            list.append(.init(type: "uts", path: pause + "uts"))
            list.append(.init(type: "network", path: sandbox.netnsPath))
        }
        return list
    }

    static func ociResources(_ r: LinuxContainerResources, devices: [Resources.DeviceCgroup]) -> Resources {
        var out = Resources()
        out.devices = devices
        var cpu = Resources.CPU()
        if r.cpuShares > 0 { cpu.shares = UInt64(r.cpuShares) }
        if r.cpuQuota > 0 { cpu.quota = r.cpuQuota }
        if r.cpuPeriod > 0 { cpu.period = UInt64(r.cpuPeriod) }
        if !r.cpusetCpus.isEmpty { cpu.cpus = r.cpusetCpus }
        if !r.cpusetMems.isEmpty { cpu.mems = r.cpusetMems }
        if cpu != Resources.CPU() { out.cpu = cpu }
        if r.memoryLimitInBytes > 0 {
            var memory = Resources.Memory()
            memory.limit = r.memoryLimitInBytes
            if r.memorySwapLimitInBytes > 0 { memory.swap = r.memorySwapLimitInBytes }
            out.memory = memory
        }
        if !r.hugepageLimits.isEmpty {
            out.hugepageLimits = r.hugepageLimits.map { Resources.HugepageLimit(pageSize: $0.pageSize, limit: $0.limit) }
        }
        if !r.unified.isEmpty { out.unified = r.unified }
        return out
    }

    static func seccomp(_ security: LinuxContainerSecurityContext) throws -> Seccomp? {
        let profile = security.seccomp ?? profileFromPath(security.seccompProfilePath)
        guard let profile else { return nil }   // unset: unconfined, as containerd
        switch profile.profileType {
        case .unconfined: return nil
        case .runtimeDefault: return DefaultSeccompProfile.profile
        case .localhost:
            let path = profile.localhostRef
            guard path.hasPrefix("/") else {
                throw CRIError.invalidArgument("seccomp profile \"\(path)\": a Localhost profile must be an absolute path")
            }
            do {
                return try JSONDecoder().decode(Seccomp.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw CRIError.invalidArgument("seccomp profile \(path): \(error)")
            }
        }
    }

    /// The deprecated string form: "runtime/default", "unconfined", "localhost/<path>".
    static func profileFromPath(_ path: String) -> SecurityProfile? {
        var p = SecurityProfile()
        switch path {
        case "": return nil
        case "runtime/default", "docker/default": p.profileType = .runtimeDefault
        case "unconfined": p.profileType = .unconfined
        default:
            guard path.hasPrefix("localhost/") else { return nil }
            p.profileType = .localhost
            p.localhostRef = String(path.dropFirst("localhost".count))
        }
        return p
    }

    static func device(_ d: CRIAPI.Device) throws -> OCISpec.Device {
        var st = stat()
        guard stat(d.hostPath, &st) == 0 else {
            throw CRIError.invalidArgument("device \(d.hostPath): \(String(cString: strerror(errno)))")
        }
        let kind: String
        switch st.st_mode & S_IFMT {
        case S_IFCHR: kind = "c"
        case S_IFBLK: kind = "b"
        default: throw CRIError.invalidArgument("device \(d.hostPath) is not a device node")
        }
        return OCISpec.Device(type: kind, path: d.containerPath.isEmpty ? d.hostPath : d.containerPath,
                              major: Int64(sk_major(st.st_rdev)), minor: Int64(sk_minor(st.st_rdev)),
                              fileMode: st.st_mode & 0o777, uid: 0, gid: 0)
    }

    /// Deny all, then allow the runtime's defaults (it adds them) and each requested device.
    static func deviceRules(_ devices: [CRIAPI.Device], privileged: Bool) throws -> [Resources.DeviceCgroup] {
        if privileged { return [Resources.DeviceCgroup(allow: true, access: "rwm")] }
        var rules = [Resources.DeviceCgroup(allow: false, access: "rwm")]
        for d in devices {
            let node = try device(d)
            rules.append(Resources.DeviceCgroup(allow: true, type: node.type, major: node.major, minor: node.minor,
                                                access: d.permissions.isEmpty ? "rwm" : d.permissions))
        }
        return rules
    }

    static func mounts(_ input: ContainerSpecInput) throws -> [OCISpec.Mount] {
        let config = input.config
        let requested = Set(config.mounts.map(\.containerPath))
        var mounts = (Spec.defaultSpec().mounts ?? []).filter { !requested.contains($0.destination) }
        // /dev/shm is the pod's, shared over its IPC namespace; with host IPC it is the node's,
        // since POSIX shared memory lives there (as containerd and CRI-O mount it).
        let shm = input.sandbox.namespaceOptions.ipc == .node ? "/dev/shm" : input.sandboxFiles.shm
        mounts = mounts.map { m in
            guard m.destination == "/dev/shm" else { return m }
            return OCISpec.Mount(destination: "/dev/shm", type: "bind", source: shm,
                                 options: ["rbind", "rprivate", "nosuid", "nodev", "noexec"])
        }
        if config.linux.securityContext.privileged {
            mounts = mounts.map { m in
                var m = m
                if m.destination == "/sys" || m.destination == "/sys/fs/cgroup" { m.options = m.options?.map { $0 == "ro" ? "rw" : $0 } }
                return m
            }
        }
        let readonlyRoot = config.linux.securityContext.readonlyRootfs
        for (file, path) in [(input.sandboxFiles.hostname, "/etc/hostname"), (input.sandboxFiles.resolvConf, "/etc/resolv.conf"),
                             (input.sandboxFiles.hosts, "/etc/hosts")]
        where !requested.contains(path) && FileIO.exists(file) {
            mounts.append(OCISpec.Mount(destination: path, type: "bind", source: file,
                                        options: ["rbind", "rprivate"] + (readonlyRoot ? ["ro"] : [])))
        }
        for m in config.mounts {
            guard m.containerPath.hasPrefix("/") else {
                throw CRIError.invalidArgument("mount \(m.hostPath): container path \"\(m.containerPath)\" is not absolute")
            }
            guard !m.hostPath.isEmpty else {
                throw CRIError.invalidArgument("mount at \(m.containerPath): no host path")
            }
            // A missing host directory is made, as Docker and CRI-O do.
            if !FileIO.exists(m.hostPath) { try? FileManager.default.createDirectory(atPath: m.hostPath, withIntermediateDirectories: true) }
            var options = ["rbind"]
            switch m.propagation {
            case .private: options.append("rprivate")
            case .hostToContainer: options.append("rslave")
            case .bidirectional: options.append("rshared")
            }
            if m.readonly { options.append("ro") }
            mounts.append(OCISpec.Mount(destination: m.containerPath, type: "bind", source: m.hostPath, options: options))
        }
        return mounts
    }
}
