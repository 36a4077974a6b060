// pause, resume, update, events.
import Glibc
import OCISpec
import RuntimeCore

let resourceCommands = [
    Command(name: "pause", usage: "<container-id>", summary: "freeze every process of a container",
            flags: [], positionals: 1...1) { i in
        try i.global.runtime.pause(i.positionals[0])
        return 0
    },
    Command(name: "resume", usage: "<container-id>", summary: "thaw a paused container",
            flags: [], positionals: 1...1) { i in
        try i.global.runtime.resume(i.positionals[0])
        return 0
    },
    Command(name: "update", usage: "<container-id>", summary: "change a container's resource limits",
            flags: [
                Flag(names: ["resources", "r"], value: "FILE", help: "linux.resources JSON (- for stdin)"),
                Flag(names: ["memory"], value: "BYTES", help: "memory limit"),
                Flag(names: ["memory-reservation"], value: "BYTES", help: "memory soft limit"),
                Flag(names: ["memory-swap"], value: "BYTES", help: "memory plus swap limit (-1: unlimited)"),
                Flag(names: ["kernel-memory"], value: "BYTES", help: "kernel memory limit (deprecated)"),
                Flag(names: ["kernel-memory-tcp"], value: "BYTES", help: "kernel TCP memory limit (deprecated)"),
                Flag(names: ["cpu-shares"], value: "N", help: "CPU shares (relative weight)"),
                Flag(names: ["cpu-quota"], value: "USEC", help: "CFS quota per period"),
                Flag(names: ["cpu-period"], value: "USEC", help: "CFS period"),
                Flag(names: ["cpu-rt-runtime"], value: "USEC", help: "realtime runtime per period"),
                Flag(names: ["cpu-rt-period"], value: "USEC", help: "realtime period"),
                Flag(names: ["cpuset-cpus"], value: "LIST", help: "CPUs to use (0-3,7)"),
                Flag(names: ["cpuset-mems"], value: "LIST", help: "memory nodes to use"),
                Flag(names: ["pids-limit"], value: "N", help: "maximum number of processes (-1: unlimited)"),
                Flag(names: ["blkio-weight"], value: "N", help: "block IO weight (10-1000)"),
            ],
            positionals: 1...1, run: update),
    Command(name: "events", usage: "<container-id>", summary: "print resource usage (stats) and OOM kills as JSON events",
            flags: [Flag(names: ["stats"], value: nil, help: "print stats once and exit"),
                    Flag(names: ["interval"], value: "DURATION", help: "time between stats events (default 5s)")],
            positionals: 1...1) { i in
        let runtime = i.global.runtime, id = i.positionals[0]
        if i.bool("stats") {
            FileIO.printOut(try runtime.statsEvent(id))
            return 0
        }
        let interval = i.string("interval") ?? "5s"
        guard let seconds = Double(interval.hasSuffix("s") ? String(interval.dropLast()) : interval), seconds > 0 else {
            throw UsageError("--interval: \"\(interval)\" is not a positive duration like 5s")
        }
        // Stats every interval; an OOM kill is reported as it happens.
        let oom = try OOMWatcher(try runtime.load(id).record.cgroup)
        var nextStats = 0.0
        while true {
            if nextStats <= 0 {
                FileIO.printOut(try runtime.statsEvent(id))
                nextStats = seconds
            }
            let slice = min(nextStats, 0.2)
            if oom.wait(milliseconds: Int32(slice * 1000)) { FileIO.printOut("{\"type\":\"oom\",\"id\":\"\(id)\"}") }
            nextStats -= slice
            if try runtime.load(id).status == .stopped { return 0 }
        }
    },
]

private func update(_ i: Invocation) throws -> Int32 {
    let runtime = i.global.runtime
    let container = try runtime.load(i.positionals[0])
    var changes = Resources()
    if let path = i.string("resources") {
        let bytes = path == "-" ? try FileIO.readAll(fd: 0, path: "stdin") : try FileIO.read(path)
        changes = try decodeJSON(Resources.self, bytes, source: path == "-" ? "stdin" : path)
    }
    var memory = changes.memory ?? Resources.Memory()
    if let v = try i.number("memory", as: Int64.self) { memory.limit = v }
    if let v = try i.number("memory-reservation", as: Int64.self) { memory.reservation = v }
    if let v = try i.number("memory-swap", as: Int64.self) { memory.swap = v }
    if let v = try i.number("kernel-memory", as: Int64.self) { memory.kernel = v }
    if let v = try i.number("kernel-memory-tcp", as: Int64.self) { memory.kernelTCP = v }
    if memory != Resources.Memory() { changes.memory = memory }
    var cpu = changes.cpu ?? Resources.CPU()
    if let v = try i.number("cpu-shares", as: UInt64.self) { cpu.shares = v }
    if let v = try i.number("cpu-quota", as: Int64.self) { cpu.quota = v }
    if let v = try i.number("cpu-period", as: UInt64.self) { cpu.period = v }
    if let v = try i.number("cpu-rt-runtime", as: Int64.self) { cpu.realtimeRuntime = v }
    if let v = try i.number("cpu-rt-period", as: UInt64.self) { cpu.realtimePeriod = v }
    if let v = i.string("cpuset-cpus") { cpu.cpus = v }
    if let v = i.string("cpuset-mems") { cpu.mems = v }
    if cpu != Resources.CPU() { changes.cpu = cpu }
    if let v = try i.number("pids-limit", as: Int64.self) { changes.pids = Resources.Pids(limit: v) }
    if let v = try i.number("blkio-weight", as: UInt16.self) {
        var blockIO = changes.blockIO ?? Resources.BlockIO()
        blockIO.weight = v
        changes.blockIO = blockIO
    }
    try runtime.update(container.id, resources: mergeResources(try container.spec().linux?.resources, changes))
    return 0
}
