// The container's process, from fork to execve, in the order the runtime-spec implies:
// root filesystem, hooks, devices, pivot_root, kernel settings, terminal, limits, identity,
// privileges, and the wait for `start`. Each step fails with an error naming it; the error
// goes back to the runtime, which cleans up.
import CSkiffSystem
import Glibc
import OCISpec

enum ContainerProcess {
    static func run(_ plan: LaunchPlan, channel: SyncChannel) -> Never {
        do {
            // Until setup is done, die with the runtime; and keep /proc/<pid> closed to the
            // container's processes while we still hold host resources.
            _ = sk_set_pdeathsig(SIGKILL)
            _ = sk_set_dumpable(0)
            let (program, state): (String, State)
            switch plan.kind {
            case .container: (program, state) = try setUpContainer(plan, channel: channel)
            case .exec: (program, state) = (try setUpExec(plan, channel: channel), plan.state)
            }
            try execute(program, plan, state: state)
            _exit(127)
        } catch {
            try? channel.send("error \(error)")
            _exit(1)
        }
    }

    // MARK: a new container

    private static func setUpContainer(_ plan: LaunchPlan, channel: SyncChannel) throws -> (String, State) {
        let spec = plan.spec, linux = plan.linux, process = plan.process
        _ = setsid()
        try RootfsSetup.prepare(rootfs: plan.rootfs, propagation: linux.rootfsPropagation)
        let fifo = plan.fifo

        let rootfs = try RootfsDirectory(path: plan.rootfs)
        let mounter = Mounter(rootfs: rootfs, bundle: plan.bundle, inUserNamespace: plan.inUserNamespace,
                              inCgroupNamespace: plan.inCgroupNamespace, cgroupMounts: plan.cgroupMounts)
        var inCgroup = false
        for (index, mount) in (spec.mounts ?? []).enumerated() {
            if !inCgroup && (mount.type == "cgroup" || mount.type == "cgroup2") {
                try enterCgroup(plan, channel: channel)
                inCgroup = true
            }
            try mounter.mount(mount, index: index)
        }
        if !inCgroup { try enterCgroup(plan, channel: channel) }
        // The working directory exists before the user switch, as runc makes it.
        close(try rootfs.open(process.cwd, creating: .directory))

        try channel.send("mounted")
        let hostPID = try channel.expect("ok", from: "runtime")
        var state = plan.state
        state.pid = Int32(hostPID)
        try HookRunner.run(spec.hooks?.createContainer, kind: "createContainer", state: state)

        try Devices.create(linux.devices ?? [], in: rootfs, bindFromHost: plan.inUserNamespace)
        let hasDevpts = (spec.mounts ?? []).contains { $0.destination == "/dev/pts" && $0.type == "devpts" }
        try Devices.createSymlinks(in: rootfs, hasDevpts: hasDevpts)
        rootfs.close()

        if plan.noPivot { try RootfsSetup.moveRoot(to: plan.rootfs) } else { try RootfsSetup.pivot(to: plan.rootfs) }
        if let propagation = linux.rootfsPropagation, propagation.contains("shared") || propagation.contains("unbindable"),
           let flag = MountOptions.propagation[propagation] {
            try check(mount(nil, "/", nil, flag, nil), "make / \(propagation)")
        }

        for (key, value) in (linux.sysctl ?? [:]).sorted(by: { $0.key < $1.key }) {
            let path = "/proc/sys/" + key.replacingDots()
            try FileIO.write(path, value)
        }
        if let hostname = spec.hostname, !hostname.isEmpty { try checkNeg(sk_sethostname(hostname), "sethostname \(hostname)") }
        if let domain = spec.domainname, !domain.isEmpty { try checkNeg(sk_setdomainname(domain), "setdomainname \(domain)") }
        if process.terminal == true {
            try Console.setup(sendMasterTo: plan.consoleSocket, size: process.consoleSize, uid: process.user.uid, gid: process.user.gid)
            close(plan.consoleSocket)
        }
        for path in linux.readonlyPaths ?? [] { try RootfsSetup.makeReadonly(path) }
        for path in linux.maskedPaths ?? [] { try RootfsSetup.mask(path) }
        if spec.root?.readonly == true { try RootfsSetup.remountRootReadonly() }
        if let personality = linux.personality, let domain = Personality.domain(personality.domain) {
            try checkNeg(sk_personality(domain), "personality \(personality.domain)")
        }
        if !plan.noNewKeyring { SessionKeyring.join(name: "_ses.\(plan.id)") }

        let program = try prepareProcess(plan, state: state)

        // Created: tell the runtime, then wait for `start` (a byte written to the fifo).
        _ = sk_set_pdeathsig(0)
        try channel.send("ready")
        guard try channel.receive() == "ack" else { _exit(1) }
        var byte: UInt8 = 0
        while read(fifo, &byte, 1) < 0 {
            if errno != EINTR { throw RuntimeError.system("wait for start on exec.fifo") }
        }
        close(fifo)
        state.status = .running
        try HookRunner.run(spec.hooks?.startContainer, kind: "startContainer", state: state)
        return (program, state)
    }

    // MARK: a process joining a running container

