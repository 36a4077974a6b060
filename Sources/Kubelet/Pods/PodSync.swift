// One sync of one pod: read its state from the runtime, work out what is missing against the
// spec (the kubelet's computePodActions), and do it: a sandbox, init containers one by one,
// then the app containers, restarts by restartPolicy with back-off, restarts for failed
// liveness and startup probes; then publish its status (with the probes' readiness). And the
// other direction: a pod that goes is stopped gracefully (preStop hooks, grace period) and
// removed with its files.
import CRIAPI
import Foundation
import KubeAPI

struct PodSync: Sendable {
    let cri: CRIClient
    let settings: KubeletSettings
    let volumes: PodVolumes
    let cgroups: PodCgroups
    let dns: PodDNS
    let sandboxBuilder: SandboxConfigBuilder
    let containerBuilder: ContainerConfigBuilder
    let statuses: PodStatusStore
    let logger: KubeletLogger
    let hostIPs: [String]
    let node: NodeResources
    let probes: ProbeManager
    let hooks: LifecycleHooks
    let metrics: KubeletMetrics

    /// Syncs `pod`; returns when the worker should sync it again at the latest (a back-off ends).
    func sync(_ pod: Pod, state: inout PodSyncState) async -> Duration? {
        var wake = WakeUp()
        if state.startTime == nil { state.startTime = Date() }
        do {
            var runtime = try await RuntimePod.load(uid: pod.uid, cri: cri)
            let changed = try await converge(pod, runtime: runtime, state: &state, wake: &wake)
            if changed { runtime = try await RuntimePod.load(uid: pod.uid, cri: cri) }
            publish(pod, runtime: runtime, state: &state)
        } catch {
            logger.error("pod \(pod.namespace)/\(pod.name): sync failed: \(error)")
            wake.after(.seconds(2))
            if let last = state.lastStatus { statuses.update(pod, status: last) }
        }
        return wake.delay
    }

    // MARK: converge

