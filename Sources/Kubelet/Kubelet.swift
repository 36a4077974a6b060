// The node agent: static pod manifests in, pods through CRI out. A few loops with one job
// each, as in the kubelet: the manifest source, a worker per pod, the PLEG (relist and the
// runtime's events), the probe workers, and housekeeping (periodic resync, pods left behind by
// an earlier run). The HTTP API (KubeletServer) reads it.
import CRIAPI
import Foundation
import KubeAPI
import Synchronization

public final class Kubelet: Sendable {
    public let settings: KubeletSettings
    /// The pods and their statuses (what /pods will serve).
    public let statuses: PodStatusStore
    /// Counters for /metrics.
    public let metrics = KubeletMetrics()
    let cri: CRIClient
    /// When this kubelet started (the node's startTime in /stats/summary).
    let startTime = Date()
    private let workers: PodWorkers
    private let sync: PodSync
    private let source: StaticPodSource?
    private let logger: KubeletLogger
    private let sourceReady = Atomic<Bool>(false)

    public init(settings: KubeletSettings, logger: KubeletLogger = .standardError) throws {
        self.settings = settings
        self.logger = logger
        cri = try CRIClient(endpoint: settings.runtimeEndpoint, timeout: settings.runtimeRequestTimeout)
        statuses = PodStatusStore(logsDirectory: settings.podLogsDirectory)
        let node = NodeResources.current
        let hostIP = settings.nodeIP ?? NodeInfo.primaryIPv4()
        let seccompRoot = settings.rootDirectory + "/seccomp"
        let actions = ContainerActions(cri: cri, networks: SandboxNetworks(cri: cri))
        let probes = ProbeManager(actions: actions, metrics: metrics, logger: logger)
        sync = PodSync(
            cri: cri, settings: settings,
            volumes: PodVolumes(rootDirectory: settings.rootDirectory, node: node, logger: logger),
            cgroups: PodCgroups(root: settings.cgroupRoot, perQOS: settings.cgroupsPerQOS, logger: logger),
            dns: PodDNS(clusterDNS: settings.clusterDNS, clusterDomain: settings.clusterDomain, resolvConf: settings.resolvConf),
            sandboxBuilder: SandboxConfigBuilder(podLogsDirectory: settings.podLogsDirectory, seccompRoot: seccompRoot,
                                                 seccompDefault: settings.seccompDefault),
            containerBuilder: ContainerConfigBuilder(seccompRoot: seccompRoot, seccompDefault: settings.seccompDefault,
                                                     memoryCapacity: node.memoryBytes, canLowerOOMScore: NodeInfo.canLowerOOMScore()),
            statuses: statuses, logger: logger, hostIPs: [hostIP], node: node,
            probes: probes, hooks: LifecycleHooks(actions: actions, logger: logger), metrics: metrics)
        workers = PodWorkers(sync: sync)
        probes.onChange { [workers] uid in await workers.wake([uid]) }
        source = settings.staticPodPath.map {
            StaticPodSource(directory: $0, nodeName: settings.nodeName, resyncPeriod: settings.fileCheckFrequency, logger: logger)
        }
    }

    /// Where pods' volumes live (for /stats/summary).
    var volumes: PodVolumes { sync.volumes }

    /// Manifest files that could not be used, and why.
    public var manifestErrors: [ManifestError] { source?.errors ?? [] }

    /// Runs until the task is cancelled; pods keep running after it returns (as when the
    /// kubelet exits), and a kubelet started again finds them by their labels.
    public func run() async {
        logger.info("skiff-kubelet on node \(settings.nodeName): runtime \(settings.runtimeEndpoint), static pods from \(settings.staticPodPath ?? "(none)"), root \(settings.rootDirectory)")
        await waitForRuntime()
        let pleg = PodLifecycleEvents(cri: cri, period: settings.relistPeriod, logger: logger) { [workers] uids in
            await workers.wake(uids)
        }
        await withDiscardingTaskGroup { group in
            if let source {
                group.addTask { [self] in
                    await source.run { snapshot in
                        await self.workers.update(desired: snapshot.pods)
                        self.sourceReady.store(true, ordering: .releasing)
                    }
                }
            } else {
                sourceReady.store(true, ordering: .releasing)
            }
            group.addTask { await pleg.relist() }
            group.addTask { await pleg.followEvents() }
            group.addTask { [self] in await housekeeping() }
        }
        await workers.abandonAll()
    }

    /// Stops and removes every pod this kubelet runs (tests, and draining a node).
    public func removeAllPods() async {
        await workers.terminateAll(reason: "the kubelet is removing all pods")
    }

    private func waitForRuntime() async {
        var logged = false
        while !Task.isCancelled {
            do {
                let version = try await cri.version()
                logger.info("container runtime \(version.runtimeName) \(version.runtimeVersion) is ready")
                return
            } catch {
                if !logged { logger.warning("waiting for the container runtime at \(settings.runtimeEndpoint): \(error)") }
                logged = true
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Periodic resync of every pod, and removal of pods nothing asks for any more.
    private func housekeeping() async {
        var sinceResync: Duration = .zero
        let tick: Duration = .seconds(2)
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            sinceResync += tick
            if sinceResync >= settings.syncFrequency {
                sinceResync = .zero
                await workers.wakeAll()
            }
            if sourceReady.load(ordering: .acquiring) { await removeOrphans() }
        }
    }

    /// Static pods in the runtime (or on disk) that no manifest defines: left by an earlier run
    /// whose manifest went away meanwhile.
    private func removeOrphans() async {
        let known = await workers.knownUIDs()
        guard let sandboxes = try? await cri.listPodSandbox().items else { return }
        var orphans: [String: PodSandbox] = [:]
        for sandbox in sandboxes where sandbox.annotations[StaticPod.configSourceAnnotation] == "file" {
            guard let uid = sandbox.labels[RuntimeLabels.podUID], !known.contains(uid) else { continue }
            orphans[uid] = sandbox
        }
        for (uid, sandbox) in orphans {
            var pod = Pod(metadata: ObjectMeta(name: sandbox.metadata.name, namespace: sandbox.metadata.namespace))
            pod.metadata.uid = uid
            pod.spec.terminationGracePeriodSeconds = 2
            await sync.terminate(pod, reason: "no manifest defines it any more")
        }
        let podsDirectory = settings.rootDirectory + "/pods"
        let inRuntime = Set(sandboxes.compactMap { $0.labels[RuntimeLabels.podUID] })
        let stillKnown = await workers.knownUIDs()
        for uid in (try? FileManager.default.contentsOfDirectory(atPath: podsDirectory)) ?? []
        where !known.contains(uid) && !inRuntime.contains(uid) && !stillKnown.contains(uid) {
            sync.volumes.tearDown(uid: uid)
            sync.cgroups.remove(uid: uid)
        }
    }
}
