// The kubelet's own counters (probe runs, containers and sandboxes started): what /metrics
// reports beside what it reads from the pods' statuses.
import Synchronization

public final class KubeletMetrics: Sendable {
    /// One probe series: prober_probe_total's labels.
    public struct ProbeSeries: Hashable, Sendable {
        public var type: ProbeType
        /// "successful", "failed" or "unknown", as the kubelet labels them.
        public var result: String
        public var namespace: String
        public var pod: String
        public var container: String
    }

    private struct Counters {
        var probes: [ProbeSeries: Int] = [:]
        var startedContainers = 0
        var startedContainerErrors: [String: Int] = [:]
        var startedPods = 0
        var startedPodErrors = 0
    }

    private let counters = Mutex(Counters())

    init() {}

    func probeRan(_ type: ProbeType, result: ProbeResult, namespace: String, pod: String, container: String) {
        let label = result == .success ? "successful" : result == .failure ? "failed" : "unknown"
        let series = ProbeSeries(type: type, result: label, namespace: namespace, pod: pod, container: container)
        counters.withLock { $0.probes[series, default: 0] += 1 }
    }

    func containerStarted() { counters.withLock { $0.startedContainers += 1 } }
    func containerStartFailed(reason: String) { counters.withLock { $0.startedContainerErrors[reason, default: 0] += 1 } }
    func podStarted() { counters.withLock { $0.startedPods += 1 } }
    func podStartFailed() { counters.withLock { $0.startedPodErrors += 1 } }

    public var probes: [ProbeSeries: Int] { counters.withLock { $0.probes } }
    public var startedContainers: Int { counters.withLock { $0.startedContainers } }
    public var startedContainerErrors: [String: Int] { counters.withLock { $0.startedContainerErrors } }
    public var startedPods: Int { counters.withLock { $0.startedPods } }
    public var startedPodErrors: Int { counters.withLock { $0.startedPodErrors } }
}
