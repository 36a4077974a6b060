// Pure conversions from OCI linux.resources values to what cgroup files accept. The v1 -> v2
// formulas are the ones runc and crun use, so a config means the same thing under every runtime.

public enum ResourceConversions {
    /// cpu.shares (v1, 2...262144) to cpu.weight (v2, 1...10000); 0 means "not set".
    public static func cpuWeight(fromShares shares: UInt64) -> UInt64 {
        if shares == 0 { return 0 }
        let s = min(max(shares, 2), 262_144)  // runc's formula underflows below 2; clamp instead
        return 1 + ((s - 2) * 9999) / 262_142
    }

    /// blkio.weight (v1, 10...1000) to io.weight (v2, 1...10000); 0 means "not set".
    public static func ioWeight(fromBlkioWeight weight: UInt16) -> UInt64 {
        if weight == 0 { return 0 }
        let w = UInt64(min(max(weight, 10), 1000))
        return 1 + (w - 10) * 9999 / 990
    }

    /// OCI memory.swap is the memory+swap total (v1's memory.memsw.limit_in_bytes); v2's
    /// memory.swap.max is swap alone. Returns the value for memory.swap.max: nil to leave it
    /// alone, -1 for "max". Throws for combinations v1 would also refuse.
    public static func swapMax(memory: Int64, swap: Int64) throws -> Int64? {
        // Unlimited memory without an explicit swap means both unlimited, as on v1.
        if memory == -1 && swap == 0 { return -1 }
        if swap == -1 { return -1 }
        if swap == 0 { return nil }
        if memory == 0 || memory == -1 {
            throw RuntimeError("linux.resources.memory.swap: \(swap) needs a memory limit (memory+swap is a total)")
        }
        if memory < 0 { throw RuntimeError("linux.resources.memory.limit: invalid value \(memory)") }
        if swap < memory {
            throw RuntimeError("linux.resources.memory.swap: memory+swap limit \(swap) is lower than the memory limit \(memory)")
        }
        return swap - memory
    }

    /// A v2 limit file value: nil for 0 ("not set"), "max" for negative, else the number.
    public static func v2Limit(_ value: Int64) -> String? {
        if value == 0 { return nil }
        return value < 0 ? "max" : String(value)
    }

    /// pids.max: a limit of 0 or less means unlimited.
    public static func pidsMax(_ limit: Int64) -> String { limit > 0 ? String(limit) : "max" }

    /// cpu.max ("$quota $period"). A quota of 0 or less is "max". With no quota given, the
    /// current quota (`currentQuota`, the first field of cpu.max) is kept so that setting only
    /// the period does not lift the limit.
    public static func cpuMax(quota: Int64?, period: UInt64?, currentQuota: String = "max") -> String? {
        if quota == nil && period == nil { return nil }
        var text: String
        if let quota { text = quota > 0 ? String(quota) : "max" } else { text = currentQuota }
        if let period, period != 0 { text += " \(period)" }
        return text
    }

    /// "2MB", "1GB", "64KB" from a size in kB, as in /sys/kernel/mm/hugepages/hugepages-<n>kB and
    /// in the hugetlb.<size>.* file names.
    public static func hugepageSizeName(kilobytes: UInt64) -> String {
        let units = ["KB", "MB", "GB", "TB", "PB"]
        var value = kilobytes
        var unit = 0
        while value >= 1024 && value % 1024 == 0 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return "\(value)\(units[unit])"
    }

    /// The huge page sizes this kernel supports, by name ("2MB", "1GB").
    public static func hostHugepageSizes(directory: String = "/sys/kernel/mm/hugepages") -> [String] {
        FileIO.list(directory).compactMap { entry -> (UInt64, String)? in
            guard entry.hasPrefix("hugepages-"), entry.hasSuffix("kB"),
                  let kb = UInt64(entry.dropFirst(10).dropLast(2)) else { return nil }
            return (kb, hugepageSizeName(kilobytes: kb))
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// rdma.max line for one device: unset limits are "max".
    public static func rdmaMax(device: String, handles: UInt32?, objects: UInt32?) -> String {
        "\(device) hca_handle=\(handles.map(String.init) ?? "max") hca_object=\(objects.map(String.init) ?? "max")"
    }
}
