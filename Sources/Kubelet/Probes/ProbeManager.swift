// The prober manager: one worker per probe of each running container (liveness, readiness,
// startup), started, retargeted or stopped as the pod's syncs see its containers come and go,
// and the results the pod's sync and status read: whether a container has started, is ready,
// or failed a probe that restarts it. A result that changes wakes the pod's worker.
import Foundation
import KubeAPI
import Synchronization

final class ProbeManager: Sendable {
    struct Key: Hashable, Sendable {
        var uid: String
        var container: String
        var type: ProbeType
    }

    /// A probe's result for one instance of its container.
    struct Entry: Sendable {
        var containerID: String
        var result: ProbeResult
        var output: String
    }

    let actions: ContainerActions
    let metrics: KubeletMetrics
    let logger: KubeletLogger
    private let workers = Mutex<[Key: ProbeWorker]>([:])
    private let results = Mutex<[Key: Entry]>([:])
    private let changeHandler = Mutex<(@Sendable (String) async -> Void)?>(nil)

    init(actions: ContainerActions, metrics: KubeletMetrics, logger: KubeletLogger) {
        self.actions = actions
        self.metrics = metrics
        self.logger = logger
    }

    /// What to call when a result changes (with the pod's UID).
    func onChange(_ handler: @escaping @Sendable (String) async -> Void) {
        changeHandler.withLock { $0 = handler }
    }

    /// Matches the pod's probe workers to its running containers: a worker per probe of each
    /// app container and sidecar running in the pod's current sandbox, each aimed at that
    /// container's instance (a restarted container starts its probes afresh).
    func update(_ pod: Pod, runtime: RuntimePod, podIP: String?) {
        let sandbox = runtime.newestSandbox
        let probed = pod.spec.containers + (pod.spec.initContainers ?? []).filter { $0.restartPolicy == .always }
        var wanted = Set<Key>()
        for container in probed {
            let instance = runtime.latest(container.name).flatMap { $0.isRunning && $0.sandboxID == sandbox?.id ? $0 : nil }
            for type in ProbeType.allCases {
                guard let probe = container.probe(type) else { continue }
                let key = Key(uid: pod.uid, container: container.name, type: type)
                wanted.insert(key)
                let (worker, replaced) = workers.withLock { all -> (ProbeWorker, ProbeWorker?) in
                    if let existing = all[key], existing.probe == probe { return (existing, nil) }
                    let new = ProbeWorker(key: key, probe: probe, pod: pod, manager: self)
                    defer { all[key] = new }
                    return (new, all[key])
                }
                replaced?.stop()   // the probe's spec changed
                worker.track(instance.map { ActionTarget(containerID: $0.id, container: container, sandboxID: $0.sandboxID, podIP: podIP) },
                             startedAt: instance?.startedAt ?? Date())
            }
        }
        let gone = workers.withLock { all in
            let keys = all.keys.filter { $0.uid == pod.uid && !wanted.contains($0) }
            return keys.compactMap { all.removeValue(forKey: $0) }
        }
        for worker in gone { worker.stop() }
    }

    /// Stops every probe of a pod (it is stopping) and forgets its results.
    func removePod(uid: String) {
        let gone = workers.withLock { all in
            let keys = all.keys.filter { $0.uid == uid }
            return keys.compactMap { all.removeValue(forKey: $0) }
        }
        for worker in gone { worker.stop() }
        results.withLock { $0 = $0.filter { $0.key.uid != uid } }
    }

    // MARK: results

    /// The result of a probe for one container instance: the probe's initial result until it
    /// has one.
    func result(_ key: Key, containerID: String) -> ProbeResult {
        results.withLock { $0[key] }.flatMap { $0.containerID == containerID ? $0.result : nil } ?? key.type.initialResult
    }

    /// Started: no startup probe, or it has succeeded.
    func isStarted(uid: String, container: KubeAPI.Container, containerID: String) -> Bool {
        container.startupProbe == nil
            || result(Key(uid: uid, container: container.name, type: .startup), containerID: containerID) == .success
    }

    /// Ready: started, and no readiness probe or it succeeds.
    func isReady(uid: String, container: KubeAPI.Container, containerID: String) -> Bool {
        isStarted(uid: uid, container: container, containerID: containerID)
            && (container.readinessProbe == nil
                || result(Key(uid: uid, container: container.name, type: .readiness), containerID: containerID) == .success)
    }

    /// The probe (liveness or startup) whose failure means the container must be restarted, with
    /// what it said.
    func failedProbe(uid: String, container: String, containerID: String) -> (type: ProbeType, output: String)? {
        results.withLock { all in
            for type in [ProbeType.startup, .liveness] {
                if let entry = all[Key(uid: uid, container: container, type: type)], entry.containerID == containerID,
                   entry.result == .failure {
                    return (type, entry.output)
                }
            }
            return nil
        }
    }

    /// A worker's new result; wakes the pod when it changes what the pod shows or does.
    func record(_ key: Key, containerID: String, result: ProbeResult, output: String) {
        let previous = results.withLock { all in
            let old = all[key].flatMap { $0.containerID == containerID ? $0.result : nil } ?? key.type.initialResult
            all[key] = Entry(containerID: containerID, result: result, output: output)
            return old
        }
        guard previous != result else { return }
        logger.info("pod uid \(key.uid): container \(key.container): \(key.type.lowercased) probe: \(result.rawValue)"
            + (result == .failure && !output.isEmpty ? " (\(output.trimmingCharacters(in: .whitespacesAndNewlines)))" : ""))
        if let handler = changeHandler.withLock({ $0 }) {
            Task { await handler(key.uid) }
        }
    }

    /// A new container instance: its probes start from their initial results.
    func reset(_ key: Key, containerID: String?) {
        results.withLock { all in
            if let containerID {
                all[key] = Entry(containerID: containerID, result: key.type.initialResult, output: "")
            } else {
                all[key] = nil
            }
        }
    }
}

extension KubeAPI.Container {
    func probe(_ type: ProbeType) -> Probe? {
        switch type {
        case .liveness: return livenessProbe
        case .readiness: return readinessProbe
        case .startup: return startupProbe
        }
    }
}