    private static func setUpExec(_ plan: LaunchPlan, channel: SyncChannel) throws -> String {
        try enterCgroup(plan, channel: channel)
        _ = setsid()
        try Scheduling.setAffinity(plan.process.execCPUAffinity?.initial, field: "process.execCPUAffinity.initial")
        if plan.process.terminal == true {
            try Console.setup(sendMasterTo: plan.consoleSocket, size: plan.process.consoleSize,
                              uid: plan.process.user.uid, gid: plan.process.user.gid)
            close(plan.consoleSocket)
        }
        return try prepareProcess(plan, state: plan.state)
    }

    // MARK: shared: cgroup, limits, identity, privileges

    /// Waits until the runtime has put us in the container's cgroup, then makes the cgroup
    /// namespace, whose root is the cgroup we are in.
    private static func enterCgroup(_ plan: LaunchPlan, channel: SyncChannel) throws {
        _ = try channel.expect("cgroup", from: "runtime")
        if plan.createsCgroupNamespace {
            try checkNeg(sk_unshare(Int32(SK_CLONE_NEWCGROUP)), "create cgroup namespace")
        }
    }

    /// Applies process settings and returns the resolved program path.
    private static func prepareProcess(_ plan: LaunchPlan, state: State) throws -> String {
        let process = plan.process
        if let score = process.oomScoreAdj { try FileIO.write("/proc/self/oom_score_adj", String(score)) }
        try Rlimits.apply(process.rlimits ?? [])
        try Scheduling.apply(process)
        try LSM.apply(apparmorProfile: process.apparmorProfile, selinuxLabel: process.selinuxLabel)

        let env = environment(for: process)
        let program = try ExecPath.resolve(process.args![0], env: env)

        let capabilities = try CapabilitySet(process.capabilities)
        // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: do it while we have it.
        if process.noNewPrivileges != true { try loadSeccomp(plan, state: state) }
        try capabilities.applyBounding()
        try switchUser(process.user)
        try capabilities.apply()
        if let mask = process.user.umask { umask(mode_t(mask)) }
        if chdir(process.cwd) < 0 { throw RuntimeError.system("chdir to cwd \(process.cwd)") }
        return program
    }

    private static func switchUser(_ user: User) throws {
        try checkNeg(sk_set_keepcaps(1), "keep capabilities across setuid")
        let groups = (user.additionalGids ?? []).map { gid_t($0) }
        let result = groups.withUnsafeBufferPointer { sk_setgroups($0.count, $0.baseAddress) }
        // setgroups is refused in a user namespace whose setgroups file says deny; that is fine
        // when no additional groups were asked for.
        if result < 0 && !(result == -EPERM && groups.isEmpty) { try checkNeg(result, "setgroups \(groups)") }
        try checkNeg(sk_setresgid(user.gid, user.gid, user.gid), "setgid \(user.gid)")
        try checkNeg(sk_setresuid(user.uid, user.uid, user.uid), "setuid \(user.uid)")
        try checkNeg(sk_set_keepcaps(0), "clear keepcaps")
    }

    /// The filter, and its notify fd to the agent when the profile has one.
    private static func loadSeccomp(_ plan: LaunchPlan, state: State) throws {
        guard let profile = plan.seccomp else { return }
        guard let agent = plan.seccompAgent else {
            if let fd = try SeccompFilter.load(profile) { close(fd) }
            return
        }
        let message = try SeccompAgent.processState(state: state, pid: state.pid ?? 0, metadata: profile.listenerMetadata)
        try SeccompFilter.load(profile, agent: agent, state: message)
    }

    static func environment(for process: Process) -> [String] {
        var env = process.env ?? []
        if !env.contains(where: { $0.hasPrefix("HOME=") }) { env.append("HOME=" + homeDirectory(uid: process.user.uid)) }
        return env
    }

    /// Last steps, then execve. For `exec`, the channel's close-on-exec end tells the runtime
    /// that execve succeeded.
    private static func execute(_ program: String, _ plan: LaunchPlan, state: State) throws {
        if plan.process.noNewPrivileges == true {
            try checkNeg(sk_set_no_new_privs(), "set no_new_privs")
            try loadSeccomp(plan, state: state)
        }
        _ = sk_set_pdeathsig(0)
        try Scheduling.setAffinity(plan.process.execCPUAffinity?.final, field: "process.execCPUAffinity.final")
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        signal(SIGPIPE, SIG_DFL)
        // No fd of ours reaches the container: everything past stdio and the preserved fds closes on exec.
        try checkNeg(sk_close_range_cloexec(UInt32(3 + plan.preserveFDs)), "close fds")
        let env = environment(for: plan.process)
        let error = withCStrings(plan.process.args!) { argv in
            withCStrings(env) { envp in
                execve(program, UnsafeMutablePointer(mutating: argv), UnsafeMutablePointer(mutating: envp))
                return errno
            }
        }
        let message = "exec \(program): \(String(cString: strerror(error)))"
        if plan.kind == .exec { throw RuntimeError(message) }
        // After start the runtime is gone; stderr is the only one left to tell.
        _ = try? FileIO.writeAll(fd: 2, Array("skiff-runtime: \(message)\n".utf8), what: "stderr")
        _exit(127)
    }
}

private extension String {
    func replacingDots() -> String { String(map { $0 == "." ? "/" : $0 }) }
}
