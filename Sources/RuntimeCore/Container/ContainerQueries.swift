// Read-mostly commands: ps, pause/resume, update, events.
import Glibc
import OCISpec

extension Runtime {
    /// Host pids of every process in the container.
    public func processes(_ id: String) throws -> [Int32] {
        let container = try load(id)
        guard container.record.cgroup.driver != "none" else {
            return container.processIsInit() ? [container.record.pid] : []
        }
        return try container.cgroup.processes().sorted()
    }

    public func pause(_ id: String) throws {
        let container = try load(id)
        let status = container.status
        guard status == .running else { throw RuntimeError("cannot pause container \(id): it is \(status.rawValue)") }
        try container.cgroup.freeze()
    }

    public func resume(_ id: String) throws {
        let container = try load(id)
        let status = container.status
        guard status == .paused else { throw RuntimeError("cannot resume container \(id): it is \(status.rawValue), not paused") }
        try container.cgroup.thaw()
    }

    /// Applies new resources to the container's cgroup and keeps them in its stored config.
    public func update(_ id: String, resources: Resources) throws {
        let container = try load(id)
        guard container.status != .stopped else { throw RuntimeError("cannot update container \(id): it is stopped") }
        try container.cgroup.update(resources: resources)
        var spec = try container.spec()
        var linux = spec.linux ?? Linux()
        linux.resources = resources
        spec.linux = linux
        try FileIO.writeAtomically(joinPath(container.directory, "config.json"), try encodeJSON(spec))
    }

    /// One `events --stats` document: {"type":"stats","id":...,"data":{...}}.
    public func statsEvent(_ id: String) throws -> [UInt8] {
        let container = try load(id)
        guard container.status != .stopped else { throw RuntimeError("container \(id) is stopped") }
        return try encodeJSON(StatsEvent(id: id, data: try container.cgroup.stats()))
    }
}

struct StatsEvent: Encodable {
    var type = "stats"
    var id: String
    var data: CgroupStats
}

/// Merges the fields `update` flags set into the container's current resources.
public func mergeResources(_ base: Resources?, _ changes: Resources) -> Resources {
    var merged = base ?? Resources()
    if let memory = changes.memory {
        var m = merged.memory ?? Resources.Memory()
        if let v = memory.limit { m.limit = v }
        if let v = memory.reservation { m.reservation = v }
        if let v = memory.swap { m.swap = v }
        if let v = memory.kernel { m.kernel = v }
        if let v = memory.kernelTCP { m.kernelTCP = v }
        if let v = memory.swappiness { m.swappiness = v }
        merged.memory = m
    }
    if let cpu = changes.cpu {
        var c = merged.cpu ?? Resources.CPU()
        if let v = cpu.shares { c.shares = v }
        if let v = cpu.quota { c.quota = v }
        if let v = cpu.period { c.period = v }
        if let v = cpu.burst { c.burst = v }
        if let v = cpu.realtimeRuntime { c.realtimeRuntime = v }
        if let v = cpu.realtimePeriod { c.realtimePeriod = v }
        if let v = cpu.cpus { c.cpus = v }
        if let v = cpu.mems { c.mems = v }
        if let v = cpu.idle { c.idle = v }
        merged.cpu = c
    }
    if let pids = changes.pids { merged.pids = pids }
    if let blockIO = changes.blockIO {
        var b = merged.blockIO ?? Resources.BlockIO()
        if let v = blockIO.weight { b.weight = v }
        merged.blockIO = b
    }
    if let limits = changes.hugepageLimits { merged.hugepageLimits = limits }
    if let unified = changes.unified { merged.unified = (merged.unified ?? [:]).merging(unified) { $1 } }
    return merged
}