    /// Does what the spec asks of the runtime; true when it changed anything.
    private func converge(_ pod: Pod, runtime: RuntimePod, state: inout PodSyncState, wake: inout WakeUp) async throws -> Bool {
        let qos = QualityOfService.of(pod)
        let restartPolicy = pod.spec.restartPolicy ?? .always
        await removeOldInstances(runtime)
        let phase = PodStatusBuilder.phase(pod, runtime: runtime, state: state)
        if phase == .succeeded || phase == .failed {
            return try await stopFinished(pod, runtime: runtime)
        }

        var changed = false
        var sandboxID: String
        var podIPs: [String]
        if let sandbox = runtime.newestSandbox, sandbox.state == .ready {
            sandboxID = sandbox.id
            podIPs = runtime.podIPs
        } else {
            // restartPolicy Never: a pod whose containers ran is not started again in a new sandbox.
            if restartPolicy == .never, runtime.newestSandbox != nil, !runtime.containers.isEmpty { return false }
            for container in runtime.containers where container.isRunning {
                await stop(container, of: pod, podIP: nil, reason: "its pod sandbox is not ready")
            }
            for old in runtime.sandboxes { _ = try? await cri.stopPodSandbox(StopPodSandboxRequest(podSandboxId: old.id)) }
            guard let created = try await createSandbox(pod, qos: qos, attempt: runtime.newestSandbox.map { $0.metadata.attempt + 1 } ?? 0,
                                                        state: &state, wake: &wake) else { return runtime.newestSandbox != nil }
            (sandboxID, podIPs) = created
            changed = true
        }
        if !podIPs.isEmpty { state.lastPodIPs = podIPs }

        let mounted: [String: MountedVolume]
        do {
            mounted = try volumes.setUp(pod)
            state.podProblem = nil
        } catch {
            state.podProblem = ContainerStateWaiting(reason: "ContainerCreating", message: "\(error)")
            logger.warning("pod \(pod.namespace)/\(pod.name): \(error)")
            wake.after(.seconds(2))
            return changed
        }
        let hosts = try writeHostsFile(pod, podIPs: pod.spec.hostNetwork == true ? hostIPs : podIPs)
        let context = StartContext(pod: pod, sandboxID: sandboxID, podIPs: pod.spec.hostNetwork == true ? hostIPs : podIPs,
                                   volumes: mounted, hostsFile: hosts, qos: qos, runtime: runtime)
        let current = runtime.containers.filter { $0.sandboxID == sandboxID }
        func latest(_ name: String) -> RuntimeContainer? { current.first { $0.name == name } }

        // A container whose liveness or startup probe failed is stopped (preStop, grace
        // period); the next sync starts it again as restartPolicy says.
        if await stopFailedProbes(pod, current: current, podIP: context.podIPs.first, state: &state) {
            wake.after(.milliseconds(50))
            return true
        }

        // A running container whose spec changed (same pod UID, new manifest) is stopped; the
        // next sync starts it from the new spec.
        if await stopChangedContainers(pod, current: current, podIP: context.podIPs.first, state: &state) {
            wake.after(.milliseconds(50))
            return true
        }

        // Init containers: each regular one to success before the next; sidecars (restartPolicy
        // Always) started in their turn and kept running.
        let initContainers = pod.spec.initContainers ?? []
        let initialized = initContainers.filter { $0.restartPolicy != .always }.allSatisfy {
            guard let c = latest($0.name) else { return false }
            return c.hasExited && c.exitCode == 0
        }
        if !initialized {
            for container in initContainers {
                let sidecar = container.restartPolicy == .always
                let instance = latest(container.name)
                if let instance, instance.isRunning {
                    if sidecar { continue }
                    break
                }
                if let instance, instance.hasExited, !sidecar {
                    if instance.exitCode == 0 { continue }
                    if restartPolicy == .never { break }   // the pod has failed
                }
                changed = try await startWithBackOff(container, previous: instance, context: context, state: &state, wake: &wake) || changed
                break
            }
            return changed
        }
        for container in initContainers where container.restartPolicy == .always {
            let instance = latest(container.name)
            if instance?.isRunning == true { continue }
            changed = try await startWithBackOff(container, previous: instance, context: context, state: &state, wake: &wake) || changed
        }

        for container in pod.spec.containers {
            let instance = latest(container.name)
            if let instance {
                if instance.isRunning { continue }
                if instance.hasExited && !Self.shouldRestart(restartPolicy, exitCode: instance.exitCode)
                    && !state.changedSpec.contains(instance.id) { continue }
            }
            changed = try await startWithBackOff(container, previous: instance, context: context, state: &state, wake: &wake) || changed
        }
        return changed
    }

    /// Stops the running containers whose liveness or startup probe has failed (the probe's
    /// own terminationGracePeriodSeconds, else the pod's); true when it stopped any.
    private func stopFailedProbes(_ pod: Pod, current: [RuntimeContainer], podIP: String?, state: inout PodSyncState) async -> Bool {
        var stopped = false
        for instance in current where instance.isRunning {
            guard let (type, output) = probes.failedProbe(uid: pod.uid, container: instance.name, containerID: instance.id) else { continue }
            let spec = pod.spec.containers.first { $0.name == instance.name } ?? pod.spec.initContainers?.first { $0.name == instance.name }
            let message = "Container \(instance.name) failed \(type.lowercased) probe, will be restarted"
            logger.warning("pod \(pod.namespace)/\(pod.name): \(message): \(output)")
            state.killMessages[instance.id] = "\(message): \(output)"
            await stop(instance, of: pod, podIP: podIP, gracePeriod: spec?.probe(type)?.terminationGracePeriodSeconds,
                       reason: "failed \(type.lowercased) probe")
            stopped = true
        }
        return stopped
    }

    /// Stops the running app containers and sidecars whose spec hash is not their spec's now.
    private func stopChangedContainers(_ pod: Pod, current: [RuntimeContainer], podIP: String?, state: inout PodSyncState) async -> Bool {
        let specs = pod.spec.containers + (pod.spec.initContainers ?? []).filter { $0.restartPolicy == .always }
        var stopped = false
        for instance in current where instance.isRunning {
            guard let spec = specs.first(where: { $0.name == instance.name }), let hash = instance.specHash,
                  hash != ContainerSpecHash.of(spec) else { continue }
            let message = "Container \(instance.name) definition changed, will be restarted"
            logger.info("pod \(pod.namespace)/\(pod.name): \(message)")
            state.killMessages[instance.id] = message
            state.changedSpec.insert(instance.id)
            await stop(instance, of: pod, podIP: podIP, reason: "its definition changed")
            stopped = true
        }
        return stopped
    }

