// What the resource writers put in each file, for controllers this host cannot exercise for
// real (v2 memory/cpu/io/pids/cpuset, v1 net_cls/net_prio/rdma/BFQ weights): the writers are
// pointed at plain directories holding empty files named like the kernel's.
import Foundation
import Glibc
import OCISpec
import XCTest
@testable import RuntimeCore

final class CgroupFileFormatTests: XCTestCase {
    /// A directory with the given (empty unless given) files; removed at teardown.
    private func fakeCgroup(_ files: [String: String]) throws -> String {
        var template = Array("/tmp/skiff-fakecg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw RuntimeError.system("mkdtemp") }
        let dir = String(cString: made)
        addTeardownBlock { FileIO.removeAll(dir) }
        for (name, content) in files {
            try FileIO.write(dir + "/" + name, content, flags: O_WRONLY | O_CREAT | O_TRUNC)
        }
        return dir
    }

    private func read(_ dir: String, _ file: String) -> String { CgroupTestSupport.read(dir + "/" + file) }

    func testV2WritesConvertedValues() throws {
        let dir = try fakeCgroup([
            "cgroup.controllers": "cpuset cpu io memory hugetlb pids rdma\n",
            "memory.max": "", "memory.low": "", "memory.swap.max": "", "cpu.weight": "", "cpu.max": "max 100000\n",
            "cpu.max.burst": "", "io.weight": "", "io.max": "", "pids.max": "", "cpuset.cpus": "", "cpuset.mems": "",
            "hugetlb.2MB.max": "", "rdma.max": "",
        ])
        let r = try CgroupTestSupport.resources("""
            {"memory": {"limit": 67108864, "swap": 100663296, "reservation": 33554432, "swappiness": 60, "kernel": 1},
             "cpu": {"shares": 1024, "quota": 50000, "period": 100000, "burst": 1000, "cpus": "0", "mems": "0"},
             "blockIO": {"weight": 500, "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}]},
             "pids": {"limit": 99}, "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
             "rdma": {"mlx5_0": {"hcaHandles": 3}}}
            """)
        try CgroupV2Resources(dir: dir).apply(r, groups: ResourceGroup.requested(in: r))
        XCTAssertEqual(read(dir, "memory.max"), "67108864")
        XCTAssertEqual(read(dir, "memory.swap.max"), "33554432", "swap alone: memory+swap minus memory")
        XCTAssertEqual(read(dir, "memory.low"), "33554432")
        XCTAssertEqual(read(dir, "cpu.weight"), "39")
        XCTAssertEqual(read(dir, "cpu.max"), "50000 100000")
        XCTAssertEqual(read(dir, "cpu.max.burst"), "1000")
        XCTAssertEqual(read(dir, "io.weight"), "4950")
        XCTAssertEqual(read(dir, "io.max"), "8:0 rbps=1048576")
        XCTAssertEqual(read(dir, "pids.max"), "99")
        XCTAssertEqual(read(dir, "cpuset.cpus"), "0")
        XCTAssertEqual(read(dir, "hugetlb.2MB.max"), "4194304")
        XCTAssertEqual(read(dir, "rdma.max"), "mlx5_0 hca_handle=3 hca_object=max")

        // Only a period: the current quota stays (runc 1.1 would write "max 20000").
        try FileIO.write(dir + "/cpu.max", "50000 100000\n")
        let period = try CgroupTestSupport.resources(#"{"cpu": {"period": 20000}}"#)
        try CgroupV2Resources(dir: dir).apply(period, groups: ResourceGroup.requested(in: period))
        XCTAssertEqual(read(dir, "cpu.max"), "50000 20000")

        let realtime = try CgroupTestSupport.resources(#"{"cpu": {"realtimeRuntime": 1000}}"#)
        XCTAssertThrowsError(try CgroupV2Resources(dir: dir).apply(realtime, groups: ResourceGroup.requested(in: realtime)))
        let swapOnly = try CgroupTestSupport.resources(#"{"memory": {"swap": 1048576}}"#)
        XCTAssertThrowsError(try CgroupV2Resources(dir: dir).apply(swapOnly, groups: ResourceGroup.requested(in: swapOnly))) {
            XCTAssertTrue("\($0)".contains("needs a memory limit"), "\($0)")
        }
    }

    func testV2UsesBFQWeightsWhenPresentAndSkipsMissingSwap() throws {
        let dir = try fakeCgroup(["cgroup.controllers": "io memory", "io.bfq.weight": "", "io.weight": "", "memory.max": ""])
        let r = try CgroupTestSupport.resources(#"{"blockIO": {"weight": 500}, "memory": {"limit": -1}}"#)
        try CgroupV2Resources(dir: dir).apply(r, groups: ResourceGroup.requested(in: r))
        XCTAssertEqual(read(dir, "io.bfq.weight"), "500", "BFQ takes v1 weights unconverted")
        XCTAssertEqual(read(dir, "io.weight"), "")
        XCTAssertEqual(read(dir, "memory.max"), "max")
        XCTAssertFalse(FileIO.exists(dir + "/memory.swap.max"), "no swap accounting: unlimited swap is moot, not an error")
    }

    func testV1WritesBlkioNetworkAndRdmaFormats() throws {
        let blkio = try fakeCgroup(["blkio.weight": "", "blkio.leaf_weight": "", "blkio.weight_device": "",
                                    "blkio.throttle.write_iops_device": ""])
        let netCls = try fakeCgroup(["net_cls.classid": ""])
        let netPrio = try fakeCgroup(["net_prio.ifpriomap": ""])
        let rdma = try fakeCgroup(["rdma.max": ""])
        let r = try CgroupTestSupport.resources("""
            {"blockIO": {"weight": 300, "leafWeight": 200, "weightDevice": [{"major": 8, "minor": 16, "weight": 700}],
                         "throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 120}]},
             "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 5}]},
             "rdma": {"mlx4_0": {"hcaHandles": 2, "hcaObjects": 2000}}}
            """)
        let writer = CgroupV1Resources(dirs: ["blkio": blkio, "net_cls": netCls, "net_prio": netPrio, "rdma": rdma])
        try writer.apply(r, groups: ResourceGroup.requested(in: r))
        XCTAssertEqual(read(blkio, "blkio.weight"), "300")
        XCTAssertEqual(read(blkio, "blkio.leaf_weight"), "200")
        XCTAssertEqual(read(blkio, "blkio.weight_device"), "8:16 700")
        XCTAssertEqual(read(blkio, "blkio.throttle.write_iops_device"), "8:0 120")
        XCTAssertEqual(read(netCls, "net_cls.classid"), "1048577")
        XCTAssertEqual(read(netPrio, "net_prio.ifpriomap"), "eth0 5")
        XCTAssertEqual(read(rdma, "rdma.max"), "mlx4_0 hca_handle=2 hca_object=2000")

        // A host scheduling with BFQ has only the blkio.bfq.* weight files.
        let bfq = try fakeCgroup(["blkio.bfq.weight": "", "blkio.bfq.weight_device": ""])
        let weights = try CgroupTestSupport.resources(#"{"blockIO": {"weight": 300, "weightDevice": [{"major": 8, "minor": 0, "weight": 100}]}}"#)
        try CgroupV1Resources(dirs: ["blkio": bfq]).apply(weights, groups: ResourceGroup.requested(in: weights))
        XCTAssertEqual(read(bfq, "blkio.bfq.weight"), "300")
        XCTAssertEqual(read(bfq, "blkio.bfq.weight_device"), "8:0 100")
    }

    func testV1SkipsOnlyWhatRuncSkips() throws {
        // No cfs_burst_us (kernel < 5.14) and no kmem limit file: skipped. A rejected value is not.
        let cpu = try fakeCgroup(["cpu.cfs_quota_us": "", "cpu.cfs_period_us": ""])
        let memory = try fakeCgroup(["memory.limit_in_bytes": "9223372036854771712\n"])
        let r = try CgroupTestSupport.resources(#"{"cpu": {"quota": 20000, "period": 100000, "burst": 5000}, "memory": {"kernel": 1048576}}"#)
        try CgroupV1Resources(dirs: ["cpu": cpu, "memory": memory]).apply(r, groups: ResourceGroup.requested(in: r))
        XCTAssertEqual(read(cpu, "cpu.cfs_quota_us"), "20000")
        XCTAssertFalse(FileIO.exists(cpu + "/cpu.cfs_burst_us"))
        XCTAssertFalse(FileIO.exists(memory + "/memory.kmem.limit_in_bytes"))

        let tcp = try CgroupTestSupport.resources(#"{"memory": {"kernelTCP": 1048576}}"#)
        XCTAssertThrowsError(try CgroupV1Resources(dirs: ["memory": memory]).apply(tcp, groups: ResourceGroup.requested(in: tcp))) {
            XCTAssertEqual("\($0)", "write 1048576 to \(memory)/memory.kmem.tcp.limit_in_bytes: No such file or directory")
        }
        let swappiness = try CgroupTestSupport.resources(#"{"memory": {"swappiness": 101}}"#)
        XCTAssertThrowsError(try CgroupV1Resources(dirs: ["memory": memory]).apply(swappiness, groups: ResourceGroup.requested(in: swappiness)))
    }
}
