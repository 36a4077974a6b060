// The pod workers: one per pod, started when a pod appears and told to stop when it goes. As
// in the kubelet, a static pod whose name is still held by an older pod (a changed manifest:
// new UID, same name) waits until the older one has fully stopped.
import Foundation
import KubeAPI

actor PodWorkers {
    private let sync: PodSync
    private var workers: [String: PodWorker] = [:]
    /// Pods waiting for an older pod of the same name to finish, by UID.
    private var waiting: [String: Pod] = [:]

    init(sync: PodSync) { self.sync = sync }

    /// Makes the running set the desired set.
    func update(desired: [Pod]) {
        let wanted = Dictionary(desired.map { ($0.uid, $0) }, uniquingKeysWith: { first, _ in first })
        for (uid, worker) in workers where wanted[uid] == nil && !worker.isTerminating {
            worker.terminate(reason: "its manifest was removed or changed")
        }
        // Same UID, new content (a manifest that names its uid): the pod is updated in place.
        for (uid, worker) in workers where !worker.isTerminating {
            if let pod = wanted[uid], pod != worker.pod { worker.update(pod) }
        }
        waiting = waiting.filter { wanted[$0.key] != nil }
        // New pods wait for an older pod of their name to finish, and so does a pod whose
        // manifest came back while its earlier self was still stopping.
        for pod in desired {
            if let worker = workers[pod.uid], !worker.isTerminating { continue }
            if waiting[pod.uid] == nil { sync.statuses.add(pod) }
            waiting[pod.uid] = pod
        }
        startWaiting()
    }

    private func startWaiting() {
        for (uid, pod) in waiting.sorted(by: { $0.key < $1.key }) {
            let nameTaken = workers.values.contains { $0.pod.namespace == pod.namespace && $0.pod.name == pod.name }
            guard !nameTaken, workers[uid] == nil else { continue }
            waiting[uid] = nil
            sync.statuses.add(pod)   // the finished pod's removal may have taken its entry
            workers[uid] = PodWorker(pod: pod, sync: sync) { [weak self] uid in await self?.finished(uid) }
        }
    }

    private func finished(_ uid: String) {
        workers[uid] = nil
        startWaiting()
    }

    func wake(_ uids: Set<String>) {
        for uid in uids { workers[uid]?.wake() }
    }

    func wakeAll() {
        for worker in workers.values { worker.wake() }
    }

    /// Pods this kubelet knows, running, stopping or waiting to start.
    func knownUIDs() -> Set<String> { Set(workers.keys).union(waiting.keys) }

    /// Stops and removes every pod, and waits for it.
    func terminateAll(reason: String) async {
        waiting = [:]
        let all = Array(workers.values)
        for worker in all { worker.terminate(reason: reason) }
        for worker in all { await worker.wait() }
    }

    /// Leaves the pods running and stops the workers (the kubelet's exit).
    func abandonAll() {
        for worker in workers.values { worker.abandon() }
        workers = [:]
    }
}
