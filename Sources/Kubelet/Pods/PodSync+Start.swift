// Starting one container: back-off after a crash or a failed start, the image by its pull
// policy, the environment, the runAsNonRoot check, then CreateContainer and StartContainer,
// then its postStart hook. Each failure leaves the container waiting with the kubelet's
// reason for it.
import CRIAPI
import Foundation
import KubeAPI

extension PodSync {
    /// Starts `container` unless a back-off holds it; true when it started.
    func startWithBackOff(_ container: KubeAPI.Container, previous: RuntimeContainer?, context: StartContext,
                          state: inout PodSyncState, wake: inout WakeUp) async throws -> Bool {
        let name = container.name
        let pod = context.pod
        // The failure this try follows: the last exit (unless the kubelet stopped it for a new
        // spec), or the last failed start.
        let crashed = previous?.hasExited == true && !state.changedSpec.contains(previous?.id ?? "")
        let failedAt = [crashed ? (previous?.finishedAt ?? Date()) : nil, state.startFailures[name]]
            .compactMap { $0 }.max()
        if let failedAt, let wait = state.crashBackOff.remaining(name, failedAt: failedAt) {
            // After a crash the container waits in CrashLoopBackOff; after a failed start, its
            // reason stays the one that failure gave.
            if crashed && state.startFailures[name] == nil {
                let delay = state.crashBackOff.delay(name) ?? settings.crashLoopBackOff.initial
                state.waiting[name] = ContainerStateWaiting(
                    reason: "CrashLoopBackOff",
                    message: "back-off \(delay.shortText) restarting failed container=\(name) pod=\(pod.name)_\(pod.namespace)(\(pod.uid))")
            }
            wake.after(wait)
            return false
        }
        if let failedAt {
            let ranSince = crashed && failedAt == previous?.finishedAt ? previous?.startedAt : nil
            state.crashBackOff.next(name, failedAt: failedAt, ranSince: ranSince)
        }
        let restartCount = context.runtime.latest(name).map { $0.restartCount + 1 } ?? 0
        do {
            try await start(container, restartCount: restartCount, context: context, state: &state, wake: &wake)
            metrics.containerStarted()
            state.waiting[name] = nil
            state.startFailures[name] = nil
            if let previous, previous.hasExited {
                logger.info("pod \(pod.namespace)/\(pod.name): container \(name) restarted (restart \(restartCount), last exit code \(previous.exitCode))")
            }
            return true
        } catch let failure as StartFailure {
            metrics.containerStartFailed(reason: failure.reason)
            state.waiting[name] = ContainerStateWaiting(reason: failure.reason, message: failure.message)
            if failure.retryWithBackOff {
                let now = Date()
                state.startFailures[name] = now
                state.crashBackOff.next(name, failedAt: now)
                wake.after(state.crashBackOff.delay(name) ?? settings.crashLoopBackOff.initial)
            }
            logger.warning("pod \(pod.namespace)/\(pod.name): container \(name): \(failure.reason): \(failure.message)")
            return false
        }
    }

    struct StartFailure: Error {
        var reason: String
        var message: String
        /// false when the pull back-off already scheduled the retry.
        var retryWithBackOff = true
    }

