// The translation of linux.seccomp into libseccomp terms, and its error messages. Nothing is loaded.
import CSeccomp
import Glibc
import OCISpec
import XCTest
@testable import RuntimeCore

final class SeccompProgramTests: XCTestCase {
    private func program(_ profile: Seccomp) throws -> SeccompProgram { try SeccompProgram(profile) }

    private func assertError(_ profile: Seccomp, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SeccompProgram(profile), file: file, line: line) {
            XCTAssertEqual("\($0)", message, file: file, line: line)
        }
        XCTAssertThrowsError(try SeccompFilter.validate(profile), file: file, line: line)
    }

    func testActionsAndErrnoRet() throws {
        let p = try program(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 42),
            .init(names: ["rmdir"], action: "SCMP_ACT_ERRNO"),
            .init(names: ["ptrace"], action: "SCMP_ACT_TRACE", errnoRet: 7),
            .init(names: ["getppid"], action: "SCMP_ACT_KILL"),
            .init(names: ["getpid"], action: "SCMP_ACT_KILL_PROCESS"),
            .init(names: ["gettid"], action: "SCMP_ACT_KILL_THREAD"),
            .init(names: ["acct"], action: "SCMP_ACT_TRAP"),
            .init(names: ["chroot"], action: "SCMP_ACT_LOG"),
        ]))
        XCTAssertEqual(p.defaultAction, SCMP_ACT_ALLOW)
        XCTAssertEqual(p.rules.map(\.action), [
            cseccomp_act_errno(42), cseccomp_act_errno(UInt32(EPERM)), cseccomp_act_trace(7), SCMP_ACT_KILL_THREAD,
            SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_LOG,
        ])
        XCTAssertEqual(p.rules[0].number, seccomp_syscall_resolve_name("mkdir"))
        XCTAssertEqual(p.rules[0].syscall, "mkdir")
    }

    func testDefaultErrnoRet() throws {
        let p = try program(Seccomp(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38))
        XCTAssertEqual(p.defaultAction, cseccomp_act_errno(38))
        XCTAssertEqual(try program(Seccomp(defaultAction: "SCMP_ACT_ERRNO")).defaultAction, cseccomp_act_errno(UInt32(EPERM)))
    }

    func testNoNewPrivsIsLeftToTheRuntime() throws {
        let p = try program(Seccomp(defaultAction: "SCMP_ACT_ALLOW"))
        XCTAssertTrue(p.attributes.contains(.init(attribute: SCMP_FLTATR_CTL_NNP, value: 0)))
    }

    func testFlagsMapToAttributes() throws {
        let p = try program(Seccomp(defaultAction: "SCMP_ACT_ALLOW", flags: [
            "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]))
        for attr in [SCMP_FLTATR_CTL_TSYNC, SCMP_FLTATR_CTL_LOG, SCMP_FLTATR_CTL_SSB] {
            XCTAssertTrue(p.attributes.contains(.init(attribute: attr, value: 1)), "\(attr)")
        }
    }

    func testArchitectures() throws {
        let p = try program(Seccomp(defaultAction: "SCMP_ACT_ALLOW",
                                    architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64", "SCMP_ARCH_RISCV64"]))
        XCTAssertEqual(p.architectures.map(\.token), [seccomp_arch_resolve_name("x86_64"), seccomp_arch_resolve_name("x86"),
                                                     seccomp_arch_resolve_name("aarch64"), seccomp_arch_resolve_name("riscv64")])
        XCTAssertFalse(p.architectures.contains { $0.token == 0 })
        try SeccompFilter.validate(Seccomp(defaultAction: "SCMP_ACT_ALLOW", architectures: p.architectures.map(\.name)))
    }

    func testArchitectureOfTheOtherByteOrder() {
        // libseccomp cannot put big-endian s390x next to the little-endian native x86_64 in one filter.
        XCTAssertThrowsError(try SeccompFilter.validate(Seccomp(defaultAction: "SCMP_ACT_ALLOW",
                                                                architectures: ["SCMP_ARCH_X86", "SCMP_ARCH_S390X"]))) {
            XCTAssertEqual("\($0)", "linux.seccomp.architectures[1]: SCMP_ARCH_S390X cannot share a filter with the native architecture (other byte order)")
        }
    }

    func testConditionsOnDifferentArgsStayInOneRule() throws {
        let p = try program(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["socket"], action: "SCMP_ACT_ERRNO", args: [
                .init(index: 0, value: 16, op: "SCMP_CMP_EQ"), .init(index: 2, value: 9, op: "SCMP_CMP_NE")]),
        ]))
        XCTAssertEqual(p.rules.count, 1)
        XCTAssertEqual(p.rules[0].conditions, [.init(index: 0, op: SCMP_CMP_EQ, value: 16, valueTwo: 0),
                                               .init(index: 2, op: SCMP_CMP_NE, value: 9, valueTwo: 0)])
    }

    func testConditionsOnTheSameArgBecomeSeparateRules() throws {
        let p = try program(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["personality", "mkdir"], action: "SCMP_ACT_ERRNO", args: [
                .init(index: 0, value: 0, op: "SCMP_CMP_EQ"),
                .init(index: 0, value: 8, op: "SCMP_CMP_EQ"),
                .init(index: 1, value: 0xff, valueTwo: 3, op: "SCMP_CMP_MASKED_EQ")]),
        ]))
        XCTAssertEqual(p.rules.map(\.syscall), ["personality", "personality", "personality", "mkdir", "mkdir", "mkdir"])
        XCTAssertEqual(Array(p.rules.prefix(3).map(\.conditions)), [
            [.init(index: 0, op: SCMP_CMP_EQ, value: 0, valueTwo: 0)],
            [.init(index: 0, op: SCMP_CMP_EQ, value: 8, valueTwo: 0)],
            [.init(index: 1, op: SCMP_CMP_MASKED_EQ, value: 0xff, valueTwo: 3)],
        ])
    }

    func testEveryOperator() throws {
        let ops = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"]
        let p = try program(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: ops.map {
            .init(names: ["kill"], action: "SCMP_ACT_ERRNO", args: [.init(index: 1, value: 1, op: $0)])
        }))
        XCTAssertEqual(p.rules.map { $0.conditions[0].op }, [SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ,
                                                            SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ])
        try SeccompFilter.validate(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: ops.map {
            .init(names: ["kill"], action: "SCMP_ACT_ERRNO", args: [.init(index: 1, value: 1, op: $0)])
        }))
    }

    func testRuleWithTheDefaultActionIsSkipped() throws {
        let p = try program(Seccomp(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1, syscalls: [
            .init(names: ["read"], action: "SCMP_ACT_ALLOW"),
            .init(names: ["mkdir"], action: "SCMP_ACT_ERRNO"),   // EPERM = 1 = the default: skipped
            .init(names: ["rmdir"], action: "SCMP_ACT_ERRNO", errnoRet: 2),
        ]))
        XCTAssertEqual(p.rules.map(\.syscall), ["read", "rmdir"])
        // libseccomp itself would refuse that rule; the skip is what lets validation pass.
        try SeccompFilter.validate(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [.init(names: ["read"], action: "SCMP_ACT_ALLOW")]))
    }

    func testConflictingRulesNameTheEntry() {
        XCTAssertThrowsError(try SeccompFilter.validate(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["acct"], action: "SCMP_ACT_ERRNO", args: [.init(index: 0, value: 0, op: "SCMP_CMP_EQ")]),
            .init(names: ["mkdir", "acct"], action: "SCMP_ACT_KILL", args: [.init(index: 0, value: 0, op: "SCMP_CMP_EQ")]),
        ]))) {
            XCTAssertEqual("\($0)", "linux.seccomp.syscalls[1]: acct: another action is already set for the same syscall and arguments")
        }
    }

    func testUnknownSyscallIsSkipped() throws {
        let p = try program(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["no_such_syscall", "mkdir"], action: "SCMP_ACT_ERRNO")]))
        XCTAssertEqual(p.rules.map(\.syscall), ["mkdir"])
    }

    func testErrorsNameTheField() {
        assertError(Seccomp(defaultAction: "SCMP_ACT_NOPE"), "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"")
        assertError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "x"]),
                    "linux.seccomp.architectures[1]: unknown architecture \"x\"")
        assertError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_BOGUS"]),
                    "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_BOGUS\"")
        let rules: [Seccomp.Syscall] = [
            .init(names: ["read"], action: "SCMP_ACT_ERRNO"), .init(names: ["write"], action: "SCMP_ACT_ERRNO"),
            .init(names: ["open"], action: "SCMP_ACT_ERRNO"),
        ]
        assertError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: rules + [.init(names: ["x"], action: "SCMP_ACT_FOO")]),
                    "linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"")
        assertError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [.init(names: [], action: "SCMP_ACT_ERRNO")]),
                    "linux.seccomp.syscalls[0].names: must name at least one syscall")
        assertError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["kill"], action: "SCMP_ACT_ERRNO", args: [.init(index: 0, value: 1, op: "SCMP_CMP_EQ"),
                                                                   .init(index: 6, value: 1, op: "SCMP_CMP_EQ")])]),
                    "linux.seccomp.syscalls[0].args[1].index: 6 is out of range (0...5)")
        assertError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["kill"], action: "SCMP_ACT_ERRNO", args: [.init(index: 0, value: 1, op: "SCMP_CMP_XX")])]),
                    "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_XX\"")
    }

    func testErrnoRetOnlyWhereTheActionHasOne() {
        assertError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", defaultErrnoRet: 5),
                    "linux.seccomp.defaultErrnoRet: errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_ALLOW")
        assertError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [.init(names: ["kill"], action: "SCMP_ACT_KILL", errnoRet: 1)]),
                    "linux.seccomp.syscalls[0].errnoRet: errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_KILL")
        assertError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [.init(names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 70000)]),
                    "linux.seccomp.syscalls[0].errnoRet: errnoRet 70000 is out of range (0...65535)")
    }

    func testFlagUnsupportedByThisLibseccomp() {
        assertError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]),
                    "linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported by libseccomp \(SeccompTables.libraryVersion)")
    }

    func testArchitectureNewerThanThisLibseccomp() {
        assertError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_LOONGARCH64"]),
                    "linux.seccomp.architectures[0]: SCMP_ARCH_LOONGARCH64 is not supported by libseccomp \(SeccompTables.libraryVersion)")
    }

    func testNotifyRules() throws {
        var profile = Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [.init(names: ["mkdir"], action: "SCMP_ACT_NOTIFY")])
        assertError(profile, "linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used")
        profile.listenerPath = "/run/agent.sock"
        XCTAssertTrue(try program(profile).usesNotify)
        try SeccompFilter.validate(profile)
        XCTAssertFalse(try program(Seccomp(defaultAction: "SCMP_ACT_ALLOW")).usesNotify)

        var asDefault = Seccomp(defaultAction: "SCMP_ACT_NOTIFY")
        asDefault.listenerPath = "/run/agent.sock"
        assertError(asDefault, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action")

        profile.syscalls = [.init(names: ["mkdir", "sendmsg"], action: "SCMP_ACT_NOTIFY")]
        assertError(profile, "linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for sendmsg: the runtime needs it to hand the notify fd to the agent")
    }
}
