// The first forked process: it enters the namespaces the container joins, creates the new ones
// (the user namespace first, so that it owns the others), then forks the container's process
// as a sibling (CLONE_PARENT), so that the runtime is its parent, and exits.
// Namespaces that only affect children (pid, time) are why this intermediate process exists.
import CSkiffSystem
import Glibc
import OCISpec

enum NamespaceStage {
    static func run(_ plan: LaunchPlan, channel: SyncChannel) -> Never {
        do {
            _ = try channel.expect("go", from: "runtime")
            for (kind, fd) in plan.join {
                try checkNeg(sk_setns(fd, kind.cloneFlag), "join \(kind.rawValue) namespace")
                close(fd)
            }
            if plan.createsUserNamespace {
                try checkNeg(sk_unshare(Int32(SK_CLONE_NEWUSER)), "create user namespace")
                try channel.send("userns")
                _ = try channel.expect("ok", from: "runtime")
            }
            if plan.inUserNamespace {
                // Become the namespace's root so that the rest of the setup has its privileges.
                try checkNeg(sk_setresgid(0, 0, 0), "setresgid 0 in the user namespace")
                try checkNeg(sk_setresuid(0, 0, 0), "setresuid 0 in the user namespace")
            }
            if plan.unshareFlags != 0 {
                try checkNeg(sk_unshare(plan.unshareFlags), "create namespaces")
            }
            if let offsets = plan.linux.timeOffsets, !offsets.isEmpty {
                let text = offsets.sorted { $0.key < $1.key }
                    .map { "\($0.key) \($0.value.secs ?? 0) \($0.value.nanosecs ?? 0)\n" }.joined()
                try FileIO.write("/proc/self/timens_offsets", text)
            }
            let pid = sk_clone(UInt(SK_CLONE_PARENT))
            if pid == 0 { ContainerProcess.run(plan, channel: channel) }
            try checkNeg(pid, "fork the container process")
            try channel.send("pid \(pid)")
            _exit(0)
        } catch {
            try? channel.send("error \(error)")
            _exit(1)
        }
    }
}