    /// The kubelet's container GC, per container: the newest instance and the one before (for
    /// lastState and previous logs) stay; older dead ones are removed.
    private func removeOldInstances(_ runtime: RuntimePod) async {
        for name in Set(runtime.containers.map(\.name)) {
            for old in runtime.instances(of: name).dropFirst(2) where !old.isRunning {
                _ = try? await cri.removeContainer(RemoveContainerRequest(containerId: old.id))
            }
        }
    }

    static func shouldRestart(_ policy: RestartPolicy, exitCode: Int32) -> Bool {
        switch policy {
        case .never: return false
        case .onFailure: return exitCode != 0
        default: return true
        }
    }

    /// A finished pod (Succeeded or Failed) keeps its containers' records but runs nothing:
    /// sidecars are stopped and the sandbox released.
    private func stopFinished(_ pod: Pod, runtime: RuntimePod) async throws -> Bool {
        var changed = false
        for container in runtime.containers where container.isRunning {
            await stop(container, of: pod, podIP: runtime.podIPs.first, reason: "the pod has finished")
            changed = true
        }
        for sandbox in runtime.sandboxes where sandbox.state == .ready {
            _ = try await cri.stopPodSandbox(StopPodSandboxRequest(podSandboxId: sandbox.id))
            logger.info("pod \(pod.namespace)/\(pod.name) has finished: sandbox \(sandbox.id.prefix(12)) stopped")
            changed = true
        }
        return changed
    }

