// `delete`: remove a stopped (or, with --force, any) container: processes, cgroup, state,
// then the poststop hooks.
import CSkiffSystem
import Glibc
import OCISpec

extension Runtime {
    public func delete(_ id: String, force: Bool) throws {
        let container: Container
        do {
            container = try load(id)
        } catch {
            try validate(id: id)
            let directory = self.directory(of: id)
            guard FileIO.exists(directory) else {
                if force { return }
                throw error
            }
            // A create that died before writing its state: nothing runs; remove what is left.
            FileIO.removeAll(directory)
            return
        }
        let status = container.status
        switch status {
        case .stopped, .created:
            break
        case .running, .paused, .creating:
            guard force else { throw RuntimeError("cannot delete container \(id): it is \(status.rawValue) (stop it first, or use --force)") }
        }
        try destroy(container)
    }

    /// Kills whatever still runs, removes the cgroup and state, runs poststop hooks.
    func destroy(_ container: Container) throws {
        if container.processIsInit() {
            _ = Glibc.kill(container.record.pid, SIGKILL)
        }
        // Without a PID namespace, the init's death does not take the rest with it.
        if !container.record.hasPIDNamespace || !container.processIsInit() {
            try? signalAll(container, signal: SIGKILL)
        }
        let cgroup = container.cgroup
        // A frozen process cannot act on SIGKILL until it is thawed.
        if cgroup.isFrozen() { try? cgroup.thaw() }
        waitUntilGone(container.record.pid, startTime: container.record.pidStartTime)
        var remaining = 100
        while remaining > 0, let pids = try? cgroup.processes(), !pids.isEmpty {
            pids.forEach { _ = Glibc.kill($0, SIGKILL) }
            usleep(10_000); remaining -= 1
        }
        do { try cgroup.destroy() } catch { log.warning("delete \(container.id): \(error)") }
        var state = container.state
        state.status = .stopped
        state.pid = nil
        FileIO.removeAll(container.directory)
        do {
            try HookRunner.run(container.record.poststop, kind: "poststop", state: state)
        } catch {
            log.warning("\(error)")
        }
    }

    /// Waits (up to 10 s) until the process has exited; a zombie counts as gone.
    func waitUntilGone(_ pid: Int32, startTime: UInt64) {
        let pidfd = sk_pidfd_open(pid)
        if pidfd >= 0 {
            var pfd = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, 10_000)
            close(pidfd)
            return
        }
        for _ in 0..<1000 {
            guard let stat = ProcStat(pid: pid), stat.startTime == startTime, stat.state != "Z" else { return }
            usleep(10_000)
        }
    }
}
