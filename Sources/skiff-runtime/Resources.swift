// pause, resume, update, events.
import ArgumentParser
import FoundationEssentials
import Glibc
import OCISpec
import RuntimeCore

struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Freeze every process of a container.")
    @OptionGroup var global: GlobalOptions
    @Argument var id: String
    func run() throws { try global.runtime().pause(id) }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Thaw a paused container.")
    @OptionGroup var global: GlobalOptions
    @Argument var id: String
    func run() throws { try global.runtime().resume(id) }
}

struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a container's resource limits.")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "linux.resources JSON file (- for stdin).") var resources: String?
    @Option(help: "Memory limit in bytes.") var memory: Int64?
    @Option(help: "Memory soft limit in bytes.") var memoryReservation: Int64?
    @Option(help: "Memory plus swap limit in bytes (-1: unlimited).") var memorySwap: Int64?
    @Option(help: "Kernel memory limit (deprecated).") var kernelMemory: Int64?
    @Option(help: "Kernel TCP memory limit (deprecated).") var kernelMemoryTcp: Int64?
    @Option(help: "CPU shares (relative weight).") var cpuShares: UInt64?
    @Option(help: "CFS quota in microseconds.") var cpuQuota: Int64?
    @Option(help: "CFS period in microseconds.") var cpuPeriod: UInt64?
    @Option(help: "Realtime runtime in microseconds.") var cpuRtRuntime: Int64?
    @Option(help: "Realtime period in microseconds.") var cpuRtPeriod: UInt64?
    @Option(help: "CPUs to use (0-3, 0,1).") var cpusetCpus: String?
    @Option(help: "Memory nodes to use.") var cpusetMems: String?
    @Option(help: "Maximum number of pids (-1: unlimited).") var pidsLimit: Int64?
    @Option(help: "Block IO weight (10-1000).") var blkioWeight: UInt16?
    @Argument var id: String

    func run() throws {
        let runtime = try global.runtime()
        let container = try runtime.load(id)
        var changes = Resources()
        if let path = resources {
            let bytes = path == "-" ? try FileIO.readAll(fd: 0, path: "stdin") : try FileIO.read(path)
            changes = try decodeJSON(Resources.self, bytes, source: path == "-" ? "stdin" : path)
        }
        var memory = changes.memory ?? Resources.Memory()
        if let memory_ = self.memory { memory.limit = memory_ }
        if let v = memoryReservation { memory.reservation = v }
        if let v = memorySwap { memory.swap = v }
        if let v = kernelMemory { memory.kernel = v }
        if let v = kernelMemoryTcp { memory.kernelTCP = v }
        if memory != Resources.Memory() { changes.memory = memory }
        var cpu = changes.cpu ?? Resources.CPU()
        if let v = cpuShares { cpu.shares = v }
        if let v = cpuQuota { cpu.quota = v }
        if let v = cpuPeriod { cpu.period = v }
        if let v = cpuRtRuntime { cpu.realtimeRuntime = v }
        if let v = cpuRtPeriod { cpu.realtimePeriod = v }
        if let v = cpusetCpus { cpu.cpus = v }
        if let v = cpusetMems { cpu.mems = v }
        if cpu != Resources.CPU() { changes.cpu = cpu }
        if let v = pidsLimit { changes.pids = Resources.Pids(limit: v) }
        if let v = blkioWeight {
            var blockIO = changes.blockIO ?? Resources.BlockIO()
            blockIO.weight = v
            changes.blockIO = blockIO
        }
        try runtime.update(id, resources: mergeResources(container.spec.linux?.resources, changes))
    }
}

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Print container resource usage (stats) as JSON events.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print stats once and exit.") var stats = false
    @Option(help: "Seconds between stats events.") var interval = "5s"
    @Argument var id: String

    func run() throws {
        let runtime = try global.runtime()
        if stats {
            FileIO.printOut(try runtime.statsEvent(id))
            return
        }
        let seconds = Double(interval.hasSuffix("s") ? String(interval.dropLast()) : interval) ?? 5
        guard seconds > 0 else { throw RuntimeError("--interval: \"\(interval)\" is not a positive duration") }
        while true {
            let container = try runtime.load(id)
            if container.status == .stopped { return }
            FileIO.printOut(try runtime.statsEvent(id))
            usleep(UInt32(seconds * 1_000_000))
        }
    }
}