    private func createSandbox(_ pod: Pod, qos: QOSClass, attempt: UInt32, state: inout PodSyncState,
                               wake: inout WakeUp) async throws -> (String, [String])? {
        if let failed = state.startFailures["(sandbox)"], let wait = state.crashBackOff.remaining("(sandbox)", failedAt: failed) {
            wake.after(wait)
            return nil
        }
        do {
            try cgroups.create(for: pod, qos: qos)
            let decision = dns.config(for: pod)
            if let note = decision.note, state.notes.insert(note).inserted { logger.info(note) }
            let config = sandboxBuilder.make(pod, attempt: attempt, cgroupParent: cgroups.podCgroup(uid: pod.uid, qos: qos), dns: decision.config)
            try FileManager.default.createDirectory(atPath: config.logDirectory, withIntermediateDirectories: true)
            let id = try await cri.runPodSandbox(RunPodSandboxRequest(config: config)).podSandboxId
            metrics.podStarted()
            let status = try await cri.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: id)).status
            var ips: [String] = []
            if let network = status.network, !network.ip.isEmpty { ips = [network.ip] + network.additionalIps.map(\.ip) }
            logger.info("pod \(pod.namespace)/\(pod.name): sandbox \(id.prefix(12)) ready" + (ips.isEmpty ? "" : " at \(ips.joined(separator: ","))"))
            state.startFailures["(sandbox)"] = nil
            state.podProblem = nil
            return (id, ips)
        } catch {
            metrics.podStartFailed()
            let now = Date()
            state.crashBackOff.next("(sandbox)", failedAt: now)
            state.startFailures["(sandbox)"] = now
            state.podProblem = ContainerStateWaiting(reason: "ContainerCreating", message: "failed to create pod sandbox: \(error)")
            logger.error("pod \(pod.namespace)/\(pod.name): failed to create pod sandbox: \(error)")
            wake.after(state.crashBackOff.delay("(sandbox)") ?? .seconds(10))
            return nil
        }
    }

    private func writeHostsFile(_ pod: Pod, podIPs: [String]) throws -> String {
        let path = volumes.podDirectory(pod.uid) + "/etc-hosts"
        let content = PodHostsFile.content(for: pod, podIPs: podIPs, hostname: PodHostsFile.hostname(for: pod))
        if (try? String(contentsOfFile: path, encoding: .utf8)) != content {
            try FileManager.default.createDirectory(atPath: volumes.podDirectory(pod.uid), withIntermediateDirectories: true)
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o644)
        }
        return path
    }

    func gracePeriod(_ pod: Pod) -> Int64 { pod.spec.terminationGracePeriodSeconds ?? 30 }

    // MARK: terminate

    /// Stops the pod's containers (app containers together, then sidecars in reverse order),
    /// each with its preStop hook and the pod's grace period, then removes the sandboxes,
    /// volumes, cgroup and logs.
    func terminate(_ pod: Pod, reason: String) async {
        logger.info("pod \(pod.namespace)/\(pod.name) uid \(pod.uid): stopping (\(reason))")
        probes.removePod(uid: pod.uid)
        do {
            let runtime = try await RuntimePod.load(uid: pod.uid, cri: cri)
            let podIP = pod.spec.hostNetwork == true ? hostIPs.first : runtime.podIPs.first
            let sidecars = (pod.spec.initContainers ?? []).filter { $0.restartPolicy == .always }.map(\.name)
            let first = runtime.containers.filter { $0.isRunning && !sidecars.contains($0.name) }
            await withTaskGroup(of: Void.self) { group in
                for container in first {
                    group.addTask { await stop(container, of: pod, podIP: podIP, reason: reason) }
                }
            }
            for name in sidecars.reversed() {
                for container in runtime.instances(of: name) where container.isRunning {
                    await stop(container, of: pod, podIP: podIP, reason: reason)
                }
            }
            hooks.actions.networks.forget(runtime.sandboxes.map(\.id))
            for sandbox in runtime.sandboxes {
                _ = try await cri.stopPodSandbox(StopPodSandboxRequest(podSandboxId: sandbox.id))
                _ = try await cri.removePodSandbox(RemovePodSandboxRequest(podSandboxId: sandbox.id))
            }
        } catch {
            logger.error("pod \(pod.namespace)/\(pod.name): stopping: \(error)")
        }
        volumes.tearDown(uid: pod.uid)
        cgroups.remove(uid: pod.uid)
        try? FileManager.default.removeItem(atPath: sandboxBuilder.logDirectory(for: pod))
        statuses.remove(uid: pod.uid)
        logger.info("pod \(pod.namespace)/\(pod.name) uid \(pod.uid): removed")
    }

    // MARK: status

    private func publish(_ pod: Pod, runtime: RuntimePod, state: inout PodSyncState) {
        for container in runtime.containers where container.hasExited && state.terminationMessages[container.id] == nil {
            let annotations = container.status.annotations
            let message = TerminationMessage.read(
                hostPath: annotations[RuntimeLabels.terminationMessageHostPath], logPath: container.status.logPath,
                fallbackToLogs: annotations[RuntimeLabels.terminationMessagePolicy] == TerminationMessagePolicy.fallbackToLogsOnError.rawValue,
                exitCode: container.exitCode)
            state.terminationMessages[container.id] = message ?? ""
        }
        let live = Set(runtime.containers.map(\.id))
        state.terminationMessages = state.terminationMessages.filter { live.contains($0.key) }
        state.killMessages = state.killMessages.filter { live.contains($0.key) }
        state.changedSpec = state.changedSpec.filter { live.contains($0) }
        probes.update(pod, runtime: runtime, podIP: pod.spec.hostNetwork == true ? hostIPs.first : runtime.podIPs.first)
        let status = PodStatusBuilder(hostIPs: hostIPs, probes: probes).status(pod, runtime: runtime, state: state, previous: state.lastStatus)
        if state.lastStatus?.phase != status.phase {
            logger.info("pod \(pod.namespace)/\(pod.name): phase \(status.phase?.rawValue ?? "?")")
        }
        state.lastStatus = status
        statuses.update(pod, status: status)
    }
}

/// The earliest moment a sync asked to be woken again.
struct WakeUp {
    private(set) var delay: Duration?

    mutating func after(_ duration: Duration) {
        delay = min(delay ?? duration, duration)
    }
}

/// What starting one container needs to know about its pod.
struct StartContext {
    var pod: Pod
    var sandboxID: String
    var podIPs: [String]
    var volumes: [String: MountedVolume]
    var hostsFile: String
    var qos: QOSClass
    var runtime: RuntimePod
}
