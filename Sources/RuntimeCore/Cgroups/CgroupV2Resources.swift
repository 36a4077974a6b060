// Writing linux.resources into cgroup v2 files, converting v1-style values as runc does.
import Glibc
import OCISpec

struct CgroupV2Resources {
    let dir: String

    /// Controllers enabled for this cgroup (its cgroup.controllers).
    static func controllers(of dir: String) -> Set<String> {
        Set((FileIO.readIfExists(dir + "/cgroup.controllers") ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }

    func apply(_ r: Resources, groups: [ResourceGroup]) throws {
        let enabled = Self.controllers(of: dir)
        for group in groups {
            if let controller = group.v2Controller, !enabled.contains(controller) {
                throw RuntimeError("\(group.specName): the \(controller) controller is not enabled for \(dir) (its cgroup.controllers: \(enabled.sorted().joined(separator: " ")))")
            }
            switch group {
            case .cpuset:
                if let cpus = r.cpu?.cpus, !cpus.isEmpty { try write("cpuset.cpus", cpus) }
                if let mems = r.cpu?.mems, !mems.isEmpty { try write("cpuset.mems", mems) }
            case .devices: try CgroupDeviceFilter.apply(DeviceRuleSet(oci: r.devices!), to: dir)
            case .memory: try applyMemory(r.memory!)
            case .cpu: try applyCPU(r.cpu!)
            case .pids: try write("pids.max", ResourceConversions.pidsMax(r.pids!.limit))
            case .blkio: try applyIO(r.blockIO!)
            case .hugetlb:
                for limit in r.hugepageLimits! {
                    try write("hugetlb.\(try checkedHugepageSize(limit.pageSize)).max", String(limit.limit))
                }
            case .netCls, .netPrio:
                continue  // no v2 equivalent; runc ignores these on v2 as well
            case .rdma:
                for (device, limit) in r.rdma!.sorted(by: { $0.key < $1.key }) {
                    try write("rdma.max", ResourceConversions.rdmaMax(device: device, handles: limit.hcaHandles, objects: limit.hcaObjects))
                }
            case .unified: try applyUnified(r.unified!)
            }
        }
    }

    private func write(_ file: String, _ value: String) throws { try CgroupFiles.write(dir, file, value) }

    private func applyMemory(_ m: Resources.Memory) throws {
        let limit = m.limit ?? 0
        // memory.swap.max first: the OCI value is memory+swap, converted to swap alone.
        if let swap = try ResourceConversions.swapMax(memory: limit, swap: m.swap ?? 0) {
            let value = swap < 0 ? "max" : String(swap)
            // Without swap accounting there is no file; lifting or zeroing swap is then moot.
            if CgroupFiles.exists(dir, "memory.swap.max") || swap > 0 { try write("memory.swap.max", value) }
        }
        if let value = ResourceConversions.v2Limit(limit) {
            if m.checkBeforeUpdate == true, limit > 0, let current = try? CgroupFiles.readUInt(dir, "memory.current"), current > UInt64(limit) {
                throw RuntimeError("linux.resources.memory.limit: \(limit) is below the current usage of \(current) bytes (checkBeforeUpdate)")
            }
            try write("memory.max", value)
        }
        if let value = ResourceConversions.v2Limit(m.reservation ?? 0) { try write("memory.low", value) }
        // kernel, kernelTCP, swappiness, disableOOMKiller: v2 has no such knobs; runc ignores them.
    }

    private func applyCPU(_ c: Resources.CPU) throws {
        if c.realtimeRuntime != nil || c.realtimePeriod != nil {
            throw RuntimeError("linux.resources.cpu.realtimeRuntime/realtimePeriod: cgroup v2 has no real-time group scheduling")
        }
        if let idle = c.idle { try write("cpu.idle", String(idle)) }
        if let shares = c.shares, shares != 0 {
            try write("cpu.weight", String(ResourceConversions.cpuWeight(fromShares: shares)))
        }
        // The kernel keeps burst <= quota: a burst above the old quota can only follow the new
        // quota, one above the new quota must be lowered first. Try before, retry after.
        let burstDone = c.burst.map { CgroupFiles.tryWrite(dir, "cpu.max.burst", String($0)) == 0 } ?? true
        let current = (try? CgroupFiles.read(dir, "cpu.max"))?.split(separator: " ").first.map(String.init) ?? "max"
        if let value = ResourceConversions.cpuMax(quota: c.quota, period: c.period, currentQuota: current) {
            try write("cpu.max", value)
        }
        if let burst = c.burst, !burstDone { try write("cpu.max.burst", String(burst)) }
    }

    private func applyIO(_ b: Resources.BlockIO) throws {
        // With the BFQ scheduler io.bfq.weight takes v1's weights as they are (and per device).
        let bfq = CgroupFiles.exists(dir, "io.bfq.weight")
        if let w = b.weight, w != 0 {
            if bfq { try write("io.bfq.weight", String(w)) }
            else { try write("io.weight", String(ResourceConversions.ioWeight(fromBlkioWeight: w))) }
        }
        if bfq {
            for d in b.weightDevice ?? [] { if let w = d.weight, w != 0 { try write("io.bfq.weight", "\(d.major):\(d.minor) \(w)") } }
        }
        // leafWeight and per-device weights without BFQ have no v2 equivalent (ignored, as by runc).
        let throttles: [(String, [Resources.ThrottleDevice]?)] = [
            ("rbps", b.throttleReadBpsDevice), ("wbps", b.throttleWriteBpsDevice),
            ("riops", b.throttleReadIOPSDevice), ("wiops", b.throttleWriteIOPSDevice),
        ]
        for (key, devices) in throttles {
            for d in devices ?? [] { try write("io.max", "\(d.major):\(d.minor) \(key)=\(d.rate)") }
        }
    }

    /// linux.resources.unified: file name -> value, written as given.
    private func applyUnified(_ values: [String: String]) throws {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            guard !key.isEmpty, !key.contains("/"), key != ".", key != ".." else {
                throw RuntimeError("linux.resources.unified: \"\(key)\" is not a cgroup file name")
            }
            let e = CgroupFiles.tryWrite(dir, key, value)
            if e == ENOENT {
                throw RuntimeError("linux.resources.unified: \"\(key)\": \(dir)/\(key) does not exist (is its controller enabled?)")
            }
            if e != 0 { throw RuntimeError("linux.resources.unified: \"\(key)\": \(CgroupFiles.writeError(dir, key, value, errno: e))") }
        }
    }

    /// Enables every controller the parent offers for its children, as runc does. Best effort:
    /// a controller the kernel refuses here (busy, threaded) is left out.
    static func enableControllers(forChildrenOf dir: String) {
        let available = controllers(of: dir)
        let enabled = Set((FileIO.readIfExists(dir + "/cgroup.subtree_control") ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        let missing = available.subtracting(enabled).sorted()
        if missing.isEmpty { return }
        if CgroupFiles.tryWrite(dir, "cgroup.subtree_control", missing.map { "+" + $0 }.joined(separator: " ")) == 0 { return }
        for controller in missing { _ = CgroupFiles.tryWrite(dir, "cgroup.subtree_control", "+" + controller) }
    }
}
