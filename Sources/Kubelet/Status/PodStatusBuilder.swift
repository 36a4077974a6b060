// The runtime's view of a pod turned into a Kubernetes PodStatus, as the kubelet's
// generateAPIPodStatus: container states from the newest instance of each container (and the
// one before as lastState), waiting reasons the kubelet knows, readiness and started from the
// probes, the phase, the conditions.
import CRIAPI
import Foundation
import KubeAPI

struct PodStatusBuilder {
    let hostIPs: [String]
    let probes: ProbeManager

    func status(_ pod: Pod, runtime: RuntimePod, state: PodSyncState, previous: PodStatus?) -> PodStatus {
        var status = PodStatus()
        let initContainers = pod.spec.initContainers ?? []
        let initialized = Self.initialized(pod, runtime: runtime)
        status.initContainerStatuses = initContainers.isEmpty ? nil : initContainers.map { container in
            containerStatus(container, pod: pod, runtime: runtime, state: state, isInit: true, defaultReason: "PodInitializing")
        }
        status.containerStatuses = pod.spec.containers.map { container in
            containerStatus(container, pod: pod, runtime: runtime, state: state, isInit: false,
                            defaultReason: initialized ? "ContainerCreating" : "PodInitializing")
        }
        let phase = Self.phase(pod, runtime: runtime, state: state)
        status.phase = phase
        status.qosClass = QualityOfService.of(pod)
        status.hostIP = hostIPs.first
        status.hostIPs = hostIPs.isEmpty ? nil : hostIPs.map { HostIP(ip: $0) }
        let podIPs = pod.spec.hostNetwork == true ? hostIPs : (runtime.podIPs.isEmpty ? state.lastPodIPs : runtime.podIPs)
        status.podIP = podIPs.first
        status.podIPs = podIPs.isEmpty ? nil : podIPs.map { PodIP(ip: $0) }
        status.startTime = state.startTime.map(KubeTime.init)

        let sandboxReady = runtime.newestSandbox?.state == .ready
        var conditions = [PodCondition(type: .podScheduled, status: .true)]
        conditions.append(PodCondition(type: .podReadyToStartContainers, status: sandboxReady ? .true : .false))
        let pendingInit = (status.initContainerStatuses ?? []).filter { s in
            let sidecar = initContainers.first { $0.name == s.name }?.restartPolicy == .always
            return sidecar ? s.state?.running == nil && !initialized : !(s.state?.terminated?.exitCode == 0)
        }.map(\.name)
        conditions.append(initialized || pendingInit.isEmpty
            ? PodCondition(type: .initialized, status: .true)
            : PodCondition(type: .initialized, status: .false, reason: "ContainersNotInitialized",
                           message: "containers with incomplete status: [\(pendingInit.joined(separator: " "))]"))
        let sidecarStatuses = (status.initContainerStatuses ?? []).filter { s in initContainers.first { $0.name == s.name }?.restartPolicy == .always }
        let unready = ((status.containerStatuses ?? []) + sidecarStatuses).filter { !$0.ready }.map(\.name)
        let readyCondition: (ConditionStatus, String?, String?)
        if phase == .succeeded || phase == .failed {
            readyCondition = (.false, "PodCompleted", nil)
        } else if unready.isEmpty {
            readyCondition = (.true, nil, nil)
        } else {
            readyCondition = (.false, "ContainersNotReady", "containers with unready status: [\(unready.joined(separator: " "))]")
        }
        conditions.append(PodCondition(type: .containersReady, status: readyCondition.0, reason: readyCondition.1, message: readyCondition.2))
        conditions.append(PodCondition(type: .ready, status: readyCondition.0, reason: readyCondition.1, message: readyCondition.2))
        // A condition keeps its transition time until its status changes.
        let now = KubeTime.now
        status.conditions = conditions.map { condition in
            var c = condition
            let old = previous?.condition(condition.type)
            c.lastTransitionTime = old?.status == condition.status ? (old?.lastTransitionTime ?? now) : now
            return c
        }
        if let problem = state.podProblem {
            status.reason = problem.reason
            status.message = problem.message
        }
        return status
    }

