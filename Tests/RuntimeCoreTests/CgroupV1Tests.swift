// The v1 driver against the real kernel (legacy and hybrid hosts; this machine is hybrid).
// Each test works in its own /skiff-test-... cgroup, removed with its processes at teardown.
import Foundation
import Glibc
import OCISpec
import XCTest
@testable import RuntimeCore

final class CgroupV1Tests: XCTestCase {
    private var layout: CgroupLayout!

    override func setUpWithError() throws {
        guard CgroupTestSupport.isRoot else { throw XCTSkip("needs root") }
        layout = try CgroupLayout.current()
        guard layout.mode != .unified else { throw XCTSkip("this host has no cgroup v1 hierarchies") }
    }

    /// A driver for a fresh cgroup at /<unique><nested>. Teardown removes the whole test tree
    /// in every hierarchy, whatever the test did.
    private func makeManager(_ tag: String, nested: String = "") -> (CgroupV1Manager, path: String) {
        let top = "/" + CgroupTestSupport.uniqueName(tag)
        let manager = CgroupV1Manager(layout: layout, cgroupPath: top + nested)
        let mounts = layout.v1Hierarchies.map(\.mountPoint) + (layout.unifiedMountPoint.map { [$0] } ?? [])
        addTeardownBlock { CgroupTestSupport.removeDirs(mounts.map { $0 + top }) }
        return (manager, top + nested)
    }

    /// Starts a child that is thawed, killed and reaped at teardown (before the cgroups go).
    private func spawn(_ child: @autoclosure () throws -> TestChild, thawing manager: CgroupManager? = nil) rethrows -> TestChild {
        let c = try child()
        addTeardownBlock { try? manager?.thaw(); c.stop() }
        return c
    }

    private func file(_ manager: CgroupV1Manager, _ controller: String, _ name: String) -> String {
        CgroupTestSupport.read((manager.paths[controller] ?? "<no \(controller)>") + "/" + name)
    }

    func testCreateMakesEveryHierarchyAndAppliesResources() throws {
        let (m, path) = makeManager("create")
        let r = try CgroupTestSupport.resources("""
            {"memory": {"limit": 67108864, "reservation": 33554432, "swap": 134217728, "swappiness": 10, "disableOOMKiller": true},
             "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"},
             "pids": {"limit": 42},
             "devices": [{"allow": false, "access": "rwm"},
                         {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
                         {"allow": true, "type": "c", "major": 1, "minor": 5, "access": "r"}]}
            """)
        try m.create(resources: r)

        for h in layout.v1Hierarchies where !h.controllers.isEmpty || h.name == "systemd" {
            XCTAssertTrue(FileIO.isDirectory(h.mountPoint + path), "no cgroup in \(h.options)")
            XCTAssertEqual(m.paths[h.key.split(separator: ",").first.map(String.init) ?? ""], h.mountPoint + path)
        }
        if layout.mode == .hybrid {
            XCTAssertTrue(FileIO.isDirectory(layout.unifiedMountPoint! + path), "hybrid: no cgroup2 directory")
            XCTAssertEqual(m.record.driver, "hybrid")
            XCTAssertEqual(m.record.paths[""], layout.unifiedMountPoint! + path)
        }
        XCTAssertEqual(file(m, "memory", "memory.limit_in_bytes"), "67108864")
        XCTAssertEqual(file(m, "memory", "memory.memsw.limit_in_bytes"), "134217728")
        XCTAssertEqual(file(m, "memory", "memory.soft_limit_in_bytes"), "33554432")
        XCTAssertEqual(file(m, "memory", "memory.swappiness"), "10")
        XCTAssertTrue(file(m, "memory", "memory.oom_control").contains("oom_kill_disable 1"))
        XCTAssertEqual(file(m, "cpu", "cpu.shares"), "512")
        XCTAssertEqual(file(m, "cpu", "cpu.cfs_quota_us"), "50000")
        XCTAssertEqual(file(m, "cpu", "cpu.cfs_period_us"), "100000")
        XCTAssertEqual(file(m, "cpuset", "cpuset.cpus"), "0")
        XCTAssertEqual(file(m, "cpuset", "cpuset.mems"), "0")
        XCTAssertEqual(file(m, "pids", "pids.max"), "42")
        let listed = Set(file(m, "devices", "devices.list").split(separator: "\n").map(String.init))
        XCTAssertEqual(listed, try CgroupTestSupport.expectedDevicesList(r.devices!))
        XCTAssertTrue(listed.contains("c 1:5 rwm") && listed.contains("c 136:* rwm") && !listed.contains("a *:* rwm"), "\(listed)")
    }

