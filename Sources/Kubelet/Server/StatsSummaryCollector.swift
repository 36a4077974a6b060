// /stats/summary: the node's usage from /proc (CPU time, memory, page faults), each pod's and
// container's from CRI ListPodSandboxStats. CRI gives cumulative CPU time; the average rate
// (usageNanoCores) comes from the previous sample of the same thing, as the kubelet's CRI
// stats provider computes it. Filesystems as the kubelet reports them with CRI stats: a
// container's rootfs is its writable layer (CRI's figure), its logs what its log directory
// takes; a pod's ephemeral storage adds its disk emptyDirs; the node's image filesystem is
// CRI ImageFsInfo's.
import CRIAPI
import Foundation
import KubeAPI
import Synchronization

final class StatsSummaryCollector: Sendable {
    private let cri: CRIClient
    private let statuses: PodStatusStore
    private let nodeName: String
    private let startTime: Date
    private let rootDirectory: String
    private let podLogsDirectory: String
    private let volumes: PodVolumes
    /// The last cumulative CPU sample of each thing measured (node, pod, container): time in
    /// nanoseconds, usage in core-nanoseconds.
    private let lastCPU = Mutex<[String: (time: Int64, usage: UInt64)]>([:])

    init(cri: CRIClient, statuses: PodStatusStore, nodeName: String, startTime: Date, rootDirectory: String,
         podLogsDirectory: String, volumes: PodVolumes) {
        self.cri = cri
        self.statuses = statuses
        self.nodeName = nodeName
        self.startTime = startTime
        self.rootDirectory = rootDirectory
        self.podLogsDirectory = podLogsDirectory
        self.volumes = volumes
    }

