// The process section: args, env, cwd, user, umask, rlimits, capabilities, no_new_privs,
// oomScoreAdj, seccomp, sysctl — each checked from inside the container.
import Foundation
import OCISpec
import TestSupport
import XCTest

final class ProcessTests: XCTestCase {
    func testEnvCwdAndHome() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "pwd; echo $GREETING; echo $HOME"])
        bundle.spec.process?.env?.append("GREETING=hello world")
        bundle.spec.process?.cwd = "/work/dir"
        let result = try bundle.run()
        XCTAssertEqual(result.stdout, "/work/dir\nhello world\n/root\n", result.stderr)
    }

    func testUserGroupsAndUmask() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "id; umask; echo $HOME; touch /tmp/f; stat -c %a /tmp/f"])
        bundle.spec.process?.user = User(uid: 1000, gid: 1000, umask: 0o077, additionalGids: [5, 100])
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        guard lines.count == 4 else { return XCTFail("unexpected output: \(result.stdout)") }
        XCTAssertTrue(lines[0].hasPrefix("uid=1000(skiff) gid=1000(skiff) groups="), lines[0])
        XCTAssertTrue(lines[0].contains("5") && lines[0].contains("100"), lines[0])
        XCTAssertEqual(lines[1], "0077")
        XCTAssertEqual(lines[2], "/home/skiff", "HOME from the image's /etc/passwd")
        XCTAssertEqual(lines[3], "600")
    }

    func testRlimitsAndOOMScore() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "ulimit -n; ulimit -Hn; ulimit -c; cat /proc/self/oom_score_adj"])
        bundle.spec.process?.rlimits = [Rlimit(type: "RLIMIT_NOFILE", hard: 512, soft: 256),
                                        Rlimit(type: "RLIMIT_CORE", hard: 0, soft: 0)]
        bundle.spec.process?.oomScoreAdj = 500
        let result = try bundle.run()
        XCTAssertEqual(result.stdout, "256\n512\n0\n500\n", result.stderr)
    }

    func testCapabilitiesAndNoNewPrivileges() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "grep -E '^(CapEff|CapPrm|CapBnd|CapInh|CapAmb|NoNewPrivs)' /proc/self/status | tr -s '\\t' ' '; chown 1:1 /tmp 2>/dev/null || echo chown-denied"])
        bundle.spec.process?.capabilities = Capabilities(bounding: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
                                                         effective: ["CAP_KILL"], inheritable: [],
                                                         permitted: ["CAP_KILL"], ambient: [])
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        // CAP_KILL is bit 5, CAP_NET_BIND_SERVICE bit 10.
        XCTAssertTrue(result.stdout.contains("CapEff: 0000000000000020"), result.stdout)
        XCTAssertTrue(result.stdout.contains("CapPrm: 0000000000000020"), result.stdout)
        XCTAssertTrue(result.stdout.contains("CapBnd: 0000000000000420"), result.stdout)
        XCTAssertTrue(result.stdout.contains("NoNewPrivs: 1"), result.stdout)
        XCTAssertTrue(result.stdout.contains("chown-denied"), result.stdout)
    }

    func testUnknownCapabilityIsRefusedNamingIt() throws {
        let bundle = try TestBundle()
        bundle.spec.process?.capabilities?.bounding?.append("CAP_FLY")
        let result = try bundle.run()
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("CAP_FLY"), result.stderr)
    }

    func testSeccompErrnoAndArgumentRules() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "mkdir /tmp/d 2>&1; echo mkdir=$?; echo still-running"])
        bundle.spec.linux?.seccomp = Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            Seccomp.Syscall(names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1),
        ])
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("Operation not permitted"), result.stdout)
        XCTAssertTrue(result.stdout.contains("mkdir=1\nstill-running"), result.stdout)
    }

    func testSeccompWithoutNoNewPrivileges() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "grep Seccomp: /proc/self/status | tr -s '\\t' ' '; grep NoNewPrivs /proc/self/status | tr -s '\\t' ' '"])
        bundle.spec.process?.noNewPrivileges = false
        bundle.spec.linux?.seccomp = Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            Seccomp.Syscall(names: ["acct"], action: "SCMP_ACT_ERRNO"),
        ])
        let result = try bundle.run()
        XCTAssertEqual(result.stdout, "Seccomp: 2\nNoNewPrivs: 0\n", result.stderr)
    }

    func testBadSeccompProfileNamesTheField() throws {
        let bundle = try TestBundle()
        bundle.spec.linux?.seccomp = Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            Seccomp.Syscall(names: ["mkdir"], action: "SCMP_ACT_EXPLODE"),
        ])
        let result = try bundle.run()
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("linux.seccomp.syscalls[0].action"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bundle.stateRoot), [])
    }

    func testSysctlsInTheContainersNamespaces() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni"])
        bundle.spec.linux?.sysctl = ["net.ipv4.ip_forward": "1", "kernel.shmmni": "2048"]
        bundle.spec.linux?.readonlyPaths = []
        let result = try bundle.run()
        XCTAssertEqual(result.stdout, "1\n2048\n", result.stderr)
        XCTAssertEqual(try String(contentsOfFile: "/proc/sys/kernel/shmmni", encoding: .utf8), "4096\n", "the host keeps its value")
    }

    func testHostSysctlIsRefused() throws {
        let bundle = try TestBundle()
        bundle.spec.linux?.sysctl = ["vm.swappiness": "10"]
        let result = try bundle.run()
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("linux.sysctl.vm.swappiness"), result.stderr)
    }

    func testProgramNotFoundFailsCreate() throws {
        let bundle = try TestBundle(args: ["no-such-program"])
        let result = try bundle.run()
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("no-such-program"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bundle.stateRoot), [])
    }

    func testDevicesDefaultAndConfigured() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "for d in null zero full random urandom tty mynull; do stat -c '%n %F %t:%T %a' /dev/$d; done; readlink /dev/fd; readlink /dev/ptmx; echo ok > /dev/mynull"])
        bundle.spec.linux?.devices = [Device(type: "c", path: "/dev/mynull", major: 1, minor: 3, fileMode: 0o640, uid: 0, gid: 0)]
        bundle.spec.linux?.resources?.devices?.append(Resources.DeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "rwm"))
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, """
            /dev/null character special file 1:3 666
            /dev/zero character special file 1:5 666
            /dev/full character special file 1:7 666
            /dev/random character special file 1:8 666
            /dev/urandom character special file 1:9 666
            /dev/tty character special file 5:0 666
            /dev/mynull character special file 1:3 640
            /proc/self/fd
            pts/ptmx

            """)
    }

    func testAConfiguredDeviceCannotReplaceADifferentFile() throws {
        let bundle = try TestBundle()
        bundle.spec.mounts?.removeAll { $0.destination.hasPrefix("/dev") }   // the image's own /dev
        try "not a device".write(toFile: bundle.rootfs + "/dev/mynull", atomically: true, encoding: .utf8)
        bundle.spec.linux?.devices = [Device(type: "c", path: "/dev/mynull", major: 1, minor: 3)]
        let result = try bundle.run()
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("linux.devices[0]") && result.stderr.contains("already exists"), result.stderr)
    }

    func testSchedulingIOPriorityAndAffinity() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "grep Cpus_allowed_list /proc/self/status | tr -s '\\t' ' '; ionice; cut -d' ' -f19 /proc/self/stat; grep -E '^policy' /proc/self/sched | tr -s ' '"])
        bundle.spec.process?.ioPriority = IOPriority(class: "IOPRIO_CLASS_IDLE", priority: 0)
        bundle.spec.process?.scheduler = Scheduler(policy: "SCHED_BATCH", nice: 5)
        bundle.spec.process?.execCPUAffinity = CPUAffinity(initial: nil, final: "0")
        let result = try bundle.run()
        XCTAssertEqual(result.stdout, "Cpus_allowed_list: 0\nidle\n5\npolicy : 3\n", result.stderr)
    }

    func testUnknownSchedulerPolicyNamesTheField() throws {
        let bundle = try TestBundle()
        bundle.spec.process?.scheduler = Scheduler(policy: "SCHED_FAST")
        let result = try bundle.run()
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("process.scheduler.policy"), result.stderr)
    }
}
