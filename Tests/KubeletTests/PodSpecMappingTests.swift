// How the kubelet maps a pod spec for the runtime: $(VAR) expansion, environment with the
// downward API, QoS classes, CPU and memory settings, DNS, /etc/hosts, back-off.
import CRIAPI
import Foundation
import KubeAPI
@testable import Kubelet
import XCTest

final class PodSpecMappingTests: XCTestCase {
    func testEnvExpansionAsKubernetesDefinesIt() {
        let vars = ["A": "1", "B": "two"]
        func expand(_ s: String) -> String { EnvExpansion.expand(s) { vars[$0] } }
        XCTAssertEqual(expand("$(A)-$(B)"), "1-two")
        XCTAssertEqual(expand("$(MISSING)"), "$(MISSING)")
        XCTAssertEqual(expand("$$(A)"), "$(A)")
        XCTAssertEqual(expand("$$$(A)"), "$1")
        XCTAssertEqual(expand("cost: $5"), "cost: $5")
        XCTAssertEqual(expand("$(A"), "$(A")
        XCTAssertEqual(expand("end$"), "end$")
        XCTAssertEqual(expand("$()"), "$()")
    }

    func testEnvironmentResolvesValuesFieldsResourcesAndNodeFiles() throws {
        let root = NSTemporaryDirectory() + "kubelet-env-\(UUID().uuidString)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/configmaps/prod/settings", withIntermediateDirectories: true)
        try "blue".write(toFile: root + "/configmaps/prod/settings/COLOR", atomically: true, encoding: .utf8)
        try "x".write(toFile: root + "/configmaps/prod/settings/bad key", atomically: true, encoding: .utf8)

        var pod = Pod(metadata: ObjectMeta(name: "web-node1", namespace: "prod"))
        pod.metadata.uid = "uid-1"
        pod.metadata.labels = ["app": "web"]
        pod.spec.nodeName = "node1"
        var container = KubeAPI.Container(name: "app", image: "busybox")
        container.resources = ResourceRequirements(limits: ["memory": "64Mi"], requests: ["cpu": "250m"])
        var fromConfig = EnvFromSource()
        fromConfig.configMapRef = ConfigMapEnvSource(name: "settings")
        fromConfig.prefix = "CFG_"
        container.envFrom = [fromConfig]
        func field(_ path: String) -> EnvVarSource { var s = EnvVarSource(); s.fieldRef = ObjectFieldSelector(fieldPath: path); return s }
        func resource(_ r: String, _ divisor: Quantity? = nil) -> EnvVarSource {
            var s = EnvVarSource(); s.resourceFieldRef = ResourceFieldSelector(resource: r, divisor: divisor); return s
        }
        container.env = [
            EnvVar(name: "GREETING", value: "hello"),
            EnvVar(name: "MESSAGE", value: "$(GREETING) from $(POD_NAME) $(LATER)"),
            EnvVar(name: "POD_NAME", valueFrom: field("metadata.name")),
            EnvVar(name: "POD_IP", valueFrom: field("status.podIP")),
            EnvVar(name: "NODE", valueFrom: field("spec.nodeName")),
            EnvVar(name: "APP", valueFrom: field("metadata.labels['app']")),
            EnvVar(name: "MEM_MI", valueFrom: resource("limits.memory", "1Mi")),
            EnvVar(name: "CPU_M", valueFrom: resource("requests.cpu", "1m")),
            EnvVar(name: "CPU_LIMIT", valueFrom: resource("limits.cpu")),
            EnvVar(name: "LATER", value: "late"),
        ]
        pod.spec.containers = [container]
        let env = ContainerEnvironment(pod: pod, podIPs: ["10.88.0.9"], hostIPs: ["192.0.2.1"],
                                       objects: NodeObjects(rootDirectory: root), node: NodeResources(cpuCores: 4, memoryBytes: 1 << 33))
        let values = Dictionary(try env.make(for: container).map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        XCTAssertEqual(values["CFG_COLOR"], "blue")
        XCTAssertNil(values["CFG_bad key"])
        XCTAssertEqual(values["MESSAGE"], "hello from $(POD_NAME) $(LATER)")   // only what came before
        XCTAssertEqual(values["POD_NAME"], "web-node1")
        XCTAssertEqual(values["POD_IP"], "10.88.0.9")
        XCTAssertEqual(values["NODE"], "node1")
        XCTAssertEqual(values["APP"], "web")
        XCTAssertEqual(values["MEM_MI"], "64")
        XCTAssertEqual(values["CPU_M"], "250")
        XCTAssertEqual(values["CPU_LIMIT"], "4")   // no limit: the node's cores

        var missing = container
        var secretRef = EnvVarSource()
        secretRef.secretKeyRef = SecretKeySelector(name: "db", key: "password")
        missing.env = [EnvVar(name: "PASSWORD", valueFrom: secretRef)]
        XCTAssertThrowsError(try env.make(for: missing)) { error in
            XCTAssertTrue("\(error)".contains("secret \"db\" not found in namespace prod") && "\(error)".contains(root + "/secrets/prod/db"), "\(error)")
        }
    }

