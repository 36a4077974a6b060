// Requests and limits to cgroup settings, by the kubelet's formulas: CPU shares from the
// request (1024 per core, at least 2), a CFS quota from the limit over a 100 ms period, the
// memory limit in bytes, and an OOM score adjustment by QoS class.
import CRIAPI
import KubeAPI

enum ContainerResources {
    static let cfsPeriod: Int64 = 100_000
    static let minShares: Int64 = 2
    static let maxShares: Int64 = 262_144
    static let minQuota: Int64 = 1000

    static func shares(milliCPU: Int64) -> Int64 {
        milliCPU == 0 ? minShares : min(max(milliCPU * 1024 / 1000, minShares), maxShares)
    }

    static func quota(milliCPU: Int64, period: Int64 = cfsPeriod) -> Int64 {
        milliCPU == 0 ? 0 : max(milliCPU * period / 1000, minQuota)
    }

    static func linux(_ container: KubeAPI.Container, qos: QOSClass, memoryCapacity: Int64, canLowerOOMScore: Bool) -> LinuxContainerResources {
        let requests = container.resources?.requests ?? [:]
        let limits = container.resources?.limits ?? [:]
        var r = LinuxContainerResources()
        let cpuRequest = requests["cpu"]?.milliValue ?? 0
        let cpuLimit = limits["cpu"]?.milliValue ?? 0
        r.cpuShares = shares(milliCPU: cpuRequest == 0 && cpuLimit > 0 ? cpuLimit : cpuRequest)
        r.cpuPeriod = cfsPeriod
        r.cpuQuota = quota(milliCPU: cpuLimit)
        r.memoryLimitInBytes = limits["memory"]?.value ?? 0
        let adj = oomScoreAdjust(container, qos: qos, memoryCapacity: memoryCapacity)
        // Lowering a score needs CAP_SYS_RESOURCE, which some machines (this VM) withhold.
        r.oomScoreAdj = adj < 0 && !canLowerOOMScore ? 0 : adj
        return r
    }

    /// The kubelet's policy: Guaranteed -997, BestEffort 1000, Burstable by memory request share.
    static func oomScoreAdjust(_ container: KubeAPI.Container, qos: QOSClass, memoryCapacity: Int64) -> Int64 {
        switch qos {
        case .guaranteed: return -997
        case .bestEffort: return 1000
        default:
            let request = container.resources?.requests?["memory"]?.value ?? 0
            guard memoryCapacity > 0 else { return 999 }
            let adj = 1000 - (1000 * request) / memoryCapacity
            return min(max(adj, 2), 999)
        }
    }
}