    func testAddPutsTheProcessInEveryHierarchyAndProcessesFindsIt() throws {
        let (m, path) = makeManager("add")
        try m.create(resources: nil)
        let child = try spawn(try TestChild.sleeper())
        try m.add(pid: child.pid)

        let membership = child.cgroups
        for h in layout.v1Hierarchies where !h.controllers.isEmpty || h.name == "systemd" {
            XCTAssertEqual(membership[h.key], path, "hierarchy \(h.key)")
        }
        if layout.mode == .hybrid { XCTAssertEqual(membership[""], path, "cgroup2") }
        XCTAssertEqual(try m.processes(), [child.pid])

        // A child cgroup made by the container's own processes is included, and destroyed too.
        let sub = try XCTUnwrap(m.paths["devices"]) + "/sub"
        try FileIO.mkdirAll(sub)
        let other = try spawn(try TestChild.sleeper())
        try CgroupFiles.write(sub, "cgroup.procs", String(other.pid))
        XCTAssertEqual(Set(try m.processes()), [child.pid, other.pid])
        child.stop(); other.stop()
        try m.destroy()
        XCTAssertFalse(FileIO.exists(sub))
    }

    func testFreezeStopsTheProcessAndThawResumesIt() throws {
        let (m, _) = makeManager("freeze")
        try m.create(resources: nil)
        let child = try spawn(try TestChild.spinner(), thawing: m)
        try m.add(pid: child.pid)

        try m.freeze()
        XCTAssertTrue(m.isFrozen())
        XCTAssertEqual(file(m, "freezer", "freezer.state"), "FROZEN")
        XCTAssertEqual(child.state, "D", "a task in a frozen v1 cgroup sleeps uninterruptibly")
        let frozenTicks = child.cpuTicks
        CgroupTestSupport.sleep(ms: 300)
        XCTAssertEqual(child.cpuTicks, frozenTicks, "a frozen spinner must not run")

        try m.thaw()
        XCTAssertFalse(m.isFrozen())
        CgroupTestSupport.sleep(ms: 300)
        XCTAssertGreaterThan(child.cpuTicks, frozenTicks, "the thawed spinner runs again")
    }

