// The runtime on a pure cgroup v2 host. This machine is hybrid, so each runtime call runs in a
// private mount namespace whose /sys/fs/cgroup is the real cgroup2 hierarchy (the one also at
// /sys/fs/cgroup/unified): the runtime then detects v2 and drives it for real. Only the
// controllers this kernel gives cgroup2 (hugetlb) can be limited; the rest of v2 — membership,
// freezer, cgroup.kill, eBPF device rules, the cgroup namespace and mount — all run.
import Foundation
import OCISpec
import TestSupport
import XCTest

final class CgroupV2RuntimeTests: XCTestCase {
    private let unified = "/sys/fs/cgroup/unified"

    private func v2(_ bundle: TestBundle, _ arguments: [String]) throws -> CommandResult {
        guard FileManager.default.fileExists(atPath: unified + "/cgroup.procs") else {
            throw XCTSkip("no cgroup2 hierarchy at \(unified)")
        }
        let quoted = ([runtimeBinary, "--root", bundle.stateRoot] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return try Command.run("/usr/bin/unshare", ["-m", "/bin/sh", "-c",
            "mount --make-rprivate / && mount -t tmpfs none /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec \(quoted)"])
    }

    private func cgroupPath(_ name: String) -> String { "/skiff-v2-\(name)-\(getpid())" }

    func testContainerRunsInItsOwnCgroup2WithNamespaceAndMount() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "cat /proc/self/cgroup; grep ' /sys/fs/cgroup ' /proc/mounts | cut -d' ' -f3,4 | cut -d, -f1; cat /sys/fs/cgroup/cgroup.procs | wc -l; echo x > /dev/null && echo null-ok"])
        bundle.spec.linux?.cgroupsPath = cgroupPath("run")
        try bundle.writeConfig()
        let result = try v2(bundle, ["run", "--bundle", bundle.directory, "v2run"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("0::/"), "in its cgroup namespace the container's cgroup is the root: \(result.stdout)")
        XCTAssertTrue(lines.contains("cgroup2 ro"), "/sys/fs/cgroup in the container is a read-only cgroup2: \(result.stdout)")
        XCTAssertTrue(lines.contains("null-ok"), "the eBPF device filter lets /dev/null through: \(result.stdout)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: unified + cgroupPath("run")), "run removes the cgroup")
    }

    func testDevicesHugetlbPauseResumeAndKillAll() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "(exec 3<>/myfuse) 2>/dev/null && echo fuse-open || echo fuse-denied; sleep 300 & sleep 300 & wait"])
        try shell("mknod '\(bundle.rootfs)/myfuse' c 10 229")
        bundle.spec.linux?.cgroupsPath = cgroupPath("ops")
        bundle.spec.linux?.resources?.hugepageLimits = [Resources.HugepageLimit(pageSize: "2MB", limit: 4 << 21)]
        try bundle.writeConfig()
        let dir = unified + cgroupPath("ops")
        XCTAssertEqual(try v2(bundle, ["create", "--bundle", bundle.directory, "v2ops"]).status, 0)
        defer { _ = try? v2(bundle, ["delete", "--force", "v2ops"]) }
        XCTAssertEqual(try String(contentsOfFile: dir + "/hugetlb.2MB.max", encoding: .utf8), "\(4 << 21)\n")
        XCTAssertEqual(try v2(bundle, ["start", "v2ops"]).status, 0)
        let deadline = Date().addingTimeInterval(5)
        while ((try? String(contentsOfFile: dir + "/cgroup.procs", encoding: .utf8)) ?? "").split(separator: "\n").count < 3
                && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(try String(contentsOfFile: dir + "/cgroup.procs", encoding: .utf8).split(separator: "\n").count, 3, "the shell and two sleeps")

        XCTAssertEqual(try v2(bundle, ["pause", "v2ops"]).status, 0)
        XCTAssertTrue(try String(contentsOfFile: dir + "/cgroup.events", encoding: .utf8).contains("frozen 1"))
        XCTAssertTrue(try v2(bundle, ["state", "v2ops"]).stdout.contains("\"paused\""))
        XCTAssertEqual(try v2(bundle, ["resume", "v2ops"]).status, 0)
        XCTAssertTrue(try String(contentsOfFile: dir + "/cgroup.events", encoding: .utf8).contains("frozen 0"))

        XCTAssertEqual(try v2(bundle, ["kill", "--all", "v2ops", "KILL"]).status, 0)
        let stopped = Date().addingTimeInterval(5)
        while !(try v2(bundle, ["state", "v2ops"]).stdout.contains("\"stopped\"")) && Date() < stopped { usleep(20_000) }
        XCTAssertEqual(try v2(bundle, ["delete", "v2ops"]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir))
    }

    func testDeviceRuleDeniesOnV2() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "(exec 3<>/myfuse) 2>/dev/null && echo fuse-open || echo fuse-denied"])
        try shell("mknod '\(bundle.rootfs)/myfuse' c 10 229")
        try bundle.writeConfig()
        XCTAssertEqual(try v2(bundle, ["run", "--bundle", bundle.directory, "v2dev"]).stdout, "fuse-denied\n")
        bundle.spec.linux?.resources?.devices?.append(Resources.DeviceCgroup(allow: true, type: "c", major: 10, minor: 229, access: "rw"))
        try bundle.writeConfig()
        XCTAssertEqual(try v2(bundle, ["run", "--bundle", bundle.directory, "v2dev"]).stdout, "fuse-open\n")
    }
}
