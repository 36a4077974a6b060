// Writing linux.resources into cgroup v1 files, with runc's semantics (0 means "not set",
// -1 "unlimited") and its write orders where the kernel checks one value against another.
import Glibc
import OCISpec

struct CgroupV1Resources {
    /// Controller name -> cgroup directory.
    let dirs: [String: String]

    func apply(_ r: Resources, groups: [ResourceGroup]) throws {
        for group in groups {
            switch group {
            case .cpuset: try applyCpuset(r.cpu!, dir: dir(group))
            case .devices: try applyDevices(r.devices!, dir: dir(group))
            case .memory: try applyMemory(r.memory!, dir: dir(group))
            case .cpu: try applyCPU(r.cpu!, dir: dir(group))
            case .pids: try CgroupFiles.write(dir(group), "pids.max", ResourceConversions.pidsMax(r.pids!.limit))
            case .blkio: try applyBlkio(r.blockIO!, dir: dir(group))
            case .hugetlb:
                let d = try dir(group)
                for limit in r.hugepageLimits! {
                    try CgroupFiles.write(d, "hugetlb.\(try checkedHugepageSize(limit.pageSize)).limit_in_bytes", String(limit.limit))
                }
            case .netCls: try CgroupFiles.write(dir(group), "net_cls.classid", String(r.network!.classID!))
            case .netPrio:
                let d = try dir(group)
                for p in r.network!.priorities! { try CgroupFiles.write(d, "net_prio.ifpriomap", "\(p.name) \(p.priority)") }
            case .rdma:
                let d = try dir(group)
                for (device, limit) in r.rdma!.sorted(by: { $0.key < $1.key }) {
                    try CgroupFiles.write(d, "rdma.max", ResourceConversions.rdmaMax(device: device, handles: limit.hcaHandles, objects: limit.hcaObjects))
                }
            case .unified:
                throw RuntimeError("linux.resources.unified: needs cgroup v2; this host has only cgroup v1")
            }
        }
    }

    private func dir(_ group: ResourceGroup) throws -> String {
        guard let controller = group.v1Controller, let dir = dirs[controller] else {
            throw RuntimeError("\(group.specName): the \(group.v1Controller ?? "") cgroup controller is not mounted on this host")
        }
        return dir
    }

    // MARK: memory

    private func applyMemory(_ m: Resources.Memory, dir: String) throws {
        try setMemoryAndSwap(limit: m.limit ?? 0, swap: m.swap ?? 0, dir: dir)
        if let v = m.reservation, v != 0 { try CgroupFiles.write(dir, "memory.soft_limit_in_bytes", String(v)) }
        // Kernels since 5.16 ignore the kmem limit and newer ones drop the file: skip it then, as runc 1.1 does.
        if let v = m.kernel, v != 0, CgroupFiles.exists(dir, "memory.kmem.limit_in_bytes") {
            try CgroupFiles.write(dir, "memory.kmem.limit_in_bytes", String(v))
        }
        if let v = m.kernelTCP, v != 0 { try CgroupFiles.write(dir, "memory.kmem.tcp.limit_in_bytes", String(v)) }
        if let v = m.swappiness {
            guard v <= 100 else { throw RuntimeError("linux.resources.memory.swappiness: \(v) is not in 0...100") }
            try CgroupFiles.write(dir, "memory.swappiness", String(v))
        }
        if m.disableOOMKiller == true { try CgroupFiles.write(dir, "memory.oom_control", "1") }
        // useHierarchy: always on since Linux 5.x (writing 0 fails); runc ignores it too.
    }

    /// memory.memsw.limit_in_bytes (memory+swap) must never be below memory.limit_in_bytes, so
    /// which one is written first depends on whether the limits grow or shrink.
    private func setMemoryAndSwap(limit: Int64, swap: Int64, dir: String) throws {
        let hasSwapFile = CgroupFiles.exists(dir, "memory.memsw.limit_in_bytes")
        var swap = swap
        // Unlimited memory and no swap given: swap unlimited too, else the old memsw caps memory.
        if limit == -1 && swap == 0 && hasSwapFile { swap = -1 }
        if swap == -1 && !hasSwapFile { swap = 0 }  // no swap accounting: nothing to lift
        var swapFirst = false
        if limit != 0 && swap != 0 {
            let current = try CgroupFiles.readUInt(dir, "memory.limit_in_bytes")
            swapFirst = swap == -1 || current < UInt64(swap)
        }
        if swapFirst, swap != 0 { try CgroupFiles.write(dir, "memory.memsw.limit_in_bytes", String(swap)) }
        if limit != 0 { try setMemoryLimit(limit, dir: dir) }
        if !swapFirst, swap != 0 { try CgroupFiles.write(dir, "memory.memsw.limit_in_bytes", String(swap)) }
    }

    private func setMemoryLimit(_ limit: Int64, dir: String) throws {
        let e = CgroupFiles.tryWrite(dir, "memory.limit_in_bytes", String(limit))
        if e == 0 { return }
        var error = CgroupFiles.writeError(dir, "memory.limit_in_bytes", String(limit), errno: e)
        if e == EBUSY, let usage = try? CgroupFiles.readUInt(dir, "memory.usage_in_bytes") {
            error.description += " (the cgroup already uses \(usage) bytes)"
        }
        throw error
    }

    // MARK: cpu