    func summary() async throws -> StatsSummary {
        let now = Self.nanosecondsNow()
        var node = NodeStats(nodeName: nodeName, startTime: KubeTime(startTime))
        node.cpu = nodeCPU(at: now)
        node.memory = Self.nodeMemory(at: now)
        let time = KubeTime(nanoseconds: now)
        node.fs = DiskUsage.wholeFilesystem(of: rootDirectory, at: time)
        node.runtime = await runtimeFilesystems()
        let pods = statuses.all()
        let byUID = Dictionary(pods.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
        var podStats: [PodStats] = []
        for sandbox in try await cri.listPodSandboxStats().stats {
            let uid = sandbox.attributes.labels[RuntimeLabels.podUID] ?? sandbox.attributes.metadata.uid
            guard let pod = byUID[uid] else { continue }
            var stats = PodStats(podRef: PodReference(name: pod.name, namespace: pod.namespace, uid: uid),
                                 startTime: pod.status?.startTime ?? KubeTime(startTime))
            if let linux = sandbox.linux {
                stats.cpu = cpu(linux.cpu, key: "pod/" + sandbox.attributes.id)
                stats.memory = Self.memory(linux.memory)
                stats.network = Self.network(linux.network)
                if let count = linux.process?.processCount?.value { stats.processStats = ProcessStats(processCount: count) }
                let logs = "\(podLogsDirectory)/\(pod.namespace)_\(pod.name)_\(uid)"
                stats.containers = linux.containers.map { container in
                    let name = container.attributes.labels[RuntimeLabels.containerName] ?? container.attributes.metadata.name
                    let started = pod.container(named: name)?.state?.running?.startedAt ?? stats.startTime
                    var c = KubeAPI.ContainerStats(name: name, startTime: started)
                    c.cpu = cpu(container.cpu, key: "container/" + container.attributes.id)
                    c.memory = Self.memory(container.memory)
                    c.rootfs = Self.writableLayer(container.writableLayer)
                    c.logs = DiskUsage.directory(logs + "/" + name, at: KubeTime(nanoseconds: now))
                    return c
                }.sorted { $0.name < $1.name }
            }
            (stats.volume, stats.ephemeralStorage) = storage(of: pod, containers: stats.containers, at: KubeTime(nanoseconds: now))
            podStats.append(stats)
        }
        forgetOld(before: now)
        podStats.sort { ($0.podRef.namespace, $0.podRef.name) < ($1.podRef.namespace, $1.podRef.name) }
        return StatsSummary(node: node, pods: podStats)
    }

    // MARK: filesystems

    /// A writable layer as CRI measures it, on its filesystem's figures.
    static func writableLayer(_ layer: CRIAPI.FilesystemUsage?) -> FsStats? {
        guard let layer, let used = layer.usedBytes?.value else { return nil }
        let time = KubeTime(nanoseconds: layer.timestamp > 0 ? layer.timestamp : nanosecondsNow())
        var stats = DiskUsage.filesystem(of: layer.fsId.mountpoint, at: time) ?? FsStats(time: time)
        stats.usedBytes = used
        stats.inodesUsed = layer.inodesUsed?.value
        return stats
    }

    /// The pod's emptyDir volumes, and its ephemeral storage: its containers' writable layers
    /// and logs, and its disk emptyDirs (memory ones count as memory).
    private func storage(of pod: Pod, containers: [KubeAPI.ContainerStats], at time: KubeTime) -> ([VolumeStats]?, FsStats?) {
        var volumeStats: [VolumeStats] = []
        var onDisk: UInt64 = 0, inodes: UInt64 = 0
        for volume in pod.spec.volumes ?? [] {
            guard let emptyDir = volume.emptyDir else { continue }
            let path = volumes.volumeDirectory(pod.uid, plugin: "empty-dir", name: volume.name)
            if emptyDir.medium == .memory {
                if let fs = DiskUsage.wholeFilesystem(of: path, at: time) { volumeStats.append(VolumeStats(name: volume.name, fs: fs)) }
            } else if let fs = DiskUsage.directory(path, at: time) {
                volumeStats.append(VolumeStats(name: volume.name, fs: fs))
                onDisk += fs.usedBytes ?? 0
                inodes += fs.inodesUsed ?? 0
            }
        }
        for container in containers {
            for fs in [container.rootfs, container.logs].compactMap({ $0 }) {
                onDisk += fs.usedBytes ?? 0
                inodes += fs.inodesUsed ?? 0
            }
        }
        var ephemeral = DiskUsage.filesystem(of: rootDirectory, at: time) ?? FsStats(time: time)
        ephemeral.usedBytes = onDisk
        ephemeral.inodesUsed = inodes
        return (volumeStats.isEmpty ? nil : volumeStats.sorted { $0.name < $1.name }, ephemeral)
    }

    /// The runtime's image filesystem (CRI ImageFsInfo); containers' writable layers share it
    /// unless the runtime names another.
    private func runtimeFilesystems() async -> RuntimeStats? {
        guard let info = try? await cri.imageFsInfo() else { return nil }
        var stats = RuntimeStats()
        stats.imageFs = info.imageFilesystems.first.flatMap(Self.writableLayer)
        stats.containerFs = info.containerFilesystems.first.flatMap(Self.writableLayer) ?? stats.imageFs
        return stats
    }

    // MARK: CPU rates

    private func cpu(_ usage: CpuUsage?, key: String) -> CPUStats? {
        guard let usage, let total = usage.usageCoreNanoSeconds?.value else { return nil }
        let time = usage.timestamp > 0 ? usage.timestamp : Self.nanosecondsNow()
        var stats = CPUStats(time: KubeTime(nanoseconds: time))
        stats.usageCoreNanoSeconds = total
        stats.usageNanoCores = usage.usageNanoCores?.value ?? rate(key, time: time, usage: total)
        return stats
    }

    /// Core-nanoseconds per second since the last sample of `key` (nil for the first).
    private func rate(_ key: String, time: Int64, usage: UInt64) -> UInt64? {
        lastCPU.withLock { last in
            defer { if (last[key]?.time ?? 0) < time { last[key] = (time, usage) } }
            guard let previous = last[key], time > previous.time, usage >= previous.usage else { return nil }
            return UInt64(Double(usage - previous.usage) / Double(time - previous.time) * 1e9)
        }
    }

    /// Samples of pods and containers gone for a minute are dropped.
    private func forgetOld(before now: Int64) {
        lastCPU.withLock { $0 = $0.filter { $0.key == "node" || now - $0.value.time < 60_000_000_000 } }
    }

    private func nodeCPU(at now: Int64) -> CPUStats? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        // user nice system idle iowait irq softirq steal: all but idle and iowait are busy time.
        let ticks = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard ticks.count >= 8 else { return nil }
        let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
        let hertz = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        var usage = CpuUsage()
        usage.timestamp = now
        usage.usageCoreNanoSeconds = UInt64Value(busy * (1_000_000_000 / hertz))
        return cpu(usage, key: "node")
    }

