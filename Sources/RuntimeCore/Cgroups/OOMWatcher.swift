// Out-of-memory kills in a container's cgroup, for `events`: cgroup v1 notifies through an
// eventfd registered on memory.oom_control; cgroup v2 counts them in memory.events (oom_kill).
import CSkiffSystem
import Glibc

public final class OOMWatcher {
    private var eventFD: Int32 = -1
    private var memoryEvents: String?
    private var lastKills = 0

    public init(_ record: CgroupRecord) throws {
        if let dir = record.paths["memory"] {
            eventFD = try checkNeg(sk_eventfd(), "events: eventfd")
            let control = open(joinPath(dir, "memory.oom_control"), O_RDONLY | O_CLOEXEC)
            if control < 0 { let e = errno; close(eventFD); throw RuntimeError.system("events: open \(dir)/memory.oom_control", errno: e) }
            defer { close(control) }
            try FileIO.write(joinPath(dir, "cgroup.event_control"), "\(eventFD) \(control)")
        } else if let dir = record.paths[""], FileIO.exists(joinPath(dir, "memory.events")) {
            memoryEvents = joinPath(dir, "memory.events")
            lastKills = oomKills()
        }
    }

    deinit { if eventFD >= 0 { close(eventFD) } }

    /// Waits up to `milliseconds`; true when an OOM kill happened meanwhile.
    public func wait(milliseconds: Int32) -> Bool {
        if eventFD >= 0 {
            var pfd = pollfd(fd: eventFD, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, milliseconds) > 0 else { return false }
            var count: UInt64 = 0
            return read(eventFD, &count, 8) == 8
        }
        usleep(UInt32(max(0, milliseconds)) * 1000)
        guard memoryEvents != nil else { return false }
        let kills = oomKills()
        defer { lastKills = kills }
        return kills > lastKills
    }

    private func oomKills() -> Int {
        guard let path = memoryEvents, let text = FileIO.readIfExists(path) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return Int(line.dropFirst(9)) ?? 0
        }
        return 0
    }
}