    func testQualityOfServiceClasses() {
        func pod(_ resources: [ResourceRequirements?]) -> Pod {
            var p = Pod()
            p.spec.containers = resources.enumerated().map { i, r in var c = KubeAPI.Container(name: "c\(i)"); c.resources = r; return c }
            StaticPod.applyDefaults(&p)
            return p
        }
        XCTAssertEqual(QualityOfService.of(pod([nil])), .bestEffort)
        XCTAssertEqual(QualityOfService.of(pod([ResourceRequirements(limits: ["cpu": "1", "memory": "1Gi"])])), .guaranteed)
        XCTAssertEqual(QualityOfService.of(pod([ResourceRequirements(limits: ["cpu": "1", "memory": "1Gi"]), nil])), .burstable)
        XCTAssertEqual(QualityOfService.of(pod([ResourceRequirements(requests: ["memory": "10Mi"])])), .burstable)
        XCTAssertEqual(QualityOfService.of(pod([ResourceRequirements(limits: ["cpu": "1", "memory": "1Gi"], requests: ["cpu": "500m"])])), .burstable)
    }

    func testCPUAndMemorySettings() {
        var c = KubeAPI.Container(name: "c")
        c.resources = ResourceRequirements(limits: ["cpu": "500m", "memory": "64Mi"], requests: ["cpu": "250m"])
        let r = ContainerResources.linux(c, qos: .burstable, memoryCapacity: 1 << 30, canLowerOOMScore: false)
        XCTAssertEqual(r.cpuShares, 256)
        XCTAssertEqual(r.cpuQuota, 50_000)
        XCTAssertEqual(r.cpuPeriod, 100_000)
        XCTAssertEqual(r.memoryLimitInBytes, 64 << 20)
        XCTAssertEqual(r.oomScoreAdj, 999)
        XCTAssertEqual(ContainerResources.shares(milliCPU: 0), 2)
        XCTAssertEqual(ContainerResources.quota(milliCPU: 1), 1000)
        let guaranteed = ContainerResources.linux(c, qos: .guaranteed, memoryCapacity: 1 << 30, canLowerOOMScore: false)
        XCTAssertEqual(guaranteed.oomScoreAdj, 0, "without CAP_SYS_RESOURCE the score is not lowered")
        XCTAssertEqual(ContainerResources.linux(c, qos: .guaranteed, memoryCapacity: 1 << 30, canLowerOOMScore: true).oomScoreAdj, -997)
    }

    func testPodCgroupNamesFollowTheKubeletCgroupfsDriver() {
        let cgroups = PodCgroups(root: "/", perQOS: true, logger: KubeletLogger { _, _ in })
        XCTAssertEqual(cgroups.podCgroup(uid: "u1", qos: .guaranteed), "/kubepods/podu1")
        XCTAssertEqual(cgroups.podCgroup(uid: "u1", qos: .burstable), "/kubepods/burstable/podu1")
        XCTAssertEqual(cgroups.podCgroup(uid: "u1", qos: .bestEffort), "/kubepods/besteffort/podu1")
        XCTAssertEqual(PodCgroups(root: "/test", perQOS: true, logger: KubeletLogger { _, _ in }).podCgroup(uid: "u", qos: .burstable),
                       "/test/kubepods/burstable/podu")
    }

