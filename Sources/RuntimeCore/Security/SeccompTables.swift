// The names linux.seccomp uses, and what each means to libseccomp. The features document lists
// these same tables, so what `features` advertises is exactly what `load` accepts.
import CSeccomp
import Glibc

enum SeccompTables {
    /// Action names, in the order the runtime-spec lists them.
    static let actionNames = [
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    ]

    /// The libseccomp action for a name; `errnoRet` only for ERRNO and TRACE (default EPERM).
    /// Returns nil for an unknown name; throws (with `field`) when errnoRet is misused.
    static func action(_ name: String, errnoRet: UInt32?, field: String) throws -> UInt32? {
        let ret = { (what: String) throws -> UInt32 in
            let value = errnoRet ?? UInt32(EPERM)
            // The kernel keeps 16 bits of data for both actions.
            guard value <= 0xFFFF else { throw RuntimeError("\(field): \(what) \(value) is out of range (0...65535)") }
            return value
        }
        let plain: UInt32
        switch name {
        case "SCMP_ACT_ERRNO": return cseccomp_act_errno(try ret("errnoRet"))
        case "SCMP_ACT_TRACE": return cseccomp_act_trace(try ret("errnoRet"))
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": plain = cseccomp_act_kill_thread()
        case "SCMP_ACT_KILL_PROCESS": plain = cseccomp_act_kill_process()
        case "SCMP_ACT_TRAP": plain = cseccomp_act_trap()
        case "SCMP_ACT_ALLOW": plain = cseccomp_act_allow()
        case "SCMP_ACT_LOG": plain = cseccomp_act_log()
        case "SCMP_ACT_NOTIFY": plain = cseccomp_act_notify()
        default: return nil
        }
        // The runtime-spec: an errnoRet on an action that cannot return one is an error.
        if errnoRet != nil { throw RuntimeError("\(field): errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not \(name)") }
        return plain
    }

    static let operators: [(name: String, op: scmp_compare)] = [
        ("SCMP_CMP_NE", SCMP_CMP_NE), ("SCMP_CMP_LT", SCMP_CMP_LT), ("SCMP_CMP_LE", SCMP_CMP_LE),
        ("SCMP_CMP_EQ", SCMP_CMP_EQ), ("SCMP_CMP_GE", SCMP_CMP_GE), ("SCMP_CMP_GT", SCMP_CMP_GT),
        ("SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ),
    ]

    static func compare(_ name: String) -> scmp_compare? {
        operators.first { $0.name == name }?.op
    }

    /// Architecture names of the runtime-spec → libseccomp's own names (seccomp_arch_resolve_name).
    static let architectures: [(name: String, libseccomp: String)] = [
        ("SCMP_ARCH_X86", "x86"), ("SCMP_ARCH_X86_64", "x86_64"), ("SCMP_ARCH_X32", "x32"),
        ("SCMP_ARCH_ARM", "arm"), ("SCMP_ARCH_AARCH64", "aarch64"),
        ("SCMP_ARCH_MIPS", "mips"), ("SCMP_ARCH_MIPS64", "mips64"), ("SCMP_ARCH_MIPS64N32", "mips64n32"),
        ("SCMP_ARCH_MIPSEL", "mipsel"), ("SCMP_ARCH_MIPSEL64", "mipsel64"), ("SCMP_ARCH_MIPSEL64N32", "mipsel64n32"),
        ("SCMP_ARCH_PPC", "ppc"), ("SCMP_ARCH_PPC64", "ppc64"), ("SCMP_ARCH_PPC64LE", "ppc64le"),
        ("SCMP_ARCH_S390", "s390"), ("SCMP_ARCH_S390X", "s390x"),
        ("SCMP_ARCH_PARISC", "parisc"), ("SCMP_ARCH_PARISC64", "parisc64"),
        ("SCMP_ARCH_RISCV64", "riscv64"), ("SCMP_ARCH_LOONGARCH64", "loongarch64"),
        ("SCMP_ARCH_M68K", "m68k"), ("SCMP_ARCH_SH", "sh"), ("SCMP_ARCH_SHEB", "sheb"),
    ]

    enum ArchLookup: Equatable { case token(UInt32), unknown, unsupported }

    /// A spec architecture name → libseccomp's arch token. Newer names in the spec than this
    /// libseccomp knows are `unsupported`, not `unknown`, so the error can say which it is.
    static func architecture(_ name: String) -> ArchLookup {
        guard let entry = architectures.first(where: { $0.name == name }) else { return .unknown }
        let token = seccomp_arch_resolve_name(entry.libseccomp)
        return token == 0 ? .unsupported : .token(token)
    }

    /// Architectures the linked libseccomp can add.
    static var supportedArchitectureNames: [String] {
        architectures.map(\.name).filter { if case .token = architecture($0) { true } else { false } }
    }

    /// Filter flags → the libseccomp attribute that sets each, and the libseccomp API level
    /// (seccomp_api_get, which probes the kernel) at which it works. A nil attribute: known to the
    /// runtime-spec, but this libseccomp (2.5.x) has no way to set it.
    static let flags: [(name: String, attribute: scmp_filter_attr?, apiLevel: UInt32)] = [
        ("SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC, 2),
        ("SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG, 3),
        ("SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB, 4),
        ("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", nil, .max),
    ]

    static var knownFlagNames: [String] { flags.map(\.name) }

    static var supportedFlagNames: [String] {
        let level = seccomp_api_get()
        return flags.filter { $0.attribute != nil && level >= $0.apiLevel }.map(\.name)
    }

    /// "2.5.4": the libseccomp linked in.
    static var libraryVersion: String {
        guard let v = seccomp_version() else { return "unknown" }
        return "\(v.pointee.major).\(v.pointee.minor).\(v.pointee.micro)"
    }
}
