// The parts of linux.resources, each applied through one controller. The drivers route each
// requested part to the hierarchy that has its controller (on hybrid hosts, v1 or cgroup2).
import OCISpec

enum ResourceGroup: CaseIterable {
    // runc's v1 order; `unified` is last so its raw values win.
    case cpuset, devices, memory, cpu, pids, blkio, hugetlb, netCls, netPrio, rdma, unified

    var v1Controller: String? {
        switch self {
        case .cpuset: "cpuset"
        case .devices: "devices"
        case .memory: "memory"
        case .cpu: "cpu"
        case .pids: "pids"
        case .blkio: "blkio"
        case .hugetlb: "hugetlb"
        case .netCls: "net_cls"
        case .netPrio: "net_prio"
        case .rdma: "rdma"
        case .unified: nil
        }
    }

    /// The v2 controller; nil for parts v2 does without one (devices: eBPF; unified: raw files)
    /// or does not have (net_cls, net_prio).
    var v2Controller: String? {
        switch self {
        case .cpuset: "cpuset"
        case .memory: "memory"
        case .cpu: "cpu"
        case .pids: "pids"
        case .blkio: "io"
        case .hugetlb: "hugetlb"
        case .rdma: "rdma"
        case .devices, .unified, .netCls, .netPrio: nil
        }
    }

    var specName: String {
        switch self {
        case .cpuset: "linux.resources.cpu.cpus/mems"
        case .devices: "linux.resources.devices"
        case .memory: "linux.resources.memory"
        case .cpu: "linux.resources.cpu"
        case .pids: "linux.resources.pids"
        case .blkio: "linux.resources.blockIO"
        case .hugetlb: "linux.resources.hugepageLimits"
        case .netCls: "linux.resources.network.classID"
        case .netPrio: "linux.resources.network.priorities"
        case .rdma: "linux.resources.rdma"
        case .unified: "linux.resources.unified"
        }
    }

    /// The parts `r` actually sets, in application order.
    static func requested(in r: Resources) -> [ResourceGroup] {
        allCases.filter { $0.isSet(in: r) }
    }

    func isSet(in r: Resources) -> Bool {
        switch self {
        case .cpuset:
            return !(r.cpu?.cpus ?? "").isEmpty || !(r.cpu?.mems ?? "").isEmpty
        case .devices:
            return r.devices != nil
        case .memory:
            guard let m = r.memory else { return false }
            return m.limit != nil || m.reservation != nil || m.swap != nil || m.kernel != nil ||
                m.kernelTCP != nil || m.swappiness != nil || m.disableOOMKiller == true
        case .cpu:
            guard let c = r.cpu else { return false }
            return c.shares != nil || c.quota != nil || c.period != nil || c.burst != nil ||
                c.realtimeRuntime != nil || c.realtimePeriod != nil || c.idle != nil
        case .pids:
            return r.pids != nil
        case .blkio:
            guard let b = r.blockIO else { return false }
            return b.weight != nil || b.leafWeight != nil || !(b.weightDevice ?? []).isEmpty ||
                !(b.throttleReadBpsDevice ?? []).isEmpty || !(b.throttleWriteBpsDevice ?? []).isEmpty ||
                !(b.throttleReadIOPSDevice ?? []).isEmpty || !(b.throttleWriteIOPSDevice ?? []).isEmpty
        case .hugetlb:
            return !(r.hugepageLimits ?? []).isEmpty
        case .netCls:
            return (r.network?.classID ?? 0) != 0
        case .netPrio:
            return !(r.network?.priorities ?? []).isEmpty
        case .rdma:
            return !(r.rdma ?? [:]).isEmpty
        case .unified:
            return !(r.unified ?? [:]).isEmpty
        }
    }
}

/// Checks a hugepageLimits page size ("2MB") against the host's and returns it.
func checkedHugepageSize(_ pageSize: String) throws -> String {
    let sizes = ResourceConversions.hostHugepageSizes()
    guard sizes.contains(pageSize) else {
        throw RuntimeError("linux.resources.hugepageLimits: page size \"\(pageSize)\" is not supported by this host (supported: \(sizes.joined(separator: ", ")))")
    }
    return pageSize
}