    func testDNSPolicies() throws {
        let resolv = NSTemporaryDirectory() + "resolv-\(UUID().uuidString)"
        try "nameserver 192.0.2.53\nsearch example.org\noptions edns0\n".write(toFile: resolv, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: resolv) }
        var pod = Pod(metadata: ObjectMeta(name: "p", namespace: "ns"))
        let noCluster = PodDNS(clusterDNS: [], clusterDomain: "cluster.local", resolvConf: resolv)
        let decision = noCluster.config(for: pod)
        XCTAssertEqual(decision.config.servers, ["192.0.2.53"])
        XCTAssertNotNil(decision.note, "ClusterFirst without cluster DNS says it acts as Default")
        let cluster = PodDNS(clusterDNS: ["10.96.0.10"], clusterDomain: "cluster.local", resolvConf: resolv).config(for: pod).config
        XCTAssertEqual(cluster.servers, ["10.96.0.10"])
        XCTAssertEqual(cluster.searches, ["ns.svc.cluster.local", "svc.cluster.local", "cluster.local", "example.org"])
        XCTAssertEqual(cluster.options, ["ndots:5"])
        pod.spec.dnsPolicy = DNSPolicy.none
        var extra = PodDNSConfig()
        extra.nameservers = ["1.1.1.1"]
        extra.options = [PodDNSConfigOption(name: "ndots", value: "2")]
        pod.spec.dnsConfig = extra
        let custom = noCluster.config(for: pod).config
        XCTAssertEqual(custom.servers, ["1.1.1.1"])
        XCTAssertEqual(custom.options, ["ndots:2"])
    }

    func testHostsFileHasThePodAndItsAliases() {
        var pod = Pod(metadata: ObjectMeta(name: "web-node1"))
        pod.spec.hostAliases = [HostAlias(ip: "192.0.2.7", hostnames: ["db", "db.local"])]
        let text = PodHostsFile.content(for: pod, podIPs: ["10.88.0.4"], hostname: "web-node1")
        XCTAssertTrue(text.contains("127.0.0.1\tlocalhost\n"))
        XCTAssertTrue(text.contains("10.88.0.4\tweb-node1\n"))
        XCTAssertTrue(text.contains("192.0.2.7\tdb\tdb.local\n"))
    }

    func testCrashLoopBackOffIsTenSecondsDoublingToFiveMinutesResetAfterTenMinutesRunning() {
        // The kubelet's policy, on an injected clock: each failure's time is given, as the pod
        // worker gives the container's finishedAt.
        let policy = BackOffPolicy.crashLoop
        XCTAssertEqual([policy.initial, policy.maximum, policy.resetAfter], [.seconds(10), .seconds(300), .seconds(600)])
        var backOff = BackOff(policy: policy)
        var now = Date(timeIntervalSince1970: 1_000_000)
        XCTAssertNil(backOff.remaining("app", failedAt: now, now: now), "the first crash restarts at once")
        var delays: [Int64] = []
        for _ in 0..<8 {
            backOff.next("app", failedAt: now)
            let delay = backOff.delay("app")!
            delays.append(delay.components.seconds)
            // Held back until the delay has passed since the failure, not a moment less.
            XCTAssertNotNil(backOff.remaining("app", failedAt: now, now: now.addingTimeInterval(delay.seconds - 0.5)))
            XCTAssertNil(backOff.remaining("app", failedAt: now, now: now.addingTimeInterval(delay.seconds)))
            now = now.addingTimeInterval(delay.seconds + 5)   // restarted, then crashed 5 s later
        }
        XCTAssertEqual(delays, [10, 20, 40, 80, 160, 300, 300, 300])

        // Restarted after 5 minutes, ran 9 minutes, crashed: still backing off at the maximum.
        var started = now.addingTimeInterval(300)
        now = started.addingTimeInterval(9 * 60)
        backOff.next("app", failedAt: now, ranSince: started)
        XCTAssertEqual(backOff.delay("app"), .seconds(300))
        // Ran 10 minutes before crashing: forgotten, back to 10 s, then doubling again.
        started = now.addingTimeInterval(300)
        now = started.addingTimeInterval(10 * 60)
        backOff.next("app", failedAt: now, ranSince: started)
        XCTAssertEqual(backOff.delay("app"), .seconds(10))
        backOff.next("app", failedAt: now.addingTimeInterval(15), ranSince: now.addingTimeInterval(10))
        XCTAssertEqual(backOff.delay("app"), .seconds(20))
        XCTAssertNil(backOff.remaining("other", failedAt: now, now: now), "each container has its own")
    }

    func testBackOffDoublesUpToTheMaximumAndResets() {
        var backOff = BackOff(policy: BackOffPolicy(initial: .seconds(10), maximum: .seconds(40)))
        let t0 = Date(timeIntervalSince1970: 1000)
        XCTAssertNil(backOff.remaining("c", failedAt: t0, now: t0), "the first failure restarts at once")
        backOff.next("c", failedAt: t0)
        XCTAssertEqual(backOff.delay("c"), .seconds(10))
        XCTAssertNotNil(backOff.remaining("c", failedAt: t0, now: t0.addingTimeInterval(5)))
        XCTAssertNil(backOff.remaining("c", failedAt: t0, now: t0.addingTimeInterval(10.1)))
        for (i, expected) in [20, 40, 40].enumerated() {
            backOff.next("c", failedAt: t0.addingTimeInterval(Double(20 * (i + 1))))
            XCTAssertEqual(backOff.delay("c"), .seconds(expected))
        }
        // Quiet for longer than twice the maximum: back to the initial delay.
        backOff.next("c", failedAt: t0.addingTimeInterval(60 + 81))
        XCTAssertEqual(backOff.delay("c"), .seconds(10))
    }
}

