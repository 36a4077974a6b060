// linux.seccomp translated into libseccomp's terms, before any filter context exists. All the
// checking and naming of bad fields happens here, so it is testable without loading anything.
import CSeccomp
import Glibc
import OCISpec

struct SeccompProgram: Equatable {
    struct Condition: Equatable {
        var index: UInt32
        var op: scmp_compare
        var value: UInt64       // datum_a: for MASKED_EQ, the mask
        var valueTwo: UInt64    // datum_b: for MASKED_EQ, the value to compare with
    }

    struct Rule: Equatable {
        var index: Int          // in linux.seccomp.syscalls, for error messages
        var syscall: String
        var number: Int32
        var action: UInt32
        var conditions: [Condition]
    }

    struct Architecture: Equatable {
        var name: String
        var token: UInt32
    }

    struct Attribute: Equatable {
        var attribute: scmp_filter_attr
        var value: UInt32
    }

    var defaultAction: UInt32
    var architectures: [Architecture] = []   // in spec order: index i is architectures[i]
    var attributes: [Attribute] = []
    var rules: [Rule] = []

    var usesNotify: Bool { rules.contains { $0.action == cseccomp_act_notify() } }

    /// Syscalls the runtime makes between loading the filter and handing the notify fd to the
    /// agent. Notifying one of them would wait for an agent that has no fd yet: a hang.
    static let neededBeforeAgent: Set<String> = ["sendmsg"]

    init(_ profile: Seccomp) throws {
        let field = "linux.seccomp"
        guard let action = try SeccompTables.action(profile.defaultAction, errnoRet: profile.defaultErrnoRet,
                                                   field: "\(field).defaultErrnoRet") else {
            throw RuntimeError("\(field).defaultAction: unknown action \"\(profile.defaultAction)\"")
        }
        if action == cseccomp_act_notify() {
            // Every syscall after load, the runtime's own included, would wait on the agent.
            throw RuntimeError("\(field).defaultAction: SCMP_ACT_NOTIFY cannot be the default action")
        }
        defaultAction = action

        for (i, name) in (profile.architectures ?? []).enumerated() {
            switch SeccompTables.architecture(name) {
            case .token(let token): architectures.append(Architecture(name: name, token: token))
            case .unknown: throw RuntimeError("\(field).architectures[\(i)]: unknown architecture \"\(name)\"")
            case .unsupported:
                throw RuntimeError("\(field).architectures[\(i)]: \(name) is not supported by libseccomp \(SeccompTables.libraryVersion)")
            }
        }

        // libseccomp would set no_new_privs itself on load; whether to is the runtime's decision
        // (process.noNewPrivileges). Raw return codes: otherwise load failures are all ECANCELED.
        attributes = [Attribute(attribute: SCMP_FLTATR_CTL_NNP, value: 0),
                      Attribute(attribute: SCMP_FLTATR_API_SYSRAWRC, value: 1)]
        for (i, name) in (profile.flags ?? []).enumerated() {
            attributes.append(try Self.flagAttribute(name, field: "\(field).flags[\(i)]"))
        }

        for (i, call) in (profile.syscalls ?? []).enumerated() {
            rules += try Self.rules(for: call, index: i, defaultAction: action)
        }

        if usesNotify {
            if profile.listenerPath?.isEmpty ?? true {
                throw RuntimeError("\(field).listenerPath: required when SCMP_ACT_NOTIFY is used")
            }
            if seccomp_api_get() < 5 {
                throw RuntimeError("\(field): SCMP_ACT_NOTIFY is not supported by this kernel and libseccomp \(SeccompTables.libraryVersion)")
            }
        }
    }

    private static func flagAttribute(_ name: String, field: String) throws -> Attribute {
        guard let flag = SeccompTables.flags.first(where: { $0.name == name }) else {
            throw RuntimeError("\(field): unknown flag \"\(name)\"")
        }
        guard let attribute = flag.attribute else {
            throw RuntimeError("\(field): \(name) is not supported by libseccomp \(SeccompTables.libraryVersion)")
        }
        guard seccomp_api_get() >= flag.apiLevel else {
            throw RuntimeError("\(field): \(name) is not supported by this kernel")
        }
        return Attribute(attribute: attribute, value: 1)
    }

    private static func rules(for call: Seccomp.Syscall, index: Int, defaultAction: UInt32) throws -> [Rule] {
        let field = "linux.seccomp.syscalls[\(index)]"
        guard let action = try SeccompTables.action(call.action, errnoRet: call.errnoRet, field: "\(field).errnoRet") else {
            throw RuntimeError("\(field).action: unknown action \"\(call.action)\"")
        }
        if call.names.isEmpty { throw RuntimeError("\(field).names: must name at least one syscall") }
        let conditions = try (call.args ?? []).enumerated().map { j, arg in
            try condition(arg, field: "\(field).args[\(j)]")
        }
        if action == cseccomp_act_notify(), let name = call.names.first(where: neededBeforeAgent.contains) {
            throw RuntimeError("\(field): SCMP_ACT_NOTIFY cannot be used for \(name): the runtime needs it to hand the notify fd to the agent")
        }
        // libseccomp refuses a rule whose action is the default one; it would change nothing anyway.
        if action == defaultAction { return [] }

        // libseccomp rejects two conditions on one argument in a rule (it could only AND them).
        // As runc does, such a list becomes one rule per condition, which ORs them.
        var perIndex = [Int](repeating: 0, count: 6)
        for c in conditions { perIndex[Int(c.index)] += 1 }
        let groups = perIndex.contains { $0 > 1 } ? conditions.map { [$0] } : [conditions]

        var rules: [Rule] = []
        for name in call.names {
            let number = seccomp_syscall_resolve_name(name)
            // A syscall this libseccomp does not know is skipped, as runc does: profiles list
            // syscalls newer than the library, or of other architectures.
            if number == cseccomp_nr_error() { continue }
            for group in groups {
                rules.append(Rule(index: index, syscall: name, number: number, action: action, conditions: group))
            }
        }
        return rules
    }

    private static func condition(_ arg: Seccomp.Arg, field: String) throws -> Condition {
        guard arg.index < 6 else { throw RuntimeError("\(field).index: \(arg.index) is out of range (0...5)") }
        guard let op = SeccompTables.compare(arg.op) else {
            throw RuntimeError("\(field).op: unknown operator \"\(arg.op)\"")
        }
        return Condition(index: UInt32(arg.index), op: op, value: arg.value, valueTwo: arg.valueTwo ?? 0)
    }
}
