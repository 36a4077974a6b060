// Defence against the runc /proc/self/exe escape (CVE-2019-5736): a container process that
// re-executes /proc/self/exe of a runtime process inside it could open the runtime's binary
// and overwrite it on the host. We run from a detached, read-only clone of our own mount
// (open_tree + mount_setattr): the kernel refuses any write through it, nothing is copied,
// and the clone disappears with the process. Cost: one execveat at start-up.
import CSkiffSystem
import Glibc

public enum ExecutableGuard {
    /// Commands that never enter a container skip the re-exec.
    static let needsGuard: Set<String> = ["create", "run", "exec"]

    public static func reexecReadonlyIfNeeded() {
        let args = CommandLine.arguments
        guard args.dropFirst().contains(where: { needsGuard.contains($0) }), !runningReadonly() else { return }
        let tree = sk_open_tree_readonly("/proc/self/exe")
        guard tree >= 0 else { return }   // an old kernel: fall back to running as we are
        _ = withCStrings(args) { argv in
            sk_execveat(tree, "", UnsafeMutablePointer(mutating: argv), environ, 0x1000 /* AT_EMPTY_PATH */)
        }
        close(tree)
    }

    /// True when our executable cannot be written: a read-only mount (the clone) or a sealed memfd.
    static func runningReadonly() -> Bool {
        var fs = statvfs()
        return statvfs("/proc/self/exe", &fs) == 0 && (UInt(fs.f_flag) & UInt(SK_ST_RDONLY)) != 0
    }
}
