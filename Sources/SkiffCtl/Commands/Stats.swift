// `skiffctl stats` and `statsp`: CPU (over a sample window, from two readings), memory
// working set, writable layer size, as crictl shows them.
import CRIAPI

public struct ContainerStatsView: Sendable {
    public var id: String?
    public var pod: String?
    public var labels: [String: String] = [:]
    /// Containers that are not running too (in the table, without usage).
    public var all = false
    public var output: OutputFormat = .table
    /// The CPU sample window.
    public var sample: Duration = .seconds(1)

    public init() {}

    public func run(_ context: CtlContext) async throws {
        var filter = ContainerStatsFilter()
        if let id { filter.id = try await context.containerID(id) }
        if let pod { filter.podSandboxId = try await context.podID(pod) }
        filter.labelSelector = labels
        let request = ListContainerStatsRequest(filter: filter)
        let first = try await read(request, context)
        if output != .table {
            context.console.write(try Document.text(encoding: ListContainerStatsResponse(stats: first), output))
            return
        }
        try await Task.sleep(for: sample)
        let second = Dictionary(try await read(request, context).map { ($0.attributes.id, $0) }, uniquingKeysWith: { a, _ in a })
        var rows = first
        if all {
            // The runtime measures running containers only; the others are shown without usage.
            var listFilter = ContainerFilter()
            listFilter.id = filter.id
            listFilter.podSandboxId = filter.podSandboxId
            listFilter.labelSelector = filter.labelSelector
            let containers = try await CtlError.during("listing containers") {
                try await context.runtime.listContainers(ListContainersRequest(filter: listFilter)).containers
            }
            let measured = Set(first.map(\.attributes.id))
            rows += containers.filter { !measured.contains($0.id) }.map { c in
                ContainerStats.with {
                    $0.attributes.id = c.id
                    $0.attributes.metadata = c.metadata
                }
            }
        }
        var table = TextTable(["CONTAINER", "NAME", "CPU %", "MEM", "DISK", "INODES"])
        for before in rows.sorted(by: { $0.attributes.metadata.name < $1.attributes.metadata.name }) {
            let after = second[before.attributes.id] ?? before
            table.append([
                HumanUnits.shortID(before.attributes.id),
                before.attributes.metadata.name,
                cpuPercent(before.cpu, after.cpu),
                (after.memory?.workingSetBytes?.value).map(HumanUnits.size) ?? "-",
                (after.writableLayer?.usedBytes?.value).map(HumanUnits.size) ?? "-",
                (after.writableLayer?.inodesUsed?.value).map(String.init) ?? "-",
            ])
        }
        context.console.write(table.text)
    }

    private func read(_ request: ListContainerStatsRequest, _ context: CtlContext) async throws -> [ContainerStats] {
        try await CtlError.during("container stats") { try await context.runtime.listContainerStats(request).stats }
    }
}

public struct PodStatsView: Sendable {
    public var id: String?
    public var labels: [String: String] = [:]
    public var output: OutputFormat = .table
    public var sample: Duration = .seconds(1)

    public init() {}

    public func run(_ context: CtlContext) async throws {
        var filter = PodSandboxStatsFilter()
        if let id { filter.id = try await context.podID(id) }
        filter.labelSelector = labels
        let request = ListPodSandboxStatsRequest(filter: filter)
        let first = try await read(request, context)
        if output != .table {
            context.console.write(try Document.text(encoding: ListPodSandboxStatsResponse(stats: first), output))
            return
        }
        try await Task.sleep(for: sample)
        let second = Dictionary(try await read(request, context).map { ($0.attributes.id, $0) }, uniquingKeysWith: { a, _ in a })
        var table = TextTable(["POD", "POD ID", "CPU %", "MEM"])
        for before in first.sorted(by: { $0.attributes.metadata.name < $1.attributes.metadata.name }) {
            let after = second[before.attributes.id] ?? before
            table.append([
                before.attributes.metadata.name,
                HumanUnits.shortID(before.attributes.id),
                cpuPercent(before.linux?.cpu, after.linux?.cpu),
                (after.linux?.memory?.workingSetBytes?.value).map(HumanUnits.size) ?? "-",
            ])
        }
        context.console.write(table.text)
    }

    private func read(_ request: ListPodSandboxStatsRequest, _ context: CtlContext) async throws -> [PodSandboxStats] {
        try await CtlError.during("pod sandbox stats") { try await context.runtime.listPodSandboxStats(request).stats }
    }
}

/// CPU use between two readings, in percent of one core: the runtime's own rate when it gives
/// one, else the change in cumulative CPU time over the time between the readings.
func cpuPercent(_ before: CpuUsage?, _ after: CpuUsage?) -> String {
    if let rate = after?.usageNanoCores?.value {
        return formatPercent(Double(rate) / 1e7)
    }
    guard let before, let after, let used0 = before.usageCoreNanoSeconds?.value, let used1 = after.usageCoreNanoSeconds?.value,
          after.timestamp > before.timestamp, used1 >= used0 else { return "-" }
    return formatPercent(Double(used1 - used0) / Double(after.timestamp - before.timestamp) * 100)
}

func formatPercent(_ value: Double) -> String {
    let hundredths = Int64((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}
