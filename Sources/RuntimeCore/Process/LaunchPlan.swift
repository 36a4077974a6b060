// Everything the forked processes need to know, decided by the runtime before it forks: the
// children only carry it out. Shared by `create` (a new container) and `exec` (a process
// joining one).
import CSkiffSystem
import Glibc
import OCISpec

struct LaunchPlan {
    enum Kind { case container, exec }

    var kind: Kind
    var id: String
    var bundle: String
    var rootfs: String
    var spec: Spec
    var process: Process
    /// Namespaces to enter (opened fds), in NamespaceKind.joinOrder.
    var join: [(kind: NamespaceKind, fd: Int32)] = []
    /// Namespaces to create (clone flags), user excluded: it is created first, on its own.
    var unshareFlags: Int32 = 0
    var createsUserNamespace = false
    var inUserNamespace = false
    var inCgroupNamespace = false
    var createsCgroupNamespace = false
    var cgroupMounts: [CgroupMountPoints] = []
    var consoleSocket: Int32 = -1
    /// exec.fifo, opened read-write by the runtime (which never blocks for a fifo): the
    /// container process reads its byte from it, with no path or permission to cross.
    var fifo: Int32 = -1
    var noPivot = false
    var noNewKeyring = false
    var preserveFDs = 0
    var seccomp: Seccomp?
    /// Connected by the runtime before forking: the listener path is a host path.
    var seccompAgent: SeccompAgent?
    var state: State

    var linux: Linux { spec.linux ?? Linux() }

    /// The terminal's master goes to `socketPath` (--console-socket) or, when there is none, back
    /// to the runtime itself: then the returned fd receives it (-1 otherwise).
    mutating func connectConsole(_ socketPath: String?) throws -> Int32 {
        if let socketPath {
            consoleSocket = try checkNeg(sk_unix_connect(socketPath), "connect to console socket \(socketPath)")
            return -1
        }
        let pair = try SyncChannel.pair()
        consoleSocket = pair.child.fd
        return pair.parent.fd
    }

    /// Sets the seccomp profile and connects to its agent, if it names one.
    mutating func useSeccomp(_ profile: Seccomp?) throws {
        seccomp = profile
        if let path = profile?.listenerPath, !path.isEmpty { seccompAgent = try SeccompAgent.connect(path) }
    }

    /// Opens the namespace files of `linux.namespaces` that carry a path.
    static func namespacesToJoin(_ linux: Linux) throws -> [(kind: NamespaceKind, fd: Int32)] {
        var result: [(kind: NamespaceKind, fd: Int32)] = []
        for kind in NamespaceKind.joinOrder {
            guard let ns = linux.namespace(kind), let path = ns.path, !path.isEmpty else { continue }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                result.forEach { close($0.fd) }
                throw RuntimeError.system("linux.namespaces: open \(ns.type) namespace \(path)")
            }
            result.append((kind, fd))
        }
        return result
    }
}

/// Writes /proc/<pid>/{uid,gid}_map for a process that has just created a user namespace.
func writeIDMappings(pid: pid_t, uid: [IDMapping], gid: [IDMapping]) throws {
    func text(_ mappings: [IDMapping]) -> String {
        mappings.map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined()
    }
    try FileIO.write("/proc/\(pid)/uid_map", text(uid))
    try FileIO.write("/proc/\(pid)/gid_map", text(gid))
}
