// Pure parts of the cgroup drivers: value conversions, path rules, mountinfo parsing, device
// rule folding, the generated eBPF program (run through a small interpreter) and stats JSON.
import Foundation
import OCISpec
import XCTest
@testable import RuntimeCore

final class CgroupConversionTests: XCTestCase {
    func testSharesToWeightMatchesRuncFormula() {
        XCTAssertEqual(ResourceConversions.cpuWeight(fromShares: 0), 0)        // not set
        XCTAssertEqual(ResourceConversions.cpuWeight(fromShares: 2), 1)
        XCTAssertEqual(ResourceConversions.cpuWeight(fromShares: 1024), 39)    // 1 + 1022*9999/262142
        XCTAssertEqual(ResourceConversions.cpuWeight(fromShares: 512), 20)
        XCTAssertEqual(ResourceConversions.cpuWeight(fromShares: 262_144), 10_000)
        XCTAssertEqual(ResourceConversions.cpuWeight(fromShares: 1), 1)        // clamped, no underflow
        XCTAssertEqual(ResourceConversions.cpuWeight(fromShares: 1_000_000), 10_000)
    }

    func testBlkioWeightToIOWeight() {
        XCTAssertEqual(ResourceConversions.ioWeight(fromBlkioWeight: 0), 0)
        XCTAssertEqual(ResourceConversions.ioWeight(fromBlkioWeight: 10), 1)
        XCTAssertEqual(ResourceConversions.ioWeight(fromBlkioWeight: 500), 4950)  // 1 + 490*9999/990
        XCTAssertEqual(ResourceConversions.ioWeight(fromBlkioWeight: 1000), 10_000)
        XCTAssertEqual(ResourceConversions.ioWeight(fromBlkioWeight: 5), 1)
    }

    func testSwapIsConvertedFromMemoryPlusSwap() throws {
        let mib: Int64 = 1 << 20
        XCTAssertEqual(try ResourceConversions.swapMax(memory: 64 * mib, swap: 128 * mib), 64 * mib)
        XCTAssertEqual(try ResourceConversions.swapMax(memory: 64 * mib, swap: 64 * mib), 0)   // no swap at all
        XCTAssertEqual(try ResourceConversions.swapMax(memory: 64 * mib, swap: -1), -1)
        XCTAssertEqual(try ResourceConversions.swapMax(memory: -1, swap: 0), -1)              // both unlimited
        XCTAssertNil(try ResourceConversions.swapMax(memory: 64 * mib, swap: 0))              // leave swap alone
        XCTAssertThrowsError(try ResourceConversions.swapMax(memory: 64 * mib, swap: 32 * mib)) {
            XCTAssertTrue("\($0)".contains("lower than the memory limit"), "\($0)")
        }
        XCTAssertThrowsError(try ResourceConversions.swapMax(memory: 0, swap: 32 * mib))
    }

    func testLimitStrings() {
        XCTAssertNil(ResourceConversions.v2Limit(0))
        XCTAssertEqual(ResourceConversions.v2Limit(-1), "max")
        XCTAssertEqual(ResourceConversions.v2Limit(4096), "4096")
        XCTAssertEqual(ResourceConversions.pidsMax(0), "max")
        XCTAssertEqual(ResourceConversions.pidsMax(-1), "max")
        XCTAssertEqual(ResourceConversions.pidsMax(42), "42")
        XCTAssertEqual(ResourceConversions.cpuMax(quota: 50_000, period: 100_000), "50000 100000")
        XCTAssertEqual(ResourceConversions.cpuMax(quota: -1, period: nil), "max")
        XCTAssertEqual(ResourceConversions.cpuMax(quota: 0, period: 20_000), "max 20000")
        XCTAssertEqual(ResourceConversions.cpuMax(quota: nil, period: 20_000, currentQuota: "30000"), "30000 20000")
        XCTAssertNil(ResourceConversions.cpuMax(quota: nil, period: nil))
        XCTAssertEqual(ResourceConversions.rdmaMax(device: "mlx4_0", handles: 2, objects: nil), "mlx4_0 hca_handle=2 hca_object=max")
    }

