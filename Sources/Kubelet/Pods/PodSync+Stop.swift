// Stopping one container as the kubelet's killContainer: its preStop hook first (while it
// still runs), then StopContainer with what is left of the grace period (the stop signal, then
// KILL when that runs out), never less than 2 s.
import CRIAPI
import Foundation
import KubeAPI

extension PodSync {
    /// The kubelet's minimumGracePeriodInSeconds: a container always gets this long to stop.
    static let minimumGracePeriod: Int64 = 2

    /// Stops a container of `pod` with its preStop hook and the pod's grace period (or
    /// `gracePeriod`); `reason` goes to the log.
    func stop(_ instance: RuntimeContainer, of pod: Pod, podIP: String?, gracePeriod: Int64? = nil, reason: String) async {
        var grace = gracePeriod ?? self.gracePeriod(pod)
        let spec = pod.spec.containers.first { $0.name == instance.name } ?? pod.spec.initContainers?.first { $0.name == instance.name }
        if instance.isRunning, grace > 0, let spec, let preStop = spec.lifecycle?.preStop {
            let started = ContinuousClock.now
            let target = ActionTarget(containerID: instance.id, container: spec, sandboxID: instance.sandboxID, podIP: podIP)
            if let failure = await hooks.run(.preStop, preStop, on: target, pod: pod, timeout: .seconds(grace)) {
                logger.warning("pod \(pod.namespace)/\(pod.name): FailedPreStopHook: \(failure)")
            }
            grace -= (ContinuousClock.now - started).components.seconds
        }
        grace = max(grace, Self.minimumGracePeriod)
        if instance.isRunning {
            logger.info("pod \(pod.namespace)/\(pod.name): stopping container \(instance.name) (\(reason)), grace period \(grace)s")
        }
        do {
            _ = try await cri.withTimeout(max(cri.timeout, .seconds(grace + 30)))
                .stopContainer(StopContainerRequest(containerId: instance.id, timeout: grace))
        } catch {
            logger.error("pod \(pod.namespace)/\(pod.name): stopping container \(instance.name): \(error)")
        }
    }
}
