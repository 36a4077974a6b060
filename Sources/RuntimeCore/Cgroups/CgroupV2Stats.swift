// Filling CgroupStats from cgroup v2 files, converted to v1's units and meanings as runc does.

enum CgroupV2Stats {
    static func read(_ dir: String) throws -> CgroupStats {
        var stats = CgroupStats()
        // cpu.stat is there even without the cpu controller (usage only); times are in µs.
        let cpu = CgroupFiles.readKeyValues(dir, "cpu.stat")
        stats.cpu.usage.total = (cpu["usage_usec"] ?? 0) * 1000
        stats.cpu.usage.user = (cpu["user_usec"] ?? 0) * 1000
        stats.cpu.usage.kernel = (cpu["system_usec"] ?? 0) * 1000
        stats.cpu.throttling.periods = cpu["nr_periods"] ?? 0
        stats.cpu.throttling.throttledPeriods = cpu["nr_throttled"] ?? 0
        stats.cpu.throttling.throttledTime = (cpu["throttled_usec"] ?? 0) * 1000

        if let cpus = FileIO.readIfExists(dir + "/cpuset.cpus.effective") {
            stats.cpuset.cpus = CgroupStats.CPUSet.parseList(cpus)
            stats.cpuset.mems = CgroupStats.CPUSet.parseList(FileIO.readIfExists(dir + "/cpuset.mems.effective") ?? "")
        }
        if CgroupFiles.exists(dir, "memory.current") { try readMemory(dir, into: &stats.memory) }
        if CgroupFiles.exists(dir, "pids.current") {
            stats.pids.current = try CgroupFiles.readUInt(dir, "pids.current")
            let max = try CgroupFiles.readUInt(dir, "pids.max")
            stats.pids.limit = max == UInt64.max ? 0 : max
        }
        if let text = FileIO.readIfExists(dir + "/io.stat") {
            (stats.blkio.ioServiceBytesRecursive, stats.blkio.ioServicedRecursive) = parseIOStat(text)
        }
        for size in ResourceConversions.hostHugepageSizes() where CgroupFiles.exists(dir, "hugetlb.\(size).current") {
            var h = CgroupStats.Hugetlb()
            h.usage = try CgroupFiles.readUInt(dir, "hugetlb.\(size).current")
            h.failcnt = CgroupFiles.readKeyValues(dir, "hugetlb.\(size).events")["max"] ?? 0
            stats.hugetlb[size] = h
        }
        return stats
    }

    static func readMemory(_ dir: String, into memory: inout CgroupStats.Memory) throws {
        memory.raw = CgroupFiles.readKeyValues(dir, "memory.stat")
        memory.cache = memory.raw["file"] ?? 0
        memory.usage.usage = try CgroupFiles.readUInt(dir, "memory.current")
        memory.usage.limit = try CgroupFiles.readUInt(dir, "memory.max")
        if CgroupFiles.exists(dir, "memory.peak") { memory.usage.max = try CgroupFiles.readUInt(dir, "memory.peak") }
        memory.usage.failcnt = CgroupFiles.readKeyValues(dir, "memory.events")["max"] ?? 0
        // v1 reports swap as memory+swap: add memory to v2's swap-only numbers.
        if CgroupFiles.exists(dir, "memory.swap.current") {
            memory.swap.usage = try CgroupFiles.readUInt(dir, "memory.swap.current") + memory.usage.usage
            let swapMax = try CgroupFiles.readUInt(dir, "memory.swap.max")
            memory.swap.limit = swapMax == UInt64.max || memory.usage.limit == UInt64.max
                ? UInt64.max : swapMax + memory.usage.limit
            memory.swap.failcnt = CgroupFiles.readKeyValues(dir, "memory.swap.events")["max"] ?? 0
        }
    }

    /// io.stat lines: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0".
    static func parseIOStat(_ text: String) -> (bytes: [CgroupStats.Blkio.Entry], ios: [CgroupStats.Blkio.Entry]) {
        var bytes: [CgroupStats.Blkio.Entry] = [], ios: [CgroupStats.Blkio.Entry] = []
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard let devField = f.first else { continue }
            let dev = devField.split(separator: ":")
            guard dev.count == 2, let major = UInt64(dev[0]), let minor = UInt64(dev[1]) else { continue }
            for kv in f.dropFirst() {
                let p = kv.split(separator: "=")
                guard p.count == 2, let v = UInt64(p[1]) else { continue }
                switch p[0] {
                case "rbytes": bytes.append(.init(major: major, minor: minor, op: "Read", value: v))
                case "wbytes": bytes.append(.init(major: major, minor: minor, op: "Write", value: v))
                case "rios": ios.append(.init(major: major, minor: minor, op: "Read", value: v))
                case "wios": ios.append(.init(major: major, minor: minor, op: "Write", value: v))
                default: continue
                }
            }
        }
        return (bytes, ios)
    }
}
