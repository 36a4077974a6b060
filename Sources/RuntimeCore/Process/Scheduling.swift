// process.ioPriority, process.scheduler and process.execCPUAffinity.
import CSkiffSystem
import Glibc
import OCISpec

enum Scheduling {
    static let ioClasses = ["IOPRIO_CLASS_RT": 1, "IOPRIO_CLASS_BE": 2, "IOPRIO_CLASS_IDLE": 3]
    static let policies: [String: UInt32] = ["SCHED_OTHER": 0, "SCHED_FIFO": 1, "SCHED_RR": 2, "SCHED_BATCH": 3,
                                             "SCHED_ISO": 4, "SCHED_IDLE": 5, "SCHED_DEADLINE": 6]
    static let flags: [String: UInt64] = ["SCHED_FLAG_RESET_ON_FORK": 0x01, "SCHED_FLAG_RECLAIM": 0x02,
                                          "SCHED_FLAG_DL_OVERRUN": 0x04, "SCHED_FLAG_KEEP_POLICY": 0x08,
                                          "SCHED_FLAG_KEEP_PARAMS": 0x10, "SCHED_FLAG_UTIL_CLAMP_MIN": 0x20,
                                          "SCHED_FLAG_UTIL_CLAMP_MAX": 0x40]

    static func validate(_ process: Process, path: String) throws {
        if let io = process.ioPriority {
            guard ioClasses[io.class] != nil else { throw RuntimeError("config.json: \(path).ioPriority.class: unknown class \"\(io.class)\"") }
            if let p = io.priority, p < 0 || p > 7 { throw RuntimeError("config.json: \(path).ioPriority.priority: \(p) is outside 0...7") }
        }
        if let scheduler = process.scheduler {
            guard policies[scheduler.policy] != nil else {
                throw RuntimeError("config.json: \(path).scheduler.policy: unknown policy \"\(scheduler.policy)\"")
            }
            for (i, flag) in (scheduler.flags ?? []).enumerated() where flags[flag] == nil {
                throw RuntimeError("config.json: \(path).scheduler.flags[\(i)]: unknown flag \"\(flag)\"")
            }
        }
        if let affinity = process.execCPUAffinity {
            if let initial = affinity.initial { _ = try cpuMask(initial, field: "\(path).execCPUAffinity.initial") }
            if let final = affinity.final { _ = try cpuMask(final, field: "\(path).execCPUAffinity.final") }
        }
    }

    static func apply(_ process: Process) throws {
        if let io = process.ioPriority {
            try checkNeg(sk_ioprio_set(Int32(ioClasses[io.class] ?? 2), Int32(io.priority ?? 0)), "ioprio_set \(io.class)")
        }
        if let s = process.scheduler {
            let flagBits = (s.flags ?? []).reduce(UInt64(0)) { $0 | (flags[$1] ?? 0) }
            try checkNeg(sk_sched_setattr(policies[s.policy] ?? 0, flagBits, s.nice ?? 0, UInt32(max(0, s.priority ?? 0)),
                                          s.runtime ?? 0, s.deadline ?? 0, s.period ?? 0), "sched_setattr \(s.policy)")
        }
    }

    static func setAffinity(_ list: String?, field: String) throws {
        guard let list, !list.isEmpty else { return }
        let mask = try cpuMask(list, field: field)
        try checkNeg(mask.withUnsafeBufferPointer { sk_sched_setaffinity($0.baseAddress, $0.count) }, "sched_setaffinity \(list)")
    }

    /// "0-3,7" → a CPU bitmask.
    static func cpuMask(_ list: String, field: String) throws -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: 128)
        for part in list.split(separator: ",") {
            let bounds = part.split(separator: "-", maxSplits: 1).map { Int($0.trimmingCharacters(in: " ")) }
            guard let low = bounds.first ?? nil, let high = bounds.count == 2 ? bounds[1] : low,
                  low >= 0, high >= low, high < mask.count * 8 else {
                throw RuntimeError("config.json: \(field): \"\(list)\" is not a CPU list like 0-3,7")
            }
            for cpu in low...high { mask[cpu / 8] |= 1 << UInt8(cpu % 8) }
        }
        return mask
    }
}

private extension Substring {
    func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return s
    }
}
