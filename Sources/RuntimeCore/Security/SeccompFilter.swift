// linux.seccomp → a libseccomp filter loaded into the calling process.
//
// When to load (the init process, single-threaded, just before execve): with
// process.noNewPrivileges, after the user and capabilities are set, so the filter need not allow
// the syscalls that set them; without it, before capabilities are dropped, because loading a
// filter without no_new_privs needs CAP_SYS_ADMIN.
import CSeccomp
import CSkiffSystem
import Glibc
import OCISpec

public enum SeccompFilter {
    /// Checks a profile without loading it (create fails early, naming the field): the full
    /// translation, and libseccomp building the filter.
    public static func validate(_ profile: Seccomp) throws {
        _ = try SeccompContext(SeccompProgram(profile))
    }

    /// Builds and loads the filter into the current process. Returns the notify fd when the
    /// profile uses SCMP_ACT_NOTIFY (the caller owns it and must hand it to the agent, e.g. via
    /// the parent, which knows the host pid), nil otherwise.
    @discardableResult
    public static func load(_ profile: Seccomp) throws -> Int32? {
        let context = try SeccompContext(SeccompProgram(profile))
        try context.load()
        return try context.takeNotifyFd()
    }

    /// Loads the filter, then (when it uses SCMP_ACT_NOTIFY) sends the notify fd to `agent` with
    /// `state`, the container process state JSON (`SeccompAgent.processState`). Nothing but one
    /// sendmsg runs between the two. The agent's socket is closed either way.
    public static func load(_ profile: Seccomp, agent: SeccompAgent, state: [UInt8]) throws {
        defer { agent.close() }
        let context = try SeccompContext(SeccompProgram(profile))
        try context.load()
        guard let fd = try context.takeNotifyFd() else { return }
        defer { Glibc.close(fd) }
        try agent.send(notifyFd: fd, state: state)
    }
}

/// A libseccomp filter context built from a program; released when dropped.
final class SeccompContext {
    private let ctx: scmp_filter_ctx
    private let program: SeccompProgram

    init(_ program: SeccompProgram) throws {
        guard let ctx = seccomp_init(program.defaultAction) else {
            throw RuntimeError("linux.seccomp: seccomp_init failed")
        }
        self.ctx = ctx
        self.program = program
        for a in program.attributes {
            try check(seccomp_attr_set(ctx, a.attribute, a.value), "set filter attribute \(a.attribute.rawValue) to \(a.value)")
        }
        for (i, arch) in program.architectures.enumerated() {
            let r = seccomp_arch_add(ctx, arch.token)
            if r == -EEXIST { continue }   // the native one is already in
            if r == -EDOM {
                throw RuntimeError("linux.seccomp.architectures[\(i)]: \(arch.name) cannot share a filter with the native architecture (other byte order)")
            }
            try check(r, "architectures[\(i)]: add \(arch.name)")
        }
        for rule in program.rules {
            var conditions = rule.conditions.map {
                scmp_arg_cmp(arg: $0.index, op: $0.op, datum_a: $0.value, datum_b: $0.valueTwo)
            }
            let r = conditions.withUnsafeMutableBufferPointer {
                seccomp_rule_add_array(ctx, rule.action, rule.number, UInt32($0.count), $0.baseAddress)
            }
            if r == -EEXIST {
                throw RuntimeError("linux.seccomp.syscalls[\(rule.index)]: \(rule.syscall): another action is already set for the same syscall and arguments")
            }
            try check(r, "syscalls[\(rule.index)]: add rule for \(rule.syscall)")
        }
    }

    deinit { seccomp_release(ctx) }

    func load() throws {
        try check(seccomp_load(ctx), "load")
    }

    /// The listener fd the kernel gave on load, or nil when the filter has no NOTIFY rule.
    func takeNotifyFd() throws -> Int32? {
        guard program.usesNotify else { return nil }
        let fd = seccomp_notify_fd(ctx)
        if fd < 0 { throw RuntimeError.system("linux.seccomp: get notify fd", errno: -fd) }
        return fd
    }

    /// libseccomp returns -errno.
    private func check(_ r: Int32, _ what: String) throws {
        if r < 0 { throw RuntimeError.system("linux.seccomp: \(what)", errno: -r) }
    }
}
