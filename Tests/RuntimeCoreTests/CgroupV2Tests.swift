// The v2 driver against the real kernel. On this hybrid host it runs on the cgroup2 mount at
// /sys/fs/cgroup/unified, whose only controller is hugetlb; the membership, freezer, kill,
// eBPF device filter and hugetlb paths are all real there.
import Foundation
import Glibc
import OCISpec
import XCTest
@testable import RuntimeCore

final class CgroupV2Tests: XCTestCase {
    private var mount: String!

    override func setUpWithError() throws {
        guard CgroupTestSupport.isRoot else { throw XCTSkip("needs root") }
        guard let unified = try CgroupLayout.current().unifiedMountPoint else { throw XCTSkip("no cgroup2 mount") }
        mount = unified
    }

    private func makeManager(_ tag: String, nested: String = "") -> (CgroupV2Manager, path: String) {
        let top = "/" + CgroupTestSupport.uniqueName(tag)
        let dir = mount + top
        addTeardownBlock { CgroupTestSupport.removeDirs([dir]) }
        return (CgroupV2Manager(mountPoint: mount, cgroupPath: top + nested), top + nested)
    }

    private func spawn(_ child: @autoclosure () throws -> TestChild, thawing manager: CgroupManager? = nil) rethrows -> TestChild {
        let c = try child()
        addTeardownBlock { try? manager?.thaw(); c.stop() }
        return c
    }

    private var hasHugetlb: Bool {
        CgroupV2Resources.controllers(of: mount).contains("hugetlb") && ResourceConversions.hostHugepageSizes().contains("2MB")
    }

