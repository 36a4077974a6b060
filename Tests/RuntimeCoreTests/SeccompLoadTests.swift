// Filters loaded for real, each in a forked child: the child loads, makes the syscall, and exits
// with what it saw; the parent checks the exit status.
import CSkiffSystem
import Glibc
import OCISpec
import XCTest
@testable import RuntimeCore

final class SeccompLoadTests: XCTestCase {
    private let dir = "/tmp/skiff-seccomp-test-\(getpid())"

    override func tearDown() { rmdir(dir) }

    /// Exit codes the children use.
    private enum Code { static let ok: Int32 = 0, unexpected: Int32 = 1 }

    /// The child loads `profile`, calls mkdir, and exits with the errno it got (0 on success).
    private func mkdirErrno(under profile: Seccomp) -> ChildOutcome {
        runInChild { _ in
            try SeccompFilter.load(profile)
            return mkdir(dir, 0o700) == 0 ? 0 : errno
        }
    }

    func testErrnoRetForOneSyscallAllowsTheRest() {
        let profile = Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 42)])
        let outcome = runInChild { _ in
            try SeccompFilter.load(profile)
            guard mkdir(dir, 0o700) < 0, errno == 42 else { return Code.unexpected }
            return getppid() > 1 && access("/", F_OK) == 0 ? 42 : Code.unexpected   // the rest still works
        }
        XCTAssertEqual(outcome.exitCode, 42, outcome.output)
        XCTAssertFalse(FileIO.exists(dir), "mkdir must not have happened")
        // Control: the same child without the filter creates the directory.
        XCTAssertEqual(runInChild { _ in mkdir(dir, 0o700) == 0 ? 0 : errno }.exitCode, 0)
        XCTAssertTrue(FileIO.exists(dir))
    }

    func testDefaultErrnoRet() {
        // Everything fails with 99 except leaving: the child may only mkdir and exit.
        let profile = Seccomp(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 99, syscalls: [
            .init(names: ["exit_group", "exit"], action: "SCMP_ACT_ALLOW")])
        let outcome = mkdirErrno(under: profile)
        XCTAssertEqual(outcome.exitCode, 99, outcome.output)
    }

    func testArgumentCondition() {
        // personality(0xffffffff) only queries; errno 77 for exactly that argument value.
        let profile = Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["personality"], action: "SCMP_ACT_ERRNO", errnoRet: 77,
                  args: [.init(index: 0, value: 0xffff_ffff, op: "SCMP_CMP_EQ")])])
        let outcome = runInChild { _ in
            try SeccompFilter.load(profile)
            guard sk_personality(0xffff_ffff) == -77 else { return Code.unexpected }
            return sk_personality(0) >= 0 ? Code.ok : 2   // PER_LINUX: another value, allowed
        }
        XCTAssertEqual(outcome.exitCode, Code.ok, outcome.output)
    }

    func testConditionsOnTheSameArgumentAreAlternatives() {
        // Two values for arg 0: either one must hit the rule (libseccomp alone would refuse the rule).
        let profile = Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["personality"], action: "SCMP_ACT_ERRNO", errnoRet: 55, args: [
                .init(index: 0, value: 0xffff_ffff, op: "SCMP_CMP_EQ"),
                .init(index: 0, value: 0x0020_0000, valueTwo: 0x0020_0000, op: "SCMP_CMP_MASKED_EQ")])])
        let outcome = runInChild { _ in
            try SeccompFilter.load(profile)
            guard sk_personality(0xffff_ffff) == -55 else { return 2 }
            guard sk_personality(0x0020_0000) == -55 else { return 3 }   // ADDR_NO_RANDOMIZE bit
            return sk_personality(0) >= 0 ? Code.ok : 4
        }
        XCTAssertEqual(outcome.exitCode, Code.ok, outcome.output)
    }

    func testKillProcess() {
        let profile = Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [.init(names: ["getppid"], action: "SCMP_ACT_KILL_PROCESS")])
        let outcome = runInChild { _ in
            try SeccompFilter.load(profile)
            _ = getppid()
            return Code.ok
        }
        XCTAssertEqual(outcome.signal, SIGSYS, "exit \(String(describing: outcome.exitCode)): \(outcome.output)")
    }

    func testKillThread() {
        let profile = Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [.init(names: ["getppid"], action: "SCMP_ACT_KILL")])
        let outcome = runInChild { _ in
            try SeccompFilter.load(profile)
            _ = getppid()
            return Code.ok
        }
        XCTAssertEqual(outcome.signal, SIGSYS, "exit \(String(describing: outcome.exitCode)): \(outcome.output)")
    }

    func testFlagsAndArchitecturesLoad() {
        let profile = Seccomp(defaultAction: "SCMP_ACT_ALLOW",
                              architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                              flags: ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
                              syscalls: [.init(names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 13)])
        let outcome = mkdirErrno(under: profile)
        XCTAssertEqual(outcome.exitCode, 13, outcome.output)
    }

    func testNoNewPrivilegesIsNotForced() {
        let outcome = runInChild { report in
            try SeccompFilter.load(Seccomp(defaultAction: "SCMP_ACT_ALLOW",
                                           syscalls: [.init(names: ["acct"], action: "SCMP_ACT_ERRNO")]))
            report(procStatusField("NoNewPrivs") ?? "?")
            report(procStatusField("Seccomp") ?? "?")
            return Code.ok
        }
        XCTAssertEqual(outcome.exitCode, Code.ok, outcome.output)
        XCTAssertEqual(outcome.output, "0\n2\n")   // no_new_privs off; seccomp mode 2 (filter) on
    }

    func testLoadErrorsNameTheField() {
        XCTAssertThrowsError(try SeccompFilter.load(Seccomp(defaultAction: "SCMP_ACT_FOO"))) {
            XCTAssertEqual("\($0)", "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"")
        }
    }
}
