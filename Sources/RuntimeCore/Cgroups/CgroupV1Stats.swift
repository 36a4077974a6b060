// Filling CgroupStats from cgroup v1 files, as runc's fs driver does.
import Glibc

enum CgroupV1Stats {
    /// `dirs`: controller name -> cgroup directory.
    static func read(_ dirs: [String: String]) throws -> CgroupStats {
        var stats = CgroupStats()
        if let dir = dirs["cpuacct"] { try readCPUUsage(dir, into: &stats.cpu.usage) }
        if let dir = dirs["cpu"] {
            let s = CgroupFiles.readKeyValues(dir, "cpu.stat")
            stats.cpu.throttling.periods = s["nr_periods"] ?? 0
            stats.cpu.throttling.throttledPeriods = s["nr_throttled"] ?? 0
            stats.cpu.throttling.throttledTime = s["throttled_time"] ?? 0
        }
        if let dir = dirs["cpuset"] { stats.cpuset = readCpuset(dir) }
        if let dir = dirs["memory"] { try readMemory(dir, into: &stats.memory) }
        if let dir = dirs["pids"] {
            stats.pids.current = try CgroupFiles.readUInt(dir, "pids.current")
            let max = try CgroupFiles.readUInt(dir, "pids.max")
            stats.pids.limit = max == UInt64.max ? 0 : max
        }
        if let dir = dirs["blkio"] { stats.blkio = readBlkio(dir) }
        if let dir = dirs["hugetlb"] {
            for size in ResourceConversions.hostHugepageSizes() where CgroupFiles.exists(dir, "hugetlb.\(size).usage_in_bytes") {
                var h = CgroupStats.Hugetlb()
                h.usage = try CgroupFiles.readUInt(dir, "hugetlb.\(size).usage_in_bytes")
                h.max = try CgroupFiles.readUInt(dir, "hugetlb.\(size).max_usage_in_bytes")
                h.failcnt = try CgroupFiles.readUInt(dir, "hugetlb.\(size).failcnt")
                stats.hugetlb[size] = h
            }
        }
        return stats
    }

    static func readCPUUsage(_ dir: String, into usage: inout CgroupStats.CPU.Usage) throws {
        usage.total = try CgroupFiles.readUInt(dir, "cpuacct.usage")
        usage.percpu = try numbers(CgroupFiles.read(dir, "cpuacct.usage_percpu"))
        // cpuacct.usage_all: a "cpu user system" header, then one line per CPU, in ns.
        if let all = FileIO.readIfExists(dir + "/cpuacct.usage_all") {
            for line in all.split(separator: "\n").dropFirst() {
                let f = line.split(separator: " ").compactMap { UInt64($0) }
                if f.count == 3 { usage.percpuUser.append(f[1]); usage.percpuKernel.append(f[2]) }
            }
        }
        // cpuacct.stat counts clock ticks.
        let ticks = CgroupFiles.readKeyValues(dir, "cpuacct.stat")
        let nsPerTick = 1_000_000_000 / UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        usage.user = (ticks["user"] ?? 0) * nsPerTick
        usage.kernel = (ticks["system"] ?? 0) * nsPerTick
    }

    static func readCpuset(_ dir: String) -> CgroupStats.CPUSet {
        func number(_ file: String) -> UInt64 { UInt64(CgroupFiles.trim(FileIO.readIfExists(dir + "/cpuset." + file) ?? "")) ?? 0 }
        var c = CgroupStats.CPUSet()
        c.cpus = CgroupStats.CPUSet.parseList(FileIO.readIfExists(dir + "/cpuset.cpus") ?? "")
        c.mems = CgroupStats.CPUSet.parseList(FileIO.readIfExists(dir + "/cpuset.mems") ?? "")
        c.cpuExclusive = number("cpu_exclusive"); c.memHardwall = number("mem_hardwall"); c.memExclusive = number("mem_exclusive")
        c.memoryMigrate = number("memory_migrate"); c.memorySpreadPage = number("memory_spread_page")
        c.memorySpreadSlab = number("memory_spread_slab"); c.memoryPressure = number("memory_pressure")
        c.schedLoadBalance = number("sched_load_balance")
        c.schedRelaxDomainLevel = Int64(CgroupFiles.trim(FileIO.readIfExists(dir + "/cpuset.sched_relax_domain_level") ?? "")) ?? 0
        return c
    }

