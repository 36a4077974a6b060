// Cgroups through the runtime: limits the container sees, pause/resume, update, stats,
// kill --all, ps, and no cgroup left after delete. (Driver details: CgroupV1Tests, CgroupV2Tests.)
import Foundation
import OCISpec
import TestSupport
import XCTest

final class ContainerCgroupTests: XCTestCase {
    private func cgroupPath(_ name: String) -> String { "/skiff-test-\(name)-\(getpid())" }

    func testLimitsAreVisibleInsideTheContainer() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us"])
        var resources = bundle.spec.linux?.resources ?? Resources()
        var memory = Resources.Memory(); memory.limit = 64 << 20
        resources.memory = memory
        resources.pids = Resources.Pids(limit: 42)
        var cpu = Resources.CPU(); cpu.shares = 512; cpu.quota = 50_000; cpu.period = 100_000
        resources.cpu = cpu
        bundle.spec.linux?.resources = resources
        bundle.spec.linux?.cgroupsPath = cgroupPath("limits")
        let result = try bundle.run()
        XCTAssertEqual(result.stdout, "67108864\n42\n512\n50000\n", result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory" + cgroupPath("limits")), "run removes the cgroup")
    }

    func testPidsLimitIsEnforced() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "for i in 1 2 3 4 5 6; do sleep 1 & done; echo spawned-all"])
        bundle.spec.linux?.resources?.pids = Resources.Pids(limit: 4)
        let result = try bundle.run()
        XCTAssertTrue(result.stderr.contains("can't fork"), "stdout: \(result.stdout) stderr: \(result.stderr)")
        XCTAssertFalse(result.stdout.contains("spawned-all"))
    }

    func testDeviceRulesDenyWhatIsNotAllowed() throws {
        // /dev/fuse (10:229) opens for root unless the device cgroup says no. A node the image
        // brings is not in linux.devices, so only resources.devices can allow it.
        let bundle = try TestBundle(args: ["sh", "-c", "echo x > /dev/null && echo null-ok; (exec 3<>/myfuse) 2>/dev/null && echo fuse-open || echo fuse-denied"])
        try shell("mknod '\(bundle.rootfs)/myfuse' c 10 229")
        bundle.spec.linux?.resources?.devices = [Resources.DeviceCgroup(allow: false, access: "rwm")]
        XCTAssertEqual(try bundle.run().stdout, "null-ok\nfuse-denied\n", "the default devices stay usable; others are denied")
        bundle.spec.linux?.resources?.devices?.append(Resources.DeviceCgroup(allow: true, type: "c", major: 10, minor: 229, access: "rw"))
        XCTAssertEqual(try bundle.run().stdout, "null-ok\nfuse-open\n", "an allow rule opens it")
        bundle.spec.linux?.resources?.devices?.removeLast()
        bundle.spec.linux?.devices = [Device(type: "c", path: "/dev/myfuse", major: 10, minor: 229, fileMode: 0o666)]
        bundle.args = ["sh", "-c", "(exec 3<>/dev/myfuse) 2>/dev/null && echo fuse-open || echo fuse-denied"]
        XCTAssertEqual(try bundle.run().stdout, "fuse-open\n", "linux.devices are usable, as runc allows them")
    }

    func testPauseResumeUpdateStatsAndKillAll() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "sleep 300 & sleep 300 & while true; do sleep 0.05; done"])
        bundle.spec.linux?.cgroupsPath = cgroupPath("ops")
        try bundle.create("ops", start: true)
        usleep(300_000)

        let pids = try JSONDecoder().decode([Int32].self, from: Data(try bundle.runtime(["ps", "--format", "json", "ops"]).stdout.utf8))
        XCTAssertGreaterThanOrEqual(pids.count, 3, "init and both sleeps: \(pids)")
        XCTAssertTrue(try bundle.runtime(["ps", "ops"]).stdout.contains("sleep 300"))

        XCTAssertEqual(try bundle.runtime(["pause", "ops"]).status, 0)
        XCTAssertEqual(try bundle.state("ops").status, .paused)
        let freezer = try String(contentsOfFile: "/sys/fs/cgroup/freezer\(cgroupPath("ops"))/freezer.state", encoding: .utf8)
        XCTAssertEqual(freezer, "FROZEN\n")
        XCTAssertNotEqual(try bundle.runtime(["pause", "ops"]).status, 0, "pausing a paused container is an error")
        XCTAssertEqual(try bundle.runtime(["resume", "ops"]).status, 0)
        XCTAssertEqual(try bundle.state("ops").status, .running)

        XCTAssertEqual(try bundle.runtime(["update", "--memory", "33554432", "--pids-limit", "99", "ops"]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: "/sys/fs/cgroup/memory\(cgroupPath("ops"))/memory.limit_in_bytes", encoding: .utf8), "33554432\n")
        XCTAssertEqual(try String(contentsOfFile: "/sys/fs/cgroup/pids\(cgroupPath("ops"))/pids.max", encoding: .utf8), "99\n")
        let file = bundle.directory + "/resources.json"
        try #"{"pids":{"limit":77}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try bundle.runtime(["update", "-r", file, "ops"]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: "/sys/fs/cgroup/pids\(cgroupPath("ops"))/pids.max", encoding: .utf8), "77\n")

        let stats = try bundle.runtime(["events", "--stats", "ops"])
        let event = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(event?["type"] as? String, "stats", stats.stdout)
        let data = event?["data"] as? [String: Any]
        let pidsStats = data?["pids"] as? [String: Any]
        XCTAssertGreaterThanOrEqual(pidsStats?["current"] as? Int ?? 0, 3, stats.stdout)
        let memoryUsage = (data?["memory"] as? [String: Any])?["usage"] as? [String: Any]
        XCTAssertGreaterThan(memoryUsage?["usage"] as? Int ?? 0, 0, stats.stdout)

        XCTAssertEqual(try bundle.runtime(["kill", "--all", "ops", "KILL"]).status, 0)
        try bundle.wait("ops", for: .stopped)
        XCTAssertEqual(try bundle.runtime(["delete", "ops"]).status, 0)
        for controller in ["memory", "pids", "freezer", "cpu,cpuacct", "devices"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/\(controller)\(cgroupPath("ops"))"), controller)
        }
        for pid in pids {
            let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            XCTAssertTrue(stat == nil || stat!.contains(") Z "), "process \(pid) is gone")
        }
    }

    func testDeleteForceOfAPausedContainer() throws {
        let bundle = try TestBundle(args: ["sleep", "60"])
        bundle.spec.linux?.cgroupsPath = cgroupPath("paused")
        try bundle.create("paused", start: true)
        XCTAssertEqual(try bundle.runtime(["pause", "paused"]).status, 0)
        let start = Date()
        let result = try bundle.runtime(["delete", "--force", "paused"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "", "no warning: everything was removed")
        XCTAssertLessThan(Date().timeIntervalSince(start), 3, "a frozen container is thawed to die")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/freezer" + cgroupPath("paused")))
    }

    func testEventsReportAnOOMKill() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "sleep 1; tail /dev/zero; sleep 1"])
        var memory = Resources.Memory(); memory.limit = 16 << 20; memory.swap = 16 << 20
        bundle.spec.linux?.resources?.memory = memory
        try bundle.create("oom")
        let output = bundle.directory + "/events.out"
        let events = try Command.start(runtimeBinary, ["--root", bundle.stateRoot, "events", "--interval", "1s", "oom"], stdout: output)
        XCTAssertEqual(try bundle.runtime(["start", "oom"]).status, 0)
        XCTAssertEqual(Command.wait(events, timeout: 20), 0, "events ends when the container stops")
        // JSON key order is the encoder's business: read the events as JSON.
        let printed = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        let types = printed.map { ($0["type"] as? String ?? "", $0["id"] as? String ?? "") }
        XCTAssertTrue(types.contains { $0 == ("oom", "oom") }, "an oom event: \(types)")
        XCTAssertTrue(types.contains { $0 == ("stats", "oom") }, "and stats events: \(types)")
    }

    func testSystemdCgroupDriverGivesAClearError() throws {
        let bundle = try TestBundle()
        try bundle.writeConfig()
        let result = try bundle.runtime(["--systemd-cgroup", "run", "--bundle", bundle.directory, "sd"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("systemd"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bundle.stateRoot), [])
    }
}