final class SandboxAndVolumeTests: XCTestCase {
    func testSandboxConfigCarriesPortsLabelsNamespacesAndLogDirectory() throws {
        var pod = Pod(metadata: ObjectMeta(name: "web-node1", namespace: "prod"))
        pod.metadata.uid = "u1"
        pod.metadata.labels = ["app": "web"]
        var container = KubeAPI.Container(name: "app", image: "busybox")
        var port = ContainerPort(containerPort: 80, hostPort: 8080)
        port.protocol = .udp
        container.ports = [port, ContainerPort(containerPort: 9090)]
        pod.spec.containers = [container]
        pod.spec.hostIPC = true
        pod.spec.shareProcessNamespace = true
        var security = PodSecurityContext()
        security.runAsUser = 1000
        security.fsGroup = 2000
        security.sysctls = [Sysctl(name: "net.ipv4.ip_unprivileged_port_start", value: "0")]
        pod.spec.securityContext = security
        let config = SandboxConfigBuilder(podLogsDirectory: "/var/log/pods", seccompRoot: "/s", seccompDefault: false)
            .make(pod, attempt: 2, cgroupParent: "/kubepods/besteffort/podu1", dns: DNSConfig())
        XCTAssertEqual(config.metadata.attempt, 2)
        XCTAssertEqual(config.hostname, "web-node1")
        XCTAssertEqual(config.logDirectory, "/var/log/pods/prod_web-node1_u1")
        XCTAssertEqual(config.portMappings.map { "\($0.protocol) \($0.containerPort)->\($0.hostPort)" }, ["UDP 80->8080"])
        XCTAssertEqual(config.labels["app"], "web")
        XCTAssertEqual(config.labels["io.kubernetes.pod.uid"], "u1")
        XCTAssertEqual(config.linux.cgroupParent, "/kubepods/besteffort/podu1")
        XCTAssertEqual(config.linux.sysctls["net.ipv4.ip_unprivileged_port_start"], "0")
        let options = config.linux.securityContext.namespaceOptions
        XCTAssertEqual([options.network, options.pid, options.ipc], [.pod, .pod, .node])
        XCTAssertEqual(config.linux.securityContext.runAsUser?.value, 1000)
        XCTAssertEqual(config.linux.securityContext.supplementalGroups, [2000])
        XCTAssertEqual(config.linux.securityContext.seccomp?.profileType, .unconfined)
    }

    func testHostPathTypesCreateOrCheck() throws {
        let dir = NSTemporaryDirectory() + "hostpath-\(UUID().uuidString)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        try HostPathCheck.prepare(dir + "/made", type: .directoryOrCreate)
        try HostPathCheck.prepare(dir + "/made", type: .directory)
        try HostPathCheck.prepare(dir + "/sub/file", type: .fileOrCreate)
        try HostPathCheck.prepare(dir + "/sub/file", type: .file)
        try HostPathCheck.prepare("/dev/null", type: .charDevice)
        try HostPathCheck.prepare(dir + "/anything", type: .unset)
        for (path, type, message) in [(dir + "/sub/file", HostPathType.directory, "is not a directory"),
                                      (dir + "/made", .file, "is not a file"), (dir + "/none", .directory, "does not exist"),
                                      ("/dev/null", .blockDevice, "is not a block device"), (dir + "/made", .socket, "is not a socket")] {
            XCTAssertThrowsError(try HostPathCheck.prepare(path, type: type)) { error in
                XCTAssertTrue("\(error)".contains(path) && "\(error)".contains(message), "\(error)")
            }
        }
    }

    func testAtomicWriterSwapsContentAndRemovesWhatWent() throws {
        let dir = NSTemporaryDirectory() + "atomic-\(UUID().uuidString)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let writer = AtomicWriter(directory: dir)
        try writer.write(["a": .init(content: Data("1".utf8), mode: 0o644), "sub/b": .init(content: Data("2".utf8), mode: 0o600)])
        XCTAssertEqual(try String(contentsOfFile: dir + "/a", encoding: .utf8), "1")
        XCTAssertEqual(try String(contentsOfFile: dir + "/sub/b", encoding: .utf8), "2")
        let first = try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/..data")
        try writer.write(["a": .init(content: Data("1".utf8), mode: 0o644), "sub/b": .init(content: Data("2".utf8), mode: 0o600)])
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/..data"), first, "same content: untouched")
        try writer.write(["a": .init(content: Data("3".utf8), mode: 0o644)])
        XCTAssertEqual(try String(contentsOfFile: dir + "/a", encoding: .utf8), "3")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/sub"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("..") && $0 != "..data" }.count, 1)
    }
}