    func testStatsOfARunningProcess() throws {
        let (m, _) = makeManager("stats")
        try m.create(resources: try CgroupTestSupport.resources(#"{"pids": {"limit": 42}}"#))
        let child = try spawn(try TestChild.gatedSpinner())
        try m.add(pid: child.pid)
        child.release()
        CgroupTestSupport.sleep(ms: 300)

        let stats = try m.stats()
        XCTAssertGreaterThan(stats.cpu.usage.total, 100_000_000, "about 300 ms of CPU, in ns")
        XCTAssertGreaterThan(stats.cpu.usage.user + stats.cpu.usage.kernel, 0)
        XCTAssertEqual(stats.cpu.usage.percpu.count, CgroupTestSupport.read("/sys/fs/cgroup/cpuacct/cpuacct.usage_percpu").split(separator: " ").count)
        let perCPUSum = stats.cpu.usage.percpu.reduce(0, +)
        XCTAssertLessThan(max(perCPUSum, stats.cpu.usage.total) - min(perCPUSum, stats.cpu.usage.total), stats.cpu.usage.total / 10)
        XCTAssertGreaterThan(stats.memory.usage.usage, 0)
        XCTAssertGreaterThan(stats.memory.usage.limit, 0)
        XCTAssertNotNil(stats.memory.raw["rss"] ?? stats.memory.raw["total_rss"])
        XCTAssertEqual(stats.pids.current, 1)
        XCTAssertEqual(stats.pids.limit, 42)
        XCTAssertEqual(stats.cpuset.cpus, CgroupStats.CPUSet.parseList(file(m, "cpuset", "cpuset.cpus")))
        XCTAssertFalse(stats.cpuset.cpus.isEmpty)
        XCTAssertEqual(stats.cpuset.schedLoadBalance, 1)
    }

    func testUpdateGrowsAndShrinksMemoryAndSwapInTheRightOrder() throws {
        let (m, _) = makeManager("update")
        try m.create(resources: try CgroupTestSupport.resources(#"{"memory": {"limit": 67108864, "swap": 134217728}, "pids": {"limit": 10}}"#))
        // Growing: memsw must go first (a 256M limit over a 128M memsw is refused).
        try m.update(resources: try CgroupTestSupport.resources(#"{"memory": {"limit": 268435456, "swap": 536870912}}"#))
        XCTAssertEqual(file(m, "memory", "memory.limit_in_bytes"), "268435456")
        XCTAssertEqual(file(m, "memory", "memory.memsw.limit_in_bytes"), "536870912")
        // Shrinking: the limit must go first.
        try m.update(resources: try CgroupTestSupport.resources(#"{"memory": {"limit": 33554432, "swap": 50331648}}"#))
        XCTAssertEqual(file(m, "memory", "memory.limit_in_bytes"), "33554432")
        XCTAssertEqual(file(m, "memory", "memory.memsw.limit_in_bytes"), "50331648")
        // Unlimited memory lifts swap too.
        try m.update(resources: try CgroupTestSupport.resources(#"{"memory": {"limit": -1}, "pids": {"limit": 0}, "cpu": {"quota": 20000}}"#))
        XCTAssertEqual(file(m, "memory", "memory.limit_in_bytes"), "9223372036854771712")
        XCTAssertEqual(file(m, "memory", "memory.memsw.limit_in_bytes"), "9223372036854771712")
        XCTAssertEqual(file(m, "pids", "pids.max"), "max")
        XCTAssertEqual(file(m, "cpu", "cpu.cfs_quota_us"), "20000")
    }

    // /dev/kmsg (c 1:11) is a device no default rule allows; /dev/zero is one they do.
    func testDeviceRulesAreEnforcedAndUpdated() throws {
        let (m, _) = makeManager("devices")
        try m.create(resources: try CgroupTestSupport.resources(#"{"devices": [{"allow": false}]}"#))
        XCTAssertEqual(Set(file(m, "devices", "devices.list").split(separator: "\n").map(String.init)),
                       try CgroupTestSupport.expectedDevicesList([.init(allow: false)]))
        let denied = try spawn(try TestChild.gatedShell("(: </dev/zero) || exit 3; (: </dev/kmsg) && exit 4; exit 0"))
        try m.add(pid: denied.pid)
        denied.release()
        XCTAssertEqual(denied.exitCode, 0, "/dev/zero must open and /dev/kmsg must not (3: zero refused, 4: kmsg allowed)")

        try m.update(resources: try CgroupTestSupport.resources("""
            {"devices": [{"allow": false}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "r"}]}
            """))
        XCTAssertTrue(file(m, "devices", "devices.list").split(separator: "\n").contains("c 1:11 r"))
        let allowed = try spawn(try TestChild.gatedShell("(: </dev/kmsg) || exit 5; (: >/dev/kmsg) && exit 6; exit 0"))
        try m.add(pid: allowed.pid)
        allowed.release()
        XCTAssertEqual(allowed.exitCode, 0, "5: reading /dev/kmsg refused after the update, 6: writing it allowed")
    }

    func testDevicesAreRestrictedEvenWithoutRulesAndConfigNodesAllowed() throws {
        let top = "/" + CgroupTestSupport.uniqueName("nodes")
        let mounts = layout.v1Hierarchies.map(\.mountPoint) + (layout.unifiedMountPoint.map { [$0] } ?? [])
        addTeardownBlock { CgroupTestSupport.removeDirs(mounts.map { $0 + top }) }
        let kmsg = Device(type: "c", path: "/dev/kmsg", major: 1, minor: 11)
        let withNode = CgroupV1Manager(layout: layout, cgroupPath: top + "/with", deviceNodes: [kmsg])
        let without = CgroupV1Manager(layout: layout, cgroupPath: top + "/without")
        try withNode.create(resources: nil)
        try without.create(resources: nil)  // runc restricts devices even when the config names none
        XCTAssertTrue(file(withNode, "devices", "devices.list").split(separator: "\n").contains("c 1:11 rwm"))
        // What runc 1.1.5 leaves in devices.list for a container of `runc spec`, read on this host.
        let runcList: Set<String> = ["b *:* m", "c *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
                                     "c 5:0 rwm", "c 5:2 rwm", "c 10:200 rwm", "c 136:* rwm"]
        XCTAssertEqual(Set(file(without, "devices", "devices.list").split(separator: "\n").map(String.init)), runcList)
        // The node stays allowed across an update of the rules by a manager reopened from its record.
        let reopened = Cgroups.manager(record: withNode.record)
        try reopened.update(resources: try CgroupTestSupport.resources(#"{"devices": [{"allow": false}]}"#))
        XCTAssertTrue(file(withNode, "devices", "devices.list").split(separator: "\n").contains("c 1:11 rwm"))
        let a = try spawn(try TestChild.gatedShell("(: </dev/kmsg) || exit 3; exit 0"))
        let b = try spawn(try TestChild.gatedShell("(: </dev/kmsg) && exit 4; (: </dev/null) || exit 5; exit 0"))
        try withNode.add(pid: a.pid); try without.add(pid: b.pid)
        a.release(); b.release()
        XCTAssertEqual(a.exitCode, 0, "linux.devices nodes are allowed")
        XCTAssertEqual(b.exitCode, 0, "4: kmsg allowed without a rule, 5: /dev/null (a default) refused")
    }

    func testNestedCgroupsGetTheParentsCpuset() throws {
        let (m, path) = makeManager("cpuset", nested: "/a/b")
        try m.create(resources: nil)
        let mount = try XCTUnwrap(layout.hierarchy(for: "cpuset")).mountPoint
        let rootCpus = CgroupTestSupport.read(mount + "/cpuset.cpus")
        var dir = mount
        for part in path.split(separator: "/") {
            dir += "/\(part)"
            XCTAssertEqual(CgroupTestSupport.read(dir + "/cpuset.cpus"), rootCpus, dir)
            XCTAssertFalse(CgroupTestSupport.read(dir + "/cpuset.mems").isEmpty, dir)
        }
        let child = try spawn(try TestChild.sleeper())
        try m.add(pid: child.pid)  // ENOSPC if cpus or mems were empty
        XCTAssertEqual(child.cgroups["cpuset"], path)
    }

    func testRejectedValueNamesFileAndValueAndCreateCleansUp() throws {
        let (m, path) = makeManager("reject")
        XCTAssertThrowsError(try m.create(resources: try CgroupTestSupport.resources(#"{"cpu": {"quota": 500}}"#))) { error in
            XCTAssertEqual("\(error)", "write 500 to \(m.paths["cpu"]!)/cpu.cfs_quota_us: Invalid argument")
        }
        for h in layout.v1Hierarchies {
            XCTAssertFalse(FileIO.exists(h.mountPoint + path), "create left \(h.mountPoint + path) behind")
        }
        if let unified = layout.unifiedMountPoint { XCTAssertFalse(FileIO.exists(unified + path)) }
    }

    func testMissingControllerIsAnError() throws {
        guard layout.hierarchy(for: "net_cls") == nil else { throw XCTSkip("net_cls is mounted here") }
        let (m, _) = makeManager("netcls")
        XCTAssertThrowsError(try m.create(resources: try CgroupTestSupport.resources(#"{"network": {"classID": 1048577}}"#))) {
            XCTAssertTrue("\($0)".contains("net_cls cgroup controller is not mounted"), "\($0)")
        }
    }

    func testHybridDrivesHugetlbAndUnifiedThroughCgroup2() throws {
        guard layout.mode == .hybrid, layout.hierarchy(for: "hugetlb") == nil,
              CgroupV2Resources.controllers(of: layout.unifiedMountPoint!).contains("hugetlb"),
              ResourceConversions.hostHugepageSizes().contains("2MB") else {
            throw XCTSkip("needs a hybrid host whose hugetlb controller is in cgroup2")
        }
        let (m, path) = makeManager("hugetlb")
        try m.create(resources: try CgroupTestSupport.resources("""
            {"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}], "unified": {"hugetlb.1GB.max": "1073741824"}}
            """))
        let dir = layout.unifiedMountPoint! + path
        XCTAssertEqual(CgroupTestSupport.read(dir + "/hugetlb.2MB.max"), "4194304")
        XCTAssertEqual(CgroupTestSupport.read(dir + "/hugetlb.1GB.max"), "1073741824")
        XCTAssertNotNil(try m.stats().hugetlb["2MB"])

        XCTAssertThrowsError(try m.update(resources: try CgroupTestSupport.resources(#"{"unified": {"memory.max": "1"}}"#))) {
            XCTAssertTrue("\($0)".contains("\"memory.max\""), "\($0)")
        }
        XCTAssertThrowsError(try m.update(resources: try CgroupTestSupport.resources(#"{"hugepageLimits": [{"pageSize": "3MB", "limit": 1}]}"#))) {
            XCTAssertTrue("\($0)".contains("page size \"3MB\""), "\($0)")
        }
    }

    func testKillAllOnHybridKillsEveryProcess() throws {
        guard layout.mode == .hybrid else { throw XCTSkip("cgroup.kill needs the hybrid cgroup2 side") }
        let (m, _) = makeManager("kill")
        try m.create(resources: nil)
        let a = try spawn(try TestChild.sleeper()), b = try spawn(try TestChild.sleeper())
        try m.add(pid: a.pid); try m.add(pid: b.pid)
        XCTAssertTrue(try m.killAll())
        XCTAssertEqual(a.termSignal, SIGKILL)
        XCTAssertEqual(b.termSignal, SIGKILL)
    }

    func testReopenedFromRecordManagesTheSameCgroup() throws {
        let (m, path) = makeManager("record")
        try m.create(resources: nil)
        let child = try spawn(try TestChild.spinner(), thawing: m)
        try m.add(pid: child.pid)

        let data = try JSONEncoder().encode(m.record)
        let reopened = Cgroups.manager(record: try JSONDecoder().decode(CgroupRecord.self, from: data))
        XCTAssertEqual(reopened.record, m.record)
        XCTAssertEqual(try reopened.processes(), [child.pid])
        try reopened.freeze()
        XCTAssertTrue(m.isFrozen())
        try reopened.thaw()
        try reopened.update(resources: try CgroupTestSupport.resources(#"{"pids": {"limit": 7}}"#))
        XCTAssertEqual(file(m, "pids", "pids.max"), "7")
        child.stop()
        try reopened.destroy()
        for dir in m.record.paths.values { XCTAssertFalse(FileIO.exists(dir), dir) }
        try reopened.destroy()  // already gone: fine
        _ = path
    }

    func testFactoryPlacesPathsUnderEachHierarchyRoot() throws {
        let memory = try XCTUnwrap(layout.hierarchy(for: "memory")).mountPoint
        let byID = try Cgroups.manager(layout: layout, cgroupsPath: nil, id: "ctr1")
        XCTAssertEqual(byID.record.paths["memory"], memory + "/ctr1")
        let relative = try Cgroups.manager(layout: layout, cgroupsPath: "pods/ctr1", id: "x")
        XCTAssertEqual(relative.record.paths["memory"], memory + "/pods/ctr1")
        let absolute = try Cgroups.manager(layout: layout, cgroupsPath: "/pods//ctr1/", id: "x")
        XCTAssertEqual(absolute.record.paths["name=systemd"].map { $0.hasSuffix("/pods/ctr1") }, layout.hierarchy(for: "name=systemd") != nil ? true : nil)
        XCTAssertThrowsError(try Cgroups.requireCgroupfs(systemd: true))
        XCTAssertNoThrow(try Cgroups.requireCgroupfs(systemd: false))
    }
}