    static func readMemory(_ dir: String, into memory: inout CgroupStats.Memory) throws {
        memory.raw = CgroupFiles.readKeyValues(dir, "memory.stat")
        memory.cache = memory.raw["cache"] ?? 0
        memory.usage = try entry(dir, prefix: "memory")
        // Absent when swap accounting is off, and kmem on kernels that dropped it.
        if CgroupFiles.exists(dir, "memory.memsw.usage_in_bytes") { memory.swap = try entry(dir, prefix: "memory.memsw") }
        if CgroupFiles.exists(dir, "memory.kmem.usage_in_bytes") { memory.kernel = try entry(dir, prefix: "memory.kmem") }
        if CgroupFiles.exists(dir, "memory.kmem.tcp.usage_in_bytes") { memory.kernelTCP = try entry(dir, prefix: "memory.kmem.tcp") }
    }

    private static func entry(_ dir: String, prefix: String) throws -> CgroupStats.Memory.Entry {
        var e = CgroupStats.Memory.Entry()
        e.usage = try CgroupFiles.readUInt(dir, prefix + ".usage_in_bytes")
        e.max = try CgroupFiles.readUInt(dir, prefix + ".max_usage_in_bytes")
        e.failcnt = try CgroupFiles.readUInt(dir, prefix + ".failcnt")
        e.limit = try CgroupFiles.readUInt(dir, prefix + ".limit_in_bytes")
        return e
    }

    /// CFQ's full set when present, else BFQ's, else the throttling layer's counters (runc's order).
    static func readBlkio(_ dir: String) -> CgroupStats.Blkio {
        var b = CgroupStats.Blkio()
        if CgroupFiles.exists(dir, "blkio.io_serviced_recursive") {
            b.sectorsRecursive = blkioEntries(dir, "blkio.sectors_recursive")
            b.ioServiceBytesRecursive = blkioEntries(dir, "blkio.io_service_bytes_recursive")
            b.ioServicedRecursive = blkioEntries(dir, "blkio.io_serviced_recursive")
            b.ioQueuedRecursive = blkioEntries(dir, "blkio.io_queued_recursive")
            b.ioServiceTimeRecursive = blkioEntries(dir, "blkio.io_service_time_recursive")
            b.ioWaitTimeRecursive = blkioEntries(dir, "blkio.io_wait_time_recursive")
            b.ioMergedRecursive = blkioEntries(dir, "blkio.io_merged_recursive")
            b.ioTimeRecursive = blkioEntries(dir, "blkio.time_recursive")
        } else if CgroupFiles.exists(dir, "blkio.bfq.io_serviced_recursive") {
            b.ioServiceBytesRecursive = blkioEntries(dir, "blkio.bfq.io_service_bytes_recursive")
            b.ioServicedRecursive = blkioEntries(dir, "blkio.bfq.io_serviced_recursive")
        } else {
            b.ioServiceBytesRecursive = blkioEntries(dir, "blkio.throttle.io_service_bytes_recursive")
            b.ioServicedRecursive = blkioEntries(dir, "blkio.throttle.io_serviced_recursive")
        }
        return b
    }

    /// "8:0 Read 4096" or "8:0 4096" lines; the closing "Total N" line has no device and is skipped.
    static func blkioEntries(_ dir: String, _ file: String) -> [CgroupStats.Blkio.Entry] {
        guard let text = FileIO.readIfExists(dir + "/" + file) else { return [] }
        return parseBlkio(text)
    }

    static func parseBlkio(_ text: String) -> [CgroupStats.Blkio.Entry] {
        text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard f.count == 2 || f.count == 3 else { return nil }
            let dev = f[0].split(separator: ":")
            guard dev.count == 2, let major = UInt64(dev[0]), let minor = UInt64(dev[1]),
                  let value = UInt64(f[f.count - 1]) else { return nil }
            return .init(major: major, minor: minor, op: f.count == 3 ? String(f[1]) : "", value: value)
        }
    }

    private static func numbers(_ text: String) -> [UInt64] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt64($0) }
    }
}