    private func start(_ container: KubeAPI.Container, restartCount: Int, context: StartContext,
                       state: inout PodSyncState, wake: inout WakeUp) async throws {
        let pod = context.pod
        let image = try await ensureImage(container, pod: pod, state: &state, wake: &wake)
        let environment: [KeyValue]
        do {
            environment = try ContainerEnvironment(pod: pod, podIPs: context.podIPs, hostIPs: hostIPs, objects: volumes.objects, node: node)
                .make(for: container)
            try EffectiveSecurity(pod: pod, container: container, seccompDefault: settings.seccompDefault).verifyNonRoot(image: image)
        } catch {
            throw StartFailure(reason: "CreateContainerConfigError", message: "\(error)")
        }
        let messageFile = "\(volumes.podDirectory(pod.uid))/containers/\(container.name)/termination-\(restartCount)"
        let config: ContainerConfig
        do {
            try FileManager.default.createDirectory(atPath: (messageFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: messageFile, contents: Data()) else {
                throw KubeletError.setup("create \(messageFile): \(String(cString: strerror(errno)))")
            }
            chmod(messageFile, 0o666)   // any user the container runs as may write its message
            config = try containerBuilder.make(ContainerConfigInput(
                pod: pod, container: container, restartCount: restartCount, imageRef: container.image ?? "",
                environment: environment, volumes: context.volumes, hostsFile: context.hostsFile,
                terminationMessageFile: messageFile, qos: context.qos))
        } catch {
            throw StartFailure(reason: "CreateContainerConfigError", message: "\(error)")
        }
        let sandboxConfig = sandboxBuilder.make(pod, attempt: context.runtime.newestSandbox?.metadata.attempt ?? 0,
                                                cgroupParent: cgroups.podCgroup(uid: pod.uid, qos: context.qos), dns: DNSConfig())
        let id: String
        do {
            id = try await cri.createContainer(CreateContainerRequest(podSandboxId: context.sandboxID, config: config, sandboxConfig: sandboxConfig)).containerId
        } catch {
            throw StartFailure(reason: "CreateContainerError", message: "\(error)")
        }
        do {
            _ = try await cri.startContainer(StartContainerRequest(containerId: id))
        } catch {
            _ = try? await cri.removeContainer(RemoveContainerRequest(containerId: id))
            throw StartFailure(reason: "RunContainerError", message: "\(error)")
        }
        if let postStart = container.lifecycle?.postStart {
            try await runPostStart(postStart, containerID: id, container: container, context: context, state: &state)
        }
    }

    /// The postStart hook; when it fails the container is stopped (FailedPostStartHook) and
    /// the start counts as failed: back-off, then a new try as restartPolicy allows.
    private func runPostStart(_ hook: LifecycleHandler, containerID: String, container: KubeAPI.Container,
                              context: StartContext, state: inout PodSyncState) async throws {
        let pod = context.pod
        let target = ActionTarget(containerID: containerID, container: container, sandboxID: context.sandboxID, podIP: context.podIPs.first)
        guard let failure = await hooks.run(.postStart, hook, on: target, pod: pod, timeout: settings.runtimeRequestTimeout) else { return }
        logger.warning("pod \(pod.namespace)/\(pod.name): FailedPostStartHook: \(failure)")
        state.killMessages[containerID] = "FailedPostStartHook: \(failure)"
        if let instance = try? await cri.containerStatus(ContainerStatusRequest(containerId: containerID)).status {
            await stop(RuntimeContainer(status: instance, sandboxID: context.sandboxID), of: pod, podIP: context.podIPs.first,
                       reason: "FailedPostStartHook")
        }
        throw StartFailure(reason: "PostStartHookError", message: failure)
    }

    /// The image by the container's pull policy; the image's details (for runAsNonRoot).
    private func ensureImage(_ container: KubeAPI.Container, pod: Pod, state: inout PodSyncState,
                             wake: inout WakeUp) async throws -> CRIAPI.Image? {
        let name = container.image ?? ""
        let policy = container.imagePullPolicy ?? StaticPod.defaultPullPolicy(name)
        let present = try? await cri.imageStatus(ImageStatusRequest(image: ImageSpec(image: name))).image
        if policy == .never {
            guard let present else {
                throw StartFailure(reason: "ErrImageNeverPull", message: "Container image \"\(name)\" is not present with pull policy of Never")
            }
            return present
        }
        if policy == .ifNotPresent, let present { return present }
        if let failed = state.pullFailures[name], let wait = state.pullBackOff.remaining(name, failedAt: failed) {
            wake.after(wait)
            throw StartFailure(reason: "ImagePullBackOff", message: "Back-off pulling image \"\(name)\"", retryWithBackOff: false)
        }
        do {
            let started = ContinuousClock.now
            _ = try await cri.withTimeout(.seconds(600)).pullImage(PullImageRequest(image: ImageSpec(image: name)))
            logger.info("pod \(pod.namespace)/\(pod.name): pulled image \(name) in \(ContinuousClock.now - started)")
            state.pullFailures[name] = nil
            state.pullBackOff.reset(name)
        } catch {
            let now = Date()
            state.pullBackOff.next(name, failedAt: now)
            state.pullFailures[name] = now
            wake.after(state.pullBackOff.delay(name) ?? settings.imagePullBackOff.initial)
            throw StartFailure(reason: "ErrImagePull", message: "failed to pull image \"\(name)\": \(error)", retryWithBackOff: false)
        }
        return try? await cri.imageStatus(ImageStatusRequest(image: ImageSpec(image: name))).image
    }
}
