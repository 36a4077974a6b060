// `create`: from a bundle to a container whose process waits for `start`.
// The runtime validates everything it can first; whatever it then creates (state directory,
// cgroup, processes) is undone if a later step fails.
import CSkiffSystem
import Glibc
import OCISpec

public struct CreateOptions {
    public var id: String
    public var bundle: String
    public var pidFile: String?
    public var consoleSocket: String?
    public var noPivot = false
    public var noNewKeyring = false
    public var preserveFDs = 0
    public init(id: String, bundle: String) { self.id = id; self.bundle = bundle }
}

extension Runtime {
    /// Creates the container. With `consoleReceiver` (run -t without a console socket) the
    /// terminal's master fd is returned to the caller.
    public func create(_ options: CreateOptions, consoleReceiver: Bool = false) throws -> (Container, consoleMaster: Int32?) {
        try validate(id: options.id)
        let bundle = try realPath(options.bundle, what: "bundle")
        let configBytes = try FileIO.read(joinPath(bundle, "config.json"))
        let spec = try Spec.decode(configBytes)
        try Validation.validate(spec, bundle: bundle)
        let process = spec.process!
        let linux = spec.linux ?? Linux()
        let rootPath = spec.root!.path
        let rootfs = try realPath(rootPath.hasPrefix("/") ? rootPath : joinPath(bundle, rootPath), what: "root.path")
        if let profile = process.apparmorProfile, !profile.isEmpty, !LSM.apparmorEnabled {
            log.debug("process.apparmorProfile \(profile) ignored: AppArmor is not enabled on this kernel")
        }
        if let label = process.selinuxLabel, !label.isEmpty, !LSM.selinuxEnabled {
            log.debug("process.selinuxLabel \(label) ignored: SELinux is not enabled on this kernel")
        }
        if process.terminal == true && options.consoleSocket == nil && !consoleReceiver {
            throw RuntimeError("process.terminal is true: --console-socket is required to receive the terminal")
        }

        let rollback = Rollback()
        do {
            try FileIO.mkdirAll(root, mode: 0o711)
            let directory = self.directory(of: options.id)
            if mkdir(directory, 0o711) < 0 {
                if errno == EEXIST { throw RuntimeError("container \(options.id) already exists") }
                throw RuntimeError.system("mkdir \(directory)")
            }
            rollback.add { FileIO.removeAll(directory) }
            try FileIO.writeAtomically(joinPath(directory, "config.json"), configBytes)
            let fifoPath = joinPath(directory, "exec.fifo")
            try check(mkfifo(fifoPath, 0o600), "mkfifo \(fifoPath)")

            try Cgroups.requireCgroupfs(systemd: systemdCgroup)
            let layout = try CgroupLayout.current()
            let cgroup = try Cgroups.manager(layout: layout, cgroupsPath: linux.cgroupsPath, id: options.id,
                                             devices: linux.devices)

            var plan = LaunchPlan(kind: .container, id: options.id, bundle: bundle, rootfs: rootfs, spec: spec,
                                  process: process,
                                  state: State(id: options.id, status: .creating, pid: nil, bundle: bundle,
                                               annotations: spec.annotations))
            plan.join = try LaunchPlan.namespacesToJoin(linux)
            defer { plan.join.forEach { close($0.fd) } }
            // The user namespace comes first, on its own; the cgroup namespace last, from inside the cgroup.
            for kind in NamespaceKind.allCases where kind != .user && kind != .cgroup && linux.createsNamespace(kind) {
                plan.unshareFlags |= kind.cloneFlag
            }
            plan.createsCgroupNamespace = linux.createsNamespace(.cgroup)
            plan.cgroupMounts = CgroupMountPoints.of(cgroup.record, layout: layout)
            plan.createsUserNamespace = linux.createsNamespace(.user)
            plan.inUserNamespace = linux.namespace(.user) != nil
            plan.inCgroupNamespace = linux.namespace(.cgroup) != nil
            plan.fifo = try check(open(fifoPath, O_RDWR | O_CLOEXEC), "open \(fifoPath)")
            defer { close(plan.fifo) }
            plan.noPivot = options.noPivot
            plan.noNewKeyring = options.noNewKeyring
            plan.preserveFDs = options.preserveFDs
            try plan.useSeccomp(linux.seccomp)
            defer { plan.seccompAgent?.close() }

            let consoleMasterReceiver = process.terminal == true ? try plan.connectConsole(options.consoleSocket) : -1
            defer { if plan.consoleSocket >= 0 { close(plan.consoleSocket) } }

            let makeCgroup = {
                try cgroup.create(resources: linux.resources)
                rollback.add { try? cgroup.destroy() }
            }
            let launched = try launch(plan, cgroup: cgroup, rollback: rollback, prepareCgroup: makeCgroup) { channel, initPID in
                // The container's mounts are made; the runtime's hooks run now, before pivot_root.
                _ = try channel.expect("mounted", from: "container process")
                var state = plan.state
                state.pid = initPID
                try HookRunner.run(spec.hooks?.prestart, kind: "prestart", state: state)
                try HookRunner.run(spec.hooks?.createRuntime, kind: "createRuntime", state: state)
                try channel.send("ok \(initPID)")
                _ = try channel.expect("ready", from: "container process")
            }
            var master: Int32? = nil
            if consoleMasterReceiver >= 0 {
                master = try checkNeg(sk_recv_fd(consoleMasterReceiver), "receive the terminal")
                close(consoleMasterReceiver)
            }

            guard let stat = ProcStat(pid: launched.pid) else { throw RuntimeError("container process \(launched.pid) died during create") }
            let record = ContainerRecord(id: options.id, bundle: bundle, rootfs: rootfs, pid: launched.pid,
                                         pidStartTime: stat.startTime, created: rfc3339Now(),
                                         owner: userName(getuid()), cgroup: cgroup.record, annotations: spec.annotations,
                                         poststart: spec.hooks?.poststart, poststop: spec.hooks?.poststop,
                                         hasPIDNamespace: linux.namespace(.pid) != nil)
            try save(record, in: directory)
            if let pidFile = options.pidFile { try writePIDFile(pidFile, launched.pid) }
            try launched.channel.send("ack")
            launched.channel.close()
            rollback.cancel()
            return (Container(directory: directory, record: record), master)
        } catch {
            rollback.run()
            throw error
        }
    }

    func realPath(_ path: String, what: String) throws -> String {
        guard let resolved = realpath(path, nil) else { throw RuntimeError.system("\(what) \(path)") }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    func writePIDFile(_ path: String, _ pid: Int32) throws {
        let absolute = path.hasPrefix("/") ? path : joinPath(currentDirectory(), path)
        try FileIO.writeAtomically(absolute, Array(String(pid).utf8), mode: 0o644)
    }
}

func currentDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
    return getcwd(&buffer, buffer.count) != nil ? String(cString: buffer) : "/"
}

func userName(_ uid: uid_t) -> String {
    if let passwd = FileIO.readIfExists("/etc/passwd") {
        for line in passwd.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            if f.count > 2, UInt32(f[2]) == uid { return String(f[0]) }
        }
    }
    return String(uid)
}
