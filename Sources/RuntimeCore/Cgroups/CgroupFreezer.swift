// pause/resume: the v1 freezer controller and v2's cgroup.freeze. Both freeze asynchronously,
// so each call waits until the kernel reports every task stopped (or running again).
import Glibc

enum CgroupFreezer {
    /// How long to wait for the kernel, polling every millisecond.
    static let timeoutMs = 2000

    /// v1: freezer.state goes FREEZING then FROZEN. A task stuck in an uninterruptible sleep
    /// can hold it in FREEZING; writing the state again makes the kernel retry.
    static func setV1(_ dir: String, frozen: Bool) throws {
        let state = frozen ? "FROZEN" : "THAWED"
        var current = ""
        for attempt in 0..<timeoutMs {
            if attempt % 50 == 0 { try CgroupFiles.write(dir, "freezer.state", state) }
            current = try CgroupFiles.read(dir, "freezer.state")
            if current == state { return }
            usleep(1000)
        }
        if frozen { _ = CgroupFiles.tryWrite(dir, "freezer.state", "THAWED") }  // leave it usable
        throw RuntimeError("\(frozen ? "freeze" : "thaw") \(dir): freezer.state is still \(current) after \(timeoutMs) ms")
    }

    static func isFrozenV1(_ dir: String) -> Bool {
        (try? CgroupFiles.read(dir, "freezer.state")) == "FROZEN"
    }

    /// v2: write cgroup.freeze, then wait for cgroup.events to say "frozen 1" (or 0).
    static func setV2(_ dir: String, frozen: Bool) throws {
        guard CgroupFiles.exists(dir, "cgroup.freeze") else {
            throw RuntimeError("\(frozen ? "freeze" : "thaw") \(dir): no cgroup.freeze (the kernel is older than 5.2, or this is the root cgroup)")
        }
        try CgroupFiles.write(dir, "cgroup.freeze", frozen ? "1" : "0")
        let want: UInt64 = frozen ? 1 : 0
        for _ in 0..<timeoutMs {
            if CgroupFiles.readKeyValues(dir, "cgroup.events")["frozen"] == want { return }
            usleep(1000)
        }
        if frozen { _ = CgroupFiles.tryWrite(dir, "cgroup.freeze", "0") }
        throw RuntimeError("\(frozen ? "freeze" : "thaw") \(dir): cgroup.events does not show \"frozen \(want)\" after \(timeoutMs) ms")
    }

    static func isFrozenV2(_ dir: String) -> Bool {
        CgroupFiles.readKeyValues(dir, "cgroup.events")["frozen"] == 1
    }
}