    private func applyCPU(_ c: Resources.CPU, dir: String) throws {
        if let shares = c.shares, shares != 0 {
            try CgroupFiles.write(dir, "cpu.shares", String(shares))
            // The kernel clamps out-of-range shares silently; tell the user instead.
            let applied = try CgroupFiles.readUInt(dir, "cpu.shares")
            if applied != shares {
                throw RuntimeError("linux.resources.cpu.shares: \(shares) is out of range; the kernel's \(applied < shares ? "maximum" : "minimum") is \(applied)")
            }
        }
        // The kernel checks the period and the burst against the current quota, so a valid
        // new combination can be refused midway (a shorter period under the old quota, a burst
        // above it). Try them first and redo whichever was refused after the quota.
        let burstFile = "cpu.cfs_burst_us"  // Linux 5.14+; skipped where missing, as by runc
        let burstDone = c.burst.map { !CgroupFiles.exists(dir, burstFile) || CgroupFiles.tryWrite(dir, burstFile, String($0)) == 0 } ?? true
        var periodPending: String?
        if let period = c.period, period != 0 {
            let e = CgroupFiles.tryWrite(dir, "cpu.cfs_period_us", String(period))
            if e == EINVAL && (c.quota ?? 0) != 0 {
                periodPending = String(period)
            } else if e != 0 {
                throw CgroupFiles.writeError(dir, "cpu.cfs_period_us", String(period), errno: e)
            }
        }
        if let quota = c.quota, quota != 0 { try CgroupFiles.write(dir, "cpu.cfs_quota_us", String(quota)) }
        if let period = periodPending { try CgroupFiles.write(dir, "cpu.cfs_period_us", period) }
        if let burst = c.burst, !burstDone { try CgroupFiles.write(dir, burstFile, String(burst)) }
        if let idle = c.idle, idle != 0 || CgroupFiles.exists(dir, "cpu.idle") {
            try CgroupFiles.write(dir, "cpu.idle", String(idle))
        }
        // Real-time: the period first, then the runtime that must fit in it.
        if let period = c.realtimePeriod, period != 0 { try CgroupFiles.write(dir, "cpu.rt_period_us", String(period)) }
        if let runtime = c.realtimeRuntime, runtime != 0 { try CgroupFiles.write(dir, "cpu.rt_runtime_us", String(runtime)) }
    }

    private func applyCpuset(_ c: Resources.CPU, dir: String) throws {
        if let cpus = c.cpus, !cpus.isEmpty { try CgroupFiles.write(dir, "cpuset.cpus", cpus) }
        if let mems = c.mems, !mems.isEmpty { try CgroupFiles.write(dir, "cpuset.mems", mems) }
    }

    /// A new cpuset cgroup has empty cpus and mems, and no task can join it until they are set:
    /// copy them from the parent (called on every level, root first).
    static func inheritCpuset(dir: String, mountPoint: String) throws {
        if dir == mountPoint { return }
        let parent = FileIO.parent(of: dir)
        for file in ["cpuset.cpus", "cpuset.mems"] where try CgroupFiles.read(dir, file).isEmpty {
            try CgroupFiles.write(dir, file, try CgroupFiles.read(parent, file))
        }
    }

    // MARK: blkio

    private func applyBlkio(_ b: Resources.BlockIO, dir: String) throws {
        // CFQ's files, or BFQ's when the host schedules with BFQ.
        let bfq = !CgroupFiles.exists(dir, "blkio.weight") && CgroupFiles.exists(dir, "blkio.bfq.weight")
        let weightFile = bfq ? "blkio.bfq.weight" : "blkio.weight"
        let weightDeviceFile = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device"
        if let w = b.weight, w != 0 { try CgroupFiles.write(dir, weightFile, String(w)) }
        if let w = b.leafWeight, w != 0 { try CgroupFiles.write(dir, "blkio.leaf_weight", String(w)) }
        for d in b.weightDevice ?? [] {
            if let w = d.weight, w != 0 { try CgroupFiles.write(dir, weightDeviceFile, "\(d.major):\(d.minor) \(w)") }
            if let w = d.leafWeight, w != 0 { try CgroupFiles.write(dir, "blkio.leaf_weight_device", "\(d.major):\(d.minor) \(w)") }
        }
        let throttles: [(String, [Resources.ThrottleDevice]?)] = [
            ("blkio.throttle.read_bps_device", b.throttleReadBpsDevice),
            ("blkio.throttle.write_bps_device", b.throttleWriteBpsDevice),
            ("blkio.throttle.read_iops_device", b.throttleReadIOPSDevice),
            ("blkio.throttle.write_iops_device", b.throttleWriteIOPSDevice),
        ]
        for (file, devices) in throttles {
            for d in devices ?? [] { try CgroupFiles.write(dir, file, "\(d.major):\(d.minor) \(d.rate)") }
        }
    }

    // MARK: devices

    /// Moves the cgroup from what devices.list shows to the folded target with the fewest
    /// writes, then checks the kernel agrees (as runc does).
    private func applyDevices(_ rules: [Resources.DeviceCgroup], dir: String) throws {
        let target = try DeviceRuleSet(oci: rules)
        let current = try DeviceRuleSet(devicesList: CgroupFiles.read(dir, "devices.list"))
        for rule in current.transition(to: target) {
            try CgroupFiles.write(dir, rule.allow ? "devices.allow" : "devices.deny", rule.v1Line)
        }
        let result = try DeviceRuleSet(devicesList: CgroupFiles.read(dir, "devices.list"))
        // An allow-all list cannot show its deny exceptions: compare the default only then.
        let matches = target.defaultAllow ? result.defaultAllow : result == target
        if !matches {
            throw RuntimeError("linux.resources.devices: \(dir)/devices.list does not show the requested rules after writing them (the parent cgroup may not allow them)")
        }
    }
}