    private func containerStatus(_ container: KubeAPI.Container, pod: Pod, runtime: RuntimePod, state: PodSyncState, isInit: Bool,
                                 defaultReason: String) -> KubeAPI.ContainerStatus {
        var status = KubeAPI.ContainerStatus(name: container.name, image: container.image ?? "")
        let instances = runtime.instances(of: container.name)
        guard let latest = instances.first else {
            let waiting = state.waiting[container.name] ?? state.podProblem.map { ContainerStateWaiting(reason: $0.reason, message: $0.message) }
                ?? ContainerStateWaiting(reason: defaultReason)
            status.state = KubeAPI.ContainerState(waiting: waiting)
            status.started = false
            return status
        }
        status.restartCount = Int32(latest.restartCount)
        status.imageID = latest.status.imageRef
        status.containerID = "skiff://" + latest.id
        status.state = self.state(of: latest, state: state)
        if instances.count > 1 { status.lastState = self.state(of: instances[1], state: state) }
        if latest.hasExited, let waiting = state.waiting[container.name] {
            status.lastState = status.state
            status.state = KubeAPI.ContainerState(waiting: waiting)
        }
        let sidecar = container.restartPolicy == .always
        if isInit && !sidecar {
            status.started = latest.isRunning
            status.ready = latest.hasExited && latest.exitCode == 0
        } else {
            status.started = latest.isRunning && probes.isStarted(uid: pod.uid, container: container, containerID: latest.id)
            status.ready = latest.isRunning && probes.isReady(uid: pod.uid, container: container, containerID: latest.id)
        }
        return status
    }

    private func state(of c: RuntimeContainer, state: PodSyncState) -> KubeAPI.ContainerState {
        switch c.state {
        case .running:
            return KubeAPI.ContainerState(running: ContainerStateRunning(startedAt: c.startedAt.map(KubeTime.init)))
        case .exited:
            var terminated = ContainerStateTerminated(exitCode: c.exitCode,
                                                      reason: c.status.reason.isEmpty ? (c.exitCode == 0 ? "Completed" : "Error") : c.status.reason)
            terminated.startedAt = c.startedAt.map(KubeTime.init)
            terminated.finishedAt = c.finishedAt.map(KubeTime.init)
            terminated.containerID = "skiff://" + c.id
            if let message = state.terminationMessages[c.id], !message.isEmpty {
                terminated.message = message
            } else if let message = state.killMessages[c.id] {
                terminated.message = message
            } else if !c.status.message.isEmpty {
                terminated.message = c.status.message
            }
            return KubeAPI.ContainerState(terminated: terminated)
        default:
            return KubeAPI.ContainerState(waiting: ContainerStateWaiting(reason: "ContainerCreating"))
        }
    }

    /// Every regular init container has succeeded in the current sandbox (sidecars aside).
    static func initialized(_ pod: Pod, runtime: RuntimePod) -> Bool {
        let sandbox = runtime.newestSandbox?.id
        return (pod.spec.initContainers ?? []).filter { $0.restartPolicy != .always }.allSatisfy { container in
            guard let c = runtime.containers.first(where: { $0.name == container.name && $0.sandboxID == sandbox }) else { return false }
            return c.hasExited && c.exitCode == 0
        }
    }

    /// The kubelet's getPhase: Pending until initialized and every container has been created;
    /// Running while any runs or will be restarted; Succeeded or Failed once all have stopped
    /// for good.
    static func phase(_ pod: Pod, runtime: RuntimePod, state: PodSyncState) -> PodPhase {
        let policy = pod.spec.restartPolicy ?? .always
        for container in pod.spec.initContainers ?? [] where container.restartPolicy != .always {
            guard let latest = runtime.latest(container.name) else { return .pending }
            if latest.hasExited && latest.exitCode != 0 {
                return policy == .never ? .failed : .pending
            }
        }
        if !initialized(pod, runtime: runtime) { return .pending }
        var running = 0, stopped = 0, succeeded = 0, waiting = 0
        for container in pod.spec.containers {
            guard let latest = runtime.latest(container.name) else {
                waiting += 1
                continue
            }
            if latest.isRunning {
                running += 1
            } else if latest.hasExited {
                stopped += 1
                if latest.exitCode == 0 { succeeded += 1 }
            } else {
                waiting += 1
            }
        }
        if waiting > 0 { return .pending }
        if running > 0 { return .running }
        if stopped > 0 {
            switch policy {
            case .always: return .running
            case .onFailure: return stopped == succeeded ? .succeeded : .running
            default: return stopped == succeeded ? .succeeded : .failed
            }
        }
        return .pending
    }
}
