// The kubelet's pods and their statuses in memory, behind the small query API the kubelet's
// HTTP server (/pods, /containerLogs...) and tests read.
import Foundation
import KubeAPI
import Synchronization

public final class PodStatusStore: Sendable {
    /// By UID, with the order pods were first seen: while a changed manifest's pod replaces the
    /// old one, both carry the same name, and the newer is the one a name stands for.
    private let pods = Mutex<[String: (order: Int, pod: Pod)]>([:])
    private let counter = Mutex(0)
    private let logsDirectory: String

    init(logsDirectory: String) { self.logsDirectory = logsDirectory }

    /// Every pod the kubelet runs, with its status, by namespace then name.
    public func all() -> [Pod] {
        pods.withLock { Array($0.values) }.sorted { ($0.pod.namespace, $0.pod.name, $0.order) < ($1.pod.namespace, $1.pod.name, $1.order) }.map(\.pod)
    }

    /// The pods as a PodList (what /pods serves).
    public func podList() -> PodList { PodList(items: all()) }

    public func pod(namespace: String, name: String) -> Pod? {
        pods.withLock { $0.values.filter { $0.pod.namespace == namespace && $0.pod.name == name }.max { $0.order < $1.order }?.pod }
    }

    public func pod(uid: String) -> Pod? { pods.withLock { $0[uid]?.pod } }

    /// A container's log file: the current instance's, or with `previous` the one before.
    public func logPath(namespace: String, pod name: String, container: String, previous: Bool = false) -> String? {
        guard let pod = pod(namespace: namespace, name: name) else { return nil }
        let statuses = (pod.status?.containerStatuses ?? []) + (pod.status?.initContainerStatuses ?? [])
        guard let status = statuses.first(where: { $0.name == container }) else { return nil }
        let restart = Int(status.restartCount) - (previous ? 1 : 0)
        guard restart >= 0 else { return nil }
        return "\(logsDirectory)/\(pod.namespace)_\(pod.name)_\(pod.uid)/\(container)/\(restart).log"
    }

    /// The runtime's ID of a container ("skiff://<id>" without the scheme), for exec and attach.
    public func containerID(namespace: String, pod name: String, container: String) -> String? {
        guard let pod = pod(namespace: namespace, name: name) else { return nil }
        let statuses = (pod.status?.containerStatuses ?? []) + (pod.status?.initContainerStatuses ?? [])
        return statuses.first { $0.name == container }?.containerID.map { String($0.dropFirst("skiff://".count)) }
    }

    func update(_ pod: Pod, status: PodStatus) {
        var copy = pod
        copy.status = status
        let order = nextOrder()
        pods.withLock { $0[pod.uid] = ($0[pod.uid]?.order ?? order, copy) }
    }

    /// A pod known but not synced yet: shown Pending.
    func add(_ pod: Pod) {
        let order = nextOrder()
        pods.withLock { all in
            guard all[pod.uid] == nil else { return }
            var copy = pod
            var status = PodStatus()
            status.phase = .pending
            status.qosClass = QualityOfService.of(pod)
            copy.status = status
            all[pod.uid] = (order, copy)
        }
    }

    private func nextOrder() -> Int { counter.withLock { $0 += 1; return $0 } }

    func remove(uid: String) { pods.withLock { _ = $0.removeValue(forKey: uid) } }
}
