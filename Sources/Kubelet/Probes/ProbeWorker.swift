// One probe of one container, as the kubelet's probe worker: for each instance of the
// container its own task, which waits initialDelaySeconds from the container's start, then runs
// the probe every periodSeconds with timeoutSeconds, and turns runs into a result with
// successThreshold and failureThreshold. Liveness and readiness wait for the startup probe to
// succeed; startup stops once it has; a failed liveness or startup probe stops until the
// container has been restarted.
import Foundation
import KubeAPI
import Synchronization

final class ProbeWorker: Sendable {
    let key: ProbeManager.Key
    let probe: Probe
    private let namespace: String
    private let podName: String
    private let manager: ProbeManager
    private let current = Mutex<(containerID: String, task: Task<Void, Never>)?>(nil)

    init(key: ProbeManager.Key, probe: Probe, pod: Pod, manager: ProbeManager) {
        self.key = key
        self.probe = probe
        self.namespace = pod.namespace
        self.podName = pod.name
        self.manager = manager
    }

    /// Aims the worker at the container's running instance (nil: none runs now).
    func track(_ target: ActionTarget?, startedAt: Date) {
        let stale: Task<Void, Never>? = current.withLock { current in
            if current?.containerID == target?.containerID { return nil }
            let old = current?.task
            manager.reset(key, containerID: target?.containerID)
            current = target.map { target in (target.containerID, Task { await self.run(target, startedAt: startedAt) }) }
            return old
        }
        stale?.cancel()
    }

    func stop() {
        current.withLock { current in
            current?.task.cancel()
            current = nil
        }
    }

    private func run(_ target: ActionTarget, startedAt: Date) async {
        let period = Duration.seconds(Int64(max(1, probe.periodSeconds ?? 10)))
        let timeout = Duration.seconds(Int64(max(1, probe.timeoutSeconds ?? 1)))
        let successThreshold = Int(max(1, probe.successThreshold ?? 1))
        let failureThreshold = Int(max(1, probe.failureThreshold ?? 3))
        let delay = Double(probe.initialDelaySeconds ?? 0) - Date().timeIntervalSince(startedAt)
        if delay > 0 { try? await Task.sleep(for: .milliseconds(Int64(delay * 1000))) }

        let name = "\(namespace)/\(podName) container \(key.container)"
        var successes = 0, failures = 0
        var reportedUnknown = false
        while !Task.isCancelled {
            // Liveness and readiness wait for the startup probe; look again soon.
            guard key.type == .startup || manager.isStarted(uid: key.uid, container: target.container, containerID: target.containerID) else {
                try? await Task.sleep(for: min(period, .seconds(1)))
                continue
            }
            let outcome = await manager.actions.run(probe, on: target, timeout: timeout)
            guard !Task.isCancelled else { return }
            manager.metrics.probeRan(key.type, result: outcome.result, namespace: namespace, pod: podName, container: key.container)
            switch outcome.result {
            case .success:
                successes += 1
                failures = 0
                if successes >= successThreshold {
                    manager.record(key, containerID: target.containerID, result: .success, output: outcome.output)
                }
            case .failure:
                failures += 1
                successes = 0
                if failures == 1 {
                    manager.logger.warning("pod \(name): \(key.type.rawValue) probe failed: \(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines))")
                }
                if failures >= failureThreshold {
                    manager.record(key, containerID: target.containerID, result: .failure,
                                   output: "\(key.type.rawValue) probe failed: \(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines))")
                }
            case .unknown:
                if !reportedUnknown { manager.logger.warning("pod \(name): \(key.type.rawValue) probe could not run: \(outcome.output)") }
                reportedUnknown = true
            }
            let now = manager.result(key, containerID: target.containerID)
            if key.type != .readiness && now == .failure { return }   // until the container restarts
            if key.type == .startup && now == .success { return }
            try? await Task.sleep(for: period)
        }
    }
}