    func testHugepageSizeNames() {
        XCTAssertEqual(ResourceConversions.hugepageSizeName(kilobytes: 2048), "2MB")
        XCTAssertEqual(ResourceConversions.hugepageSizeName(kilobytes: 1_048_576), "1GB")
        XCTAssertEqual(ResourceConversions.hugepageSizeName(kilobytes: 64), "64KB")
        XCTAssertEqual(ResourceConversions.hugepageSizeName(kilobytes: 32768), "32MB")
    }

    // MARK: cgroupsPath

    func testCgroupPathRules() throws {
        XCTAssertEqual(try CgroupPath.resolve(nil, id: "abc"), "/abc")
        XCTAssertEqual(try CgroupPath.resolve("", id: "abc"), "/abc")
        XCTAssertEqual(try CgroupPath.resolve("/kubepods//pod1/./ctr/", id: "x"), "/kubepods/pod1/ctr")
        XCTAssertEqual(try CgroupPath.resolve("machine/ctr", id: "x"), "/machine/ctr")
        XCTAssertThrowsError(try CgroupPath.resolve("/a/../../etc", id: "x")) {
            XCTAssertTrue("\($0)".contains("\"..\" is not allowed"), "\($0)")
        }
        XCTAssertThrowsError(try CgroupPath.resolve("/", id: "x")) { XCTAssertTrue("\($0)".contains("root cgroup"), "\($0)") }
        XCTAssertThrowsError(try CgroupPath.resolve(nil, id: ".."))
    }

    // MARK: mountinfo