    func testCreateEnablesControllersDownThePathAndAppliesHugetlb() throws {
        guard hasHugetlb else { throw XCTSkip("no hugetlb controller in cgroup2 here") }
        let (m, path) = makeManager("create", nested: "/inner")
        try m.create(resources: try CgroupTestSupport.resources(#"{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}"#))
        let top = mount + "/" + path.split(separator: "/")[0]
        XCTAssertTrue(CgroupTestSupport.read(mount + "/cgroup.subtree_control").contains("hugetlb"))
        XCTAssertTrue(CgroupTestSupport.read(top + "/cgroup.subtree_control").contains("hugetlb"))
        XCTAssertTrue(CgroupTestSupport.read(m.dir + "/cgroup.controllers").contains("hugetlb"))
        XCTAssertEqual(CgroupTestSupport.read(m.dir + "/hugetlb.2MB.max"), "4194304")
        try m.update(resources: try CgroupTestSupport.resources(#"{"hugepageLimits": [{"pageSize": "2MB", "limit": 0}]}"#))
        XCTAssertEqual(CgroupTestSupport.read(m.dir + "/hugetlb.2MB.max"), "0")
        XCTAssertEqual(m.record, CgroupRecord(driver: "v2", paths: ["": mount + path]))
    }

    func testMembershipFreezeKillAndDestroy() throws {
        let (m, path) = makeManager("lifecycle")
        try m.create(resources: nil)
        let child = try spawn(try TestChild.spinner(), thawing: m)
        try m.add(pid: child.pid)
        XCTAssertEqual(child.cgroups[""], path)
        XCTAssertEqual(try m.processes(), [child.pid])

        try m.freeze()
        XCTAssertTrue(m.isFrozen())
        XCTAssertEqual(CgroupTestSupport.read(m.dir + "/cgroup.freeze"), "1")
        let frozenTicks = child.cpuTicks
        CgroupTestSupport.sleep(ms: 300)
        XCTAssertEqual(child.cpuTicks, frozenTicks, "a frozen spinner must not run")
        try m.thaw()
        XCTAssertFalse(m.isFrozen())
        CgroupTestSupport.sleep(ms: 300)
        XCTAssertGreaterThan(child.cpuTicks, frozenTicks, "the thawed spinner runs again")

        XCTAssertTrue(try m.killAll())
        XCTAssertEqual(child.termSignal, SIGKILL)
        try m.destroy()
        XCTAssertFalse(FileIO.exists(m.dir))
        try m.destroy()  // gone already: fine
    }

    func testDestroyRightAfterKillWaitsForTheKernel() throws {
        let (m, _) = makeManager("destroy")
        try m.create(resources: nil)
        let child = try spawn(try TestChild.sleeper())
        try m.add(pid: child.pid)
        kill(child.pid, SIGKILL)  // not reaped yet: the kernel may still be tearing it down
        try m.destroy()
        XCTAssertFalse(FileIO.exists(m.dir))
    }

    func testDeviceProgramEnforcesAndReplacesRules() throws {
        let (m, _) = makeManager("devices")
        // /dev/kmsg (c 1:11) is a device no default rule allows; /dev/zero is one they do.
        try m.create(resources: try CgroupTestSupport.resources(#"{"devices": [{"allow": false}]}"#))
        let first = try m.deviceProgramIDs()
        XCTAssertEqual(first.count, 1)
        let denied = try spawn(try TestChild.gatedShell("(: </dev/zero) || exit 3; (: </dev/kmsg) && exit 4; exit 0"))
        try m.add(pid: denied.pid)
        denied.release()
        XCTAssertEqual(denied.exitCode, 0, "/dev/zero must open and /dev/kmsg must not (3: zero refused, 4: kmsg allowed)")

        // Allow-by-default with a write-only deny: reading /dev/kmsg works, writing does not.
        try m.update(resources: try CgroupTestSupport.resources("""
            {"devices": [{"allow": true}, {"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"}]}
            """))
        let second = try m.deviceProgramIDs()
        XCTAssertEqual(second.count, 1, "the old program is replaced, not stacked")
        XCTAssertNotEqual(second, first)
        let partial = try spawn(try TestChild.gatedShell("(: </dev/kmsg) || exit 5; (: >/dev/kmsg) && exit 6; (: <>/dev/kmsg) && exit 8; (: </dev/zero) || exit 7; exit 0"))
        try m.add(pid: partial.pid)
        partial.release()
        XCTAssertEqual(partial.exitCode, 0, "5: read refused, 6: write allowed, 8: read-write allowed, 7: other device refused")
    }

    func testResourcesNeedAnEnabledController() throws {
        guard !CgroupV2Resources.controllers(of: mount).contains("memory") else { throw XCTSkip("memory is enabled here") }
        let (m, path) = makeManager("nomemory")
        XCTAssertThrowsError(try m.create(resources: try CgroupTestSupport.resources(#"{"memory": {"limit": 67108864}}"#))) {
            XCTAssertTrue("\($0)".contains("the memory controller is not enabled for \(mount!)\(path)"), "\($0)")
        }
        XCTAssertFalse(FileIO.exists(mount + path), "a failed create removes what it made")
    }

    func testUnifiedValuesAreWrittenVerbatim() throws {
        guard hasHugetlb else { throw XCTSkip("no hugetlb controller in cgroup2 here") }
        let (m, _) = makeManager("unified")
        try m.create(resources: try CgroupTestSupport.resources(#"{"unified": {"hugetlb.2MB.max": "2097152", "cgroup.max.descendants": "5"}}"#))
        XCTAssertEqual(CgroupTestSupport.read(m.dir + "/hugetlb.2MB.max"), "2097152")
        XCTAssertEqual(CgroupTestSupport.read(m.dir + "/cgroup.max.descendants"), "5")
        XCTAssertThrowsError(try m.update(resources: try CgroupTestSupport.resources(#"{"unified": {"nonexistent.file": "1"}}"#))) {
            XCTAssertTrue("\($0)".contains("\"nonexistent.file\""), "\($0)")
        }
        XCTAssertThrowsError(try m.update(resources: try CgroupTestSupport.resources(#"{"unified": {"../cgroup.procs": "1"}}"#))) {
            XCTAssertTrue("\($0)".contains("not a cgroup file name"), "\($0)")
        }
        XCTAssertThrowsError(try m.update(resources: try CgroupTestSupport.resources(#"{"unified": {"cgroup.max.descendants": "lots"}}"#))) {
            XCTAssertTrue("\($0)".contains("write lots to \(m.dir)/cgroup.max.descendants: Invalid argument"), "\($0)")
        }
    }

    func testStatsOfARunningProcess() throws {
        let (m, _) = makeManager("stats")
        try m.create(resources: nil)
        let child = try spawn(try TestChild.spinner())
        try m.add(pid: child.pid)
        CgroupTestSupport.sleep(ms: 300)
        let stats = try m.stats()
        XCTAssertGreaterThan(stats.cpu.usage.total, 100_000_000, "cpu.stat's usage_usec, in ns")
        XCTAssertGreaterThan(stats.cpu.usage.user + stats.cpu.usage.kernel, 0)
        if hasHugetlb { XCTAssertEqual(stats.hugetlb["2MB"], CgroupStats.Hugetlb()) }
    }

    func testReopenedFromRecord() throws {
        let (m, _) = makeManager("record")
        try m.create(resources: nil)
        let child = try spawn(try TestChild.sleeper())
        try m.add(pid: child.pid)
        let reopened = Cgroups.manager(record: try JSONDecoder().decode(CgroupRecord.self, from: JSONEncoder().encode(m.record)))
        XCTAssertTrue(reopened is CgroupV2Manager)
        XCTAssertEqual(try reopened.processes(), [child.pid])
        child.stop()
        try reopened.destroy()
        XCTAssertFalse(FileIO.exists(m.dir))
    }
}
