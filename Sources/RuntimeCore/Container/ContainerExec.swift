// `exec`: a new process inside a running container: its namespaces, cgroup, and the
// container's seccomp profile; identity and capabilities from the process given.
import CSkiffSystem
import Glibc
import OCISpec

public struct ExecOptions {
    public var id: String
    public var process: Process
    public var detach = false
    public var pidFile: String?
    public var consoleSocket: String?
    public var preserveFDs = 0
    public init(id: String, process: Process) { self.id = id; self.process = process }
}

extension Runtime {
    /// The container's own process settings, for `exec` given only a command line.
    public func defaultExecProcess(_ id: String, args: [String]) throws -> Process {
        let container = try load(id)
        var process = try container.spec().process ?? Process()
        process.args = args
        process.terminal = false
        process.consoleSize = nil
        return process
    }

    /// Returns the exit code (0 when detached).
    public func exec(_ options: ExecOptions) throws -> Int32 {
        let container = try load(options.id)
        let status = container.status
        guard status == .running || status == .created else {
            throw RuntimeError("cannot exec in container \(options.id): it is \(status.rawValue)")
        }
        try Validation.validate(options.process, path: "process")
        if options.process.terminal == true && options.consoleSocket == nil && options.detach {
            throw RuntimeError("exec --tty with --detach needs --console-socket to receive the terminal")
        }
        let spec = try container.spec()
        let linux = spec.linux ?? Linux()
        var plan = LaunchPlan(kind: .exec, id: options.id, bundle: container.record.bundle, rootfs: container.record.rootfs,
                              spec: spec, process: options.process,
                              state: container.state)
        // Join every namespace the container has, through its init process.
        for kind in NamespaceKind.joinOrder where linux.namespace(kind) != nil {
            let path = "/proc/\(container.record.pid)/ns/\(kind.procName)"
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                let e = errno
                plan.join.forEach { close($0.fd) }
                throw RuntimeError.system("exec: open \(path)", errno: e)
            }
            plan.join.append((kind, fd))
        }
        defer { plan.join.forEach { close($0.fd) } }
        plan.inUserNamespace = linux.namespace(.user) != nil
        plan.preserveFDs = options.preserveFDs
        try plan.useSeccomp(linux.seccomp)
        defer { plan.seccompAgent?.close() }

        let signalFD = options.detach ? -1 : try Foreground.blockSignals()
        let masterReceiver = options.process.terminal == true ? try plan.connectConsole(options.consoleSocket) : -1
        defer { if plan.consoleSocket >= 0 { close(plan.consoleSocket) } }

        let rollback = Rollback()
        let launched: (pid: Int32, channel: SyncChannel)
        do {
            launched = try launch(plan, cgroup: container.cgroup, rollback: rollback) { channel, _ in
                // Success is the channel closing on execve; anything else is an error.
                if let message = try channel.receive() {
                    throw RuntimeError(message.hasPrefix("error ") ? String(message.dropFirst(6)) : "exec: unexpected \(message)")
                }
            }
            launched.channel.close()
            rollback.cancel()
        } catch {
            rollback.run()
            throw error
        }
        if let pidFile = options.pidFile { try writePIDFile(pidFile, launched.pid) }
        if options.detach { return 0 }
        var master: Int32? = nil
        if masterReceiver >= 0 {
            master = try checkNeg(sk_recv_fd(masterReceiver), "receive the terminal")
            close(masterReceiver)
        }
        defer { if let master { close(master) } }
        return Foreground.wait(pid: launched.pid, signalFD: signalFD, terminal: master)
    }
}