    static let hybridMountinfo = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset,clone_children
        35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd,release_agent=/x
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
        42 31 0:39 / /sys/fs/cgroup/net_cls,net_prio rw,relatime - cgroup cgroup rw,net_cls,net_prio
        43 23 0:40 / /mnt/with\\040space rw - ext4 /dev/sda rw
        44 31 0:32 / /mnt/memory-again rw,relatime - cgroup cgroup rw,memory
        """

    func testParsesHybridLayout() {
        let layout = CgroupLayout.parse(mountinfo: Self.hybridMountinfo)
        XCTAssertEqual(layout.mode, .hybrid)
        XCTAssertEqual(layout.unifiedMountPoint, "/sys/fs/cgroup/unified")
        XCTAssertEqual(layout.v1Hierarchies.map(\.options), ["cpu,cpuacct", "cpuset", "memory", "name=systemd", "net_cls,net_prio"])
        XCTAssertEqual(layout.hierarchy(for: "cpuacct")?.mountPoint, "/sys/fs/cgroup/cpu,cpuacct")
        XCTAssertEqual(layout.hierarchy(for: "name=systemd")?.mountPoint, "/sys/fs/cgroup/systemd")
        XCTAssertEqual(layout.hierarchy(for: "memory")?.root, "/docker/abc")
        XCTAssertEqual(layout.hierarchy(for: "memory")?.mountPoint, "/sys/fs/cgroup/memory")  // first mount wins
        XCTAssertNil(layout.hierarchy(for: "pids"))
        XCTAssertEqual(layout.v1Controllers, ["cpu", "cpuacct", "cpuset", "memory", "net_cls", "net_prio"])
        XCTAssertEqual(layout.hierarchy(for: "cpu")?.directoryName, "cpu,cpuacct")
        XCTAssertEqual(layout.hierarchy(for: "cpu")?.symlinkNames, ["cpu", "cpuacct"])
        XCTAssertEqual(layout.hierarchy(for: "name=systemd")?.directoryName, "systemd")
        XCTAssertEqual(layout.hierarchy(for: "cpuset")?.symlinkNames, [])
    }

    func testParsesUnifiedAndLegacyLayouts() {
        let unified = CgroupLayout.parse(mountinfo: "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot")
        XCTAssertEqual(unified.mode, .unified)
        XCTAssertEqual(unified.unifiedMountPoint, "/sys/fs/cgroup")
        XCTAssertTrue(unified.v1Hierarchies.isEmpty)

        let legacy = CgroupLayout.parse(mountinfo: """
            31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw
            32 31 0:29 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
            """)
        XCTAssertEqual(legacy.mode, .legacy)
        XCTAssertNil(legacy.unifiedMountPoint)
        XCTAssertEqual(legacy.v1Hierarchies, [.init(mountPoint: "/sys/fs/cgroup/pids", controllers: ["pids"])])

        // A cgroup2 mounted somewhere else does not make a v1 host hybrid.
        let stray = CgroupLayout.parse(mountinfo: """
            32 31 0:29 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
            50 23 0:40 / /mnt/cg2 rw - cgroup2 cgroup2 rw
            """)
        XCTAssertEqual(stray.mode, .legacy)
        XCTAssertNil(stray.unifiedMountPoint)
    }

    func testMountinfoEscapes() {
        XCTAssertEqual(unescapeMountinfo("/mnt/with\\040space"), "/mnt/with space")
        XCTAssertEqual(unescapeMountinfo("/a\\134b"), "/a\\b")
        XCTAssertEqual(unescapeMountinfo("/plain\\0"), "/plain\\0")  // too short: left alone
    }

    func testHostLayoutMatchesProcSelfCgroup() throws {
        // Every hierarchy /proc/self/cgroup lists must be found (this host: hybrid).
        let layout = try CgroupLayout.current()
        let keys = (FileIO.readIfExists("/proc/self/cgroup") ?? "").split(separator: "\n").compactMap {
            $0.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).dropFirst().first.map(String.init)
        }
        for key in keys where !key.isEmpty {
            XCTAssertTrue(layout.v1Hierarchies.contains { $0.key == key }, "hierarchy \(key) missing from \(layout)")
        }
        XCTAssertEqual(keys.contains(""), layout.unifiedMountPoint != nil)
    }

    // MARK: device rules

    func testDeviceRuleLines() throws {
        XCTAssertEqual(try DeviceRule(.init(allow: true, type: "c", major: 1, minor: 3, access: "rwm")).v1Line, "c 1:3 rwm")
        XCTAssertEqual(try DeviceRule(.init(allow: false)).v1Line, "a *:* rwm")
        XCTAssertEqual(try DeviceRule(.init(allow: true, type: "b", major: 8, minor: nil, access: "mr")).v1Line, "b 8:* rm")
        XCTAssertEqual(try DeviceRule(.init(allow: true, type: "u", major: 4, minor: -1, access: "w")).v1Line, "c 4:* w")
        XCTAssertThrowsError(try DeviceRule(.init(allow: true, type: "p")))
        XCTAssertThrowsError(try DeviceRule(.init(allow: true, type: "c", access: "rx")))
    }

    func testRuleListFoldsLikeTheKernel() throws {
        let set = try DeviceRuleSet(oci: [
            .init(allow: false, access: "rwm"),                                     // deny all
            .init(allow: true, type: "c", major: 1, minor: 3, access: "rw"),
            .init(allow: true, type: "c", major: 1, minor: 3, access: "m"),         // merges into 1:3
            .init(allow: true, type: "c", major: 1, minor: 5, access: "rwm"),
            .init(allow: false, type: "c", major: 1, minor: 5, access: "w"),        // takes w back
            .init(allow: false, type: "c", major: 9, minor: 9, access: "rwm"),      // no-op
        ])
        XCTAssertFalse(set.defaultAllow)
        XCTAssertEqual(set.exceptions, [DeviceMatch(kind: .char, major: 1, minor: 3): .all,
                                        DeviceMatch(kind: .char, major: 1, minor: 5): [.read, .mknod]])
        // Lists start from "deny all", as runc's do.
        XCTAssertEqual(try DeviceRuleSet(oci: []), DeviceRuleSet(defaultAllow: false))
        XCTAssertEqual(try DeviceRuleSet(oci: [.init(allow: true, type: "c", major: 1, minor: 3, access: "r")]).exceptions,
                       [DeviceMatch(kind: .char, major: 1, minor: 3): .read])
        // A later "allow a" resets everything.
        let reset = try DeviceRuleSet(rules: [DeviceRule(DeviceMatch(kind: .all), .all, allow: true)], defaultAllow: false)
        XCTAssertTrue(reset.defaultAllow)
        XCTAssertTrue(reset.exceptions.isEmpty)
    }

    func testEffectiveRulesAddDefaultsAndConfigDevices() throws {
        let list = DeviceRules.effective([.init(allow: false, access: "rwm")],
                                         devices: [Device(type: "c", path: "/dev/fuse", major: 10, minor: 229),
                                                   Device(type: "p", path: "/dev/fifo")])
        let set = try DeviceRuleSet(oci: list)
        XCTAssertFalse(set.defaultAllow)
        XCTAssertEqual(set.exceptions[DeviceMatch(kind: .char, major: 1, minor: 3)], .all)        // /dev/null
        XCTAssertEqual(set.exceptions[DeviceMatch(kind: .char, major: 136)], .all)                // /dev/pts/*
        XCTAssertEqual(set.exceptions[DeviceMatch(kind: .char)], .mknod)                          // mknod c *:*
        XCTAssertEqual(set.exceptions[DeviceMatch(kind: .char, major: 10, minor: 229)], .all)     // linux.devices
        XCTAssertEqual(list.count, 1 + DeviceRules.defaultAllowed.count + 1, "the FIFO gets no rule")
    }

    func testRefusesToPunchHolesInWildcards() {
        XCTAssertThrowsError(try DeviceRuleSet(oci: [
            .init(allow: false), .init(allow: true, type: "c", major: 1, minor: nil, access: "rwm"),
            .init(allow: false, type: "c", major: 1, minor: 3, access: "w"),
        ])) { XCTAssertTrue("\($0)".contains("wider rule \"c 1:* rwm\""), "\($0)") }
    }

    func testTransitionIsMinimal() throws {
        let current = try DeviceRuleSet(devicesList: "c 1:3 rwm\nc 1:5 rw\nc 136:* rwm\n")
        let target = try DeviceRuleSet(oci: [
            .init(allow: false), .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),
            .init(allow: true, type: "c", major: 1, minor: 5, access: "r"), .init(allow: true, type: "c", major: 1, minor: 9, access: "rwm"),
        ])
        XCTAssertEqual(current.transition(to: target).map { ($0.allow ? "allow " : "deny ") + $0.v1Line },
                       ["deny c 1:5 w", "deny c 136:* rwm", "allow c 1:9 rwm"])
        // From allow-all (whose deny exceptions devices.list hides) a reset comes first.
        let fresh = try DeviceRuleSet(devicesList: "a *:* rwm\n")
        XCTAssertTrue(fresh.defaultAllow)
        XCTAssertEqual(fresh.transition(to: target).map(\.v1Line), ["a *:* rwm", "c 1:3 rwm", "c 1:5 r", "c 1:9 rwm"])
        XCTAssertEqual(fresh.transition(to: target).map(\.allow), [false, true, true, true])
    }

    // MARK: eBPF device program

    func testDeviceProgramDecidesLikeTheRuleSet() throws {
        let whitelist = try DeviceRuleSet(oci: DeviceRules.defaultAllowed.reversed() + [.init(allow: false)] + DeviceRules.defaultAllowed
                                          + [.init(allow: true, type: "b", major: 8, minor: 0, access: "r")])
        let blacklist = try DeviceRuleSet(oci: [.init(allow: true), .init(allow: false, type: "c", major: 1, minor: 3, access: "w"),
                                                .init(allow: false, type: "b", major: nil, minor: nil, access: "rwm")])
        let queries: [(kind: DeviceMatch.Kind, major: Int64, minor: Int64, access: DeviceAccess)] = [
            (.char, 1, 3, .read), (.char, 1, 3, [.read, .write]), (.char, 1, 3, .mknod), (.char, 1, 4, .read),
            (.char, 136, 7, .write), (.char, 137, 7, .write), (.char, 4, 1, .mknod), (.block, 8, 0, .read),
            (.block, 8, 0, .write), (.block, 8, 1, .read), (.block, 9, 9, .mknod), (.char, 5, 2, [.read, .write]),
            (.char, 1, 3, [.read, .write, .mknod]), (.char, 1, 3, .write),
        ]
        for set in [whitelist, blacklist, DeviceRuleSet(defaultAllow: false), DeviceRuleSet(defaultAllow: true)] {
            let program = DeviceFilterProgram.instructions(for: set)
            for q in queries {
                let expected = Self.kernelV1Decision(set, q.kind, q.major, q.minor, q.access)
                let got = try BPFInterpreter.run(program, type: q.kind == .block ? 1 : 2,
                                                 access: UInt32(q.access.rawValue), major: UInt32(q.major), minor: UInt32(q.minor))
                XCTAssertEqual(got == 1, expected, "\(q) with default allow \(set.defaultAllow)")
            }
        }
    }

    func testDeviceProgramEncoding() {
        let bytes = BPFInstruction.jumpIfNotEqual(dst: 4, imm: 136, offset: 3).bytes
        XCTAssertEqual(bytes, [0x55, 0x04, 3, 0, 136, 0, 0, 0])
        XCTAssertEqual(BPFInstruction.jumpIfNotEqual(dst: 1, src: 3, offset: -1).bytes, [0x5D, 0x31, 0xFF, 0xFF, 0, 0, 0, 0])
        XCTAssertEqual(BPFInstruction.exit.bytes, [0x95, 0, 0, 0, 0, 0, 0, 0])
    }

    /// The v1 kernel's answer (devcgroup_legacy_check_permission): in deny-by-default mode one
    /// allow exception must match the device and hold every requested bit; in allow-by-default
    /// mode any deny exception that matches the device and shares a requested bit denies.
    static func kernelV1Decision(_ set: DeviceRuleSet, _ kind: DeviceMatch.Kind, _ major: Int64, _ minor: Int64, _ access: DeviceAccess) -> Bool {
        let matching = set.exceptions.filter { match, _ in
            match.kind == kind && (match.major < 0 || match.major == major) && (match.minor < 0 || match.minor == minor)
        }
        if set.defaultAllow { return !matching.values.contains { !$0.intersection(access).isEmpty } }
        return matching.values.contains { $0.isSuperset(of: access) }
    }

    // MARK: stats JSON

    func testStatsJSONUsesRuncKeys() throws {
        var stats = CgroupStats()
        stats.cpu.usage.total = 5
        stats.cpu.usage.percpu = [2, 3]
        stats.cpu.usage.percpuKernel = [1, 1]
        stats.cpu.throttling.throttledPeriods = 1
        stats.memory.kernelTCP.limit = 7
        stats.memory.raw = ["cache": 1]
        stats.blkio.ioQueuedRecursive = [.init(major: 8, minor: 0, op: "Read", value: 1)]
        stats.hugetlb["2MB"] = CgroupStats.Hugetlb()
        let data = try JSONEncoder().encode(stats)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["cpu", "cpuset", "memory", "pids", "blkio", "hugetlb"])
        XCTAssertEqual(Set(try XCTUnwrap(object["cpuset"] as? [String: Any]).keys),
                       ["cpu_exclusive", "mem_hardwall", "mem_exclusive", "memory_migrate", "memory_spread_page",
                        "memory_spread_slab", "memory_pressure", "sched_load_balance", "sched_relax_domain_level"])
        let cpu = try XCTUnwrap(object["cpu"] as? [String: Any])
        let usage = try XCTUnwrap(cpu["usage"] as? [String: Any])
        XCTAssertEqual(Set(usage.keys), ["total", "percpu", "percpu_kernel", "kernel", "user"])  // zero/empty omitted as in runc
        XCTAssertEqual(Set(try XCTUnwrap(cpu["throttling"] as? [String: Any]).keys), ["throttledPeriods"])
        let memory = try XCTUnwrap(object["memory"] as? [String: Any])
        XCTAssertEqual(Set(memory.keys), ["usage", "swap", "kernel", "kernelTCP", "raw"])
        XCTAssertEqual(Set(try XCTUnwrap(memory["kernelTCP"] as? [String: Any]).keys), ["limit", "failcnt"])
        XCTAssertEqual(Set(try XCTUnwrap(object["blkio"] as? [String: Any]).keys), ["ioQueueRecursive"])
        XCTAssertEqual(try XCTUnwrap(object["hugetlb"] as? [String: Any])["2MB"] as? [String: Int], ["failcnt": 0])
        XCTAssertEqual(try JSONDecoder().decode(CgroupStats.self, from: data), stats)
    }

    func testParsesCpuLists() {
        XCTAssertEqual(CgroupStats.CPUSet.parseList("0-3,8,10-11\n"), [0, 1, 2, 3, 8, 10, 11])
        XCTAssertEqual(CgroupStats.CPUSet.parseList(""), [])
    }

    func testParsesBlkioAndIOStat() {
        let v1 = CgroupV1Stats.parseBlkio("8:0 Read 4096\n8:0 Write 512\n8:16 7\nTotal 4608\n")
        XCTAssertEqual(v1, [.init(major: 8, minor: 0, op: "Read", value: 4096), .init(major: 8, minor: 0, op: "Write", value: 512),
                            .init(major: 8, minor: 16, op: "", value: 7)])
        let v2 = CgroupV2Stats.parseIOStat("259:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n")
        XCTAssertEqual(v2.bytes, [.init(major: 259, minor: 0, op: "Read", value: 10), .init(major: 259, minor: 0, op: "Write", value: 20)])
        XCTAssertEqual(v2.ios.map(\.value), [1, 2])
    }
}

/// Just enough of an eBPF interpreter to run the device programs the driver generates.
enum BPFInterpreter {
    struct Failure: Error { var message: String }

    static func run(_ program: [BPFInstruction], type: UInt32, access: UInt32, major: UInt32, minor: UInt32) throws -> UInt64 {
        let ctx: [UInt32] = [access << 16 | type, major, minor]
        var r = [UInt64](repeating: 0, count: 11)
        let ctxMarker: UInt64 = 0xC0FFEE
        r[1] = ctxMarker
        var pc = 0
        var steps = 0
        while pc < program.count {
            steps += 1
            if steps > 10_000 { throw Failure(message: "loop") }
            let i = program[pc]
            let d = Int(i.dst), s = Int(i.src), imm = UInt64(bitPattern: Int64(i.imm))
            pc += 1
            switch i.code {
            case 0x61:
                guard r[s] == ctxMarker, i.offset % 4 == 0, Int(i.offset) / 4 < ctx.count else { throw Failure(message: "bad load at \(pc - 1)") }
                r[d] = UInt64(ctx[Int(i.offset) / 4])
            case 0xB7: r[d] = imm
            case 0xBF: r[d] = r[s]
            case 0x57: r[d] &= imm
            case 0x77: r[d] >>= imm
            case 0x15: if r[d] == imm { pc += Int(i.offset) }
            case 0x55: if r[d] != imm { pc += Int(i.offset) }
            case 0x5D: if r[d] != r[s] { pc += Int(i.offset) }
            case 0x95: return r[0]
            default: throw Failure(message: "opcode \(i.code)")
            }
        }
        throw Failure(message: "fell off the end")
    }
}