    // MARK: memory, network

    /// The node's memory as the kubelet counts it: usage is all but free memory, the working
    /// set is usage less inactive file pages.
    static func nodeMemory(at now: Int64) -> MemoryStats? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        var kb: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let value = UInt64(parts[1]) { kb[String(parts[0].dropLast())] = value * 1024 }
        }
        guard let total = kb["MemTotal"], let free = kb["MemFree"] else { return nil }
        var stats = MemoryStats(time: KubeTime(nanoseconds: now))
        stats.usageBytes = total - free
        let inactive = kb["Inactive(file)"] ?? 0
        stats.workingSetBytes = total - free > inactive ? total - free - inactive : 0
        stats.availableBytes = kb["MemAvailable"]
        stats.rssBytes = kb["AnonPages"]
        if let vm = try? String(contentsOfFile: "/proc/vmstat", encoding: .utf8) {
            for line in vm.split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard parts.count == 2, let value = UInt64(parts[1]) else { continue }
                if parts[0] == "pgfault" { stats.pageFaults = value }
                if parts[0] == "pgmajfault" { stats.majorPageFaults = value }
            }
        }
        return stats
    }

    static func memory(_ usage: MemoryUsage?) -> MemoryStats? {
        guard let usage else { return nil }
        var stats = MemoryStats(time: KubeTime(nanoseconds: usage.timestamp > 0 ? usage.timestamp : nanosecondsNow()))
        stats.availableBytes = usage.availableBytes?.value
        stats.usageBytes = usage.usageBytes?.value
        stats.workingSetBytes = usage.workingSetBytes?.value
        stats.rssBytes = usage.rssBytes?.value
        stats.pageFaults = usage.pageFaults?.value
        stats.majorPageFaults = usage.majorPageFaults?.value
        return stats
    }

    static func network(_ usage: NetworkUsage?) -> NetworkStats? {
        guard let usage, let main = usage.defaultInterface else { return nil }
        func interface(_ i: NetworkInterfaceUsage) -> InterfaceStats {
            var s = InterfaceStats(name: i.name)
            s.rxBytes = i.rxBytes?.value
            s.rxErrors = i.rxErrors?.value
            s.txBytes = i.txBytes?.value
            s.txErrors = i.txErrors?.value
            return s
        }
        var stats = NetworkStats(time: KubeTime(nanoseconds: usage.timestamp), name: main.name)
        stats.rxBytes = main.rxBytes?.value
        stats.rxErrors = main.rxErrors?.value
        stats.txBytes = main.txBytes?.value
        stats.txErrors = main.txErrors?.value
        stats.interfaces = ([main] + usage.interfaces).map(interface)
        return stats
    }

    static func nanosecondsNow() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }
}

extension Pod {
    /// The status of the app or init container named `name`.
    func container(named name: String) -> KubeAPI.ContainerStatus? {
        ((status?.containerStatuses ?? []) + (status?.initContainerStatuses ?? [])).first { $0.name == name }
    }
}
