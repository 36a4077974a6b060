// Starting the processes of a container or of an exec: the fork into the namespace stage,
// id mappings, the cgroup, and undoing all of it when a step fails.
import CSkiffSystem
import Glibc
import OCISpec

/// Undo steps, run newest first when a create or exec fails part-way.
final class Rollback {
    private var steps: [() -> Void] = []
    func add(_ step: @escaping () -> Void) { steps.append(step) }
    func run() { steps.reversed().forEach { $0() } ; steps = [] }
    func cancel() { steps = [] }
}

extension Runtime {
    /// Forks the namespace stage and, through it, the container process; makes the cgroup
    /// (`prepareCgroup`) meanwhile and moves the container process into it; runs `handshake` with
    /// the container process's channel. On failure the processes are killed by the rollback.
    func launch(_ plan: LaunchPlan, cgroup: CgroupManager, rollback: Rollback, prepareCgroup: () throws -> Void = {},
                handshake: (SyncChannel, Int32) throws -> Void) throws -> (pid: Int32, channel: SyncChannel) {
        let (parent, child) = try SyncChannel.pair()
        fflush(nil)
        let stage = fork()
        if stage == 0 {
            parent.close()
            NamespaceStage.run(plan, channel: child)
        }
        child.close()
        guard stage > 0 else { parent.close(); throw RuntimeError.system("fork") }
        rollback.add { Glibc.kill(stage, SIGKILL); var s: Int32 = 0; waitpid(stage, &s, 0) }
        do {
            try parent.send("go")
            // While the children make their namespaces: the cgroup they will join.
            try prepareCgroup()
            var message = try parent.next(from: "the namespace stage")
            if message == "userns" {
                try writeIDMappings(pid: stage, uid: plan.linux.uidMappings ?? [], gid: plan.linux.gidMappings ?? [])
                try parent.send("ok")
                message = try parent.next(from: "the namespace stage")
            }
            guard message.hasPrefix("pid "), let pid = Int32(message.dropFirst(4)) else {
                throw RuntimeError("sync: unexpected \(message.prefix(40)) from the namespace stage")
            }
            rollback.add { Glibc.kill(pid, SIGKILL); var s: Int32 = 0; waitpid(pid, &s, 0) }
            // Joining a cgroup can wait for an RCU grace period (milliseconds): the container
            // process meanwhile sets up its mounts, and waits for "cgroup" only where it must.
            try cgroup.add(pid: pid)
            try parent.send("cgroup")
            var status: Int32 = 0
            while waitpid(stage, &status, 0) < 0 && errno == EINTR {}
            try handshake(parent, pid)
            return (pid, parent)
        } catch {
            parent.close()
            throw error
        }
    }
}
