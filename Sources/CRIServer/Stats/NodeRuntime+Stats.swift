// ContainerStats, ListContainerStats, PodSandboxStats, ListPodSandboxStats: read straight from
// the cgroups (no runtime call), and the writable layer's usage from the container's upperdir.
import CRIAPI
import Foundation
import ImageStore
import RuntimeCore

extension NodeRuntime {
    public func containerStats(_ request: ContainerStatsRequest) async throws -> ContainerStatsResponse {
        let record = try container(request.containerId)
        var response = ContainerStatsResponse()
        response.stats = stats(of: record)
        return response
    }

    public func listContainerStats(_ request: ListContainerStatsRequest) async throws -> ListContainerStatsResponse {
        let f = request.filter
        let all = lock.withLock { Array(containers.values) }.filter { r in
            r.state == .running
                && (f.id.isEmpty || r.id.hasPrefix(f.id))
                && (f.podSandboxId.isEmpty || r.sandboxID.hasPrefix(f.podSandboxId))
                && f.labelSelector.allSatisfy { r.config.labels[$0.key] == $0.value }
        }
        var response = ListContainerStatsResponse()
        response.stats = all.sorted { $0.createdAt < $1.createdAt }.map { stats(of: $0) }
        return response
    }

    public func podSandboxStats(_ request: PodSandboxStatsRequest) async throws -> PodSandboxStatsResponse {
        let record = try sandbox(request.podSandboxId)
        var response = PodSandboxStatsResponse()
        response.stats = stats(of: record)
        return response
    }

    public func listPodSandboxStats(_ request: ListPodSandboxStatsRequest) async throws -> ListPodSandboxStatsResponse {
        let f = request.filter
        let all = lock.withLock { Array(sandboxes.values) }.filter { r in
            r.state == .ready && (f.id.isEmpty || r.id.hasPrefix(f.id)) && f.labelSelector.allSatisfy { r.config.labels[$0.key] == $0.value }
        }
        var response = ListPodSandboxStatsResponse()
        response.stats = all.map { stats(of: $0) }
        return response
    }

    func stats(of r: ContainerRecord) -> ContainerStats {
        var s = ContainerStats()
        s.attributes.id = r.id
        s.attributes.metadata = r.config.metadata
        s.attributes.labels = r.config.labels
        s.attributes.annotations = r.config.annotations
        let now = Self.now()
        if let cg = cgroupStats(r.cgroupsPath, id: r.id) {
            (s.cpu, s.memory) = usage(cg, at: now)
        }
        var layer = CRIAPI.FilesystemUsage()
        layer.timestamp = now
        layer.fsId.mountpoint = config.root
        if let upper = try? images.snapshots.upperDirectory(container: r.id), let used = try? ImageStore.FilesystemUsage.of(upper) {
            layer.usedBytes = UInt64Value(used.usedBytes)
            layer.inodesUsed = UInt64Value(used.inodesUsed)
        }
        s.writableLayer = layer
        return s
    }

    func stats(of r: SandboxRecord) -> PodSandboxStats {
        var s = PodSandboxStats()
        s.attributes.id = r.id
        s.attributes.metadata = r.config.metadata
        s.attributes.labels = r.config.labels
        s.attributes.annotations = r.config.annotations
        var linux = LinuxPodSandboxStats()
        let members = containersOf(r.id).filter { $0.state == .running }
        linux.containers = members.map { stats(of: $0) }
        // The pod's usage: its containers' and the pause process's cgroups, summed.
        let now = Self.now()
        var total = CgroupStats()
        var any = false
        for (path, id) in [(SandboxSpec.cgroupsPath(parent: r.config.linux.cgroupParent, id: r.id), r.id)] + members.map({ ($0.cgroupsPath, $0.id) }) {
            guard let cg = cgroupStats(path, id: id) else { continue }
            any = true
            total.cpu.usage.total += cg.cpu.usage.total
            total.memory.usage.usage += cg.memory.usage.usage
            for (k, v) in cg.memory.raw { total.memory.raw[k, default: 0] += v }
            total.pids.current += cg.pids.current
        }
        if any {
            (linux.cpu, linux.memory) = usage(total, at: now)
            var process = ProcessUsage()
            process.timestamp = now
            process.processCount = UInt64Value(total.pids.current)
            linux.process = process
        }
        s.linux = linux
        return s
    }

    func cgroupStats(_ cgroupsPath: String, id: String) -> CgroupStats? {
        guard !cgroupsPath.isEmpty, let layout = try? CgroupLayout.current(),
              let manager = try? Cgroups.manager(layout: layout, cgroupsPath: cgroupsPath, id: id) else { return nil }
        return try? manager.stats()
    }

    /// CPU and memory as the kubelet reads them: the working set is usage minus inactive file pages.
    func usage(_ cg: CgroupStats, at now: Int64) -> (CpuUsage, MemoryUsage) {
        var cpu = CpuUsage()
        cpu.timestamp = now
        cpu.usageCoreNanoSeconds = UInt64Value(cg.cpu.usage.total)
        var memory = MemoryUsage()
        memory.timestamp = now
        let inactive = cg.memory.raw["total_inactive_file"] ?? cg.memory.raw["inactive_file"] ?? 0
        memory.usageBytes = UInt64Value(cg.memory.usage.usage)
        memory.workingSetBytes = UInt64Value(cg.memory.usage.usage > inactive ? cg.memory.usage.usage - inactive : 0)
        memory.rssBytes = UInt64Value(cg.memory.raw["total_rss"] ?? cg.memory.raw["anon"] ?? 0)
        memory.pageFaults = UInt64Value(cg.memory.raw["total_pgfault"] ?? cg.memory.raw["pgfault"] ?? 0)
        memory.majorPageFaults = UInt64Value(cg.memory.raw["total_pgmajfault"] ?? cg.memory.raw["pgmajfault"] ?? 0)
        let limit = cg.memory.usage.limit
        if limit > 0 && limit < UInt64(Int64.max) / 2 {
            memory.availableBytes = UInt64Value(limit > memory.workingSetBytes!.value ? limit - memory.workingSetBytes!.value : 0)
        }
        return (cpu, memory)
    }
}
