// What the CRI config says, seen from inside the container: user, capabilities, read-only root,
// seccomp, no_new_privs, DNS, sysctls, PID namespace sharing, host network; and resources.
import CRIAPI
import ContainerMonitor
import Foundation
import NodeTestSupport
import TestSupport
import XCTest

final class ContainerSettingsTests: XCTestCase {
    private var node: DaemonFixture!
    private var pod = ""

    private func start(_ configure: (inout PodSandboxConfig) -> Void = { _ in }) async throws {
        node = try DaemonFixture(self)
        try await node.pullImage()
        pod = try await node.runPod("settings", configure: configure)
    }

    /// Runs `script` in a new container of the pod and returns its exec output.
    private func run(_ name: String, _ script: String, configure: (inout ContainerConfig) -> Void = { _ in }) async throws -> (out: String, code: Int32) {
        let c = try await node.runContainer(pod, podName: "settings", name, ["sleep", "60"], configure: configure)
        let r = try await node.client.execSync(ExecSyncRequest(containerId: c, cmd: ["sh", "-c", script], timeout: 10))
        return (String(decoding: r.stdout + r.stderr, as: UTF8.self), r.exitCode)
    }

    func testUserCapabilitiesReadOnlyRootAndNoNewPrivs() async throws {
        try await start()
        let user = try await run("user", "id -u; id -g; id -G") {
            $0.linux.securityContext.runAsUser = Int64Value(1000)
            $0.linux.securityContext.runAsGroup = Int64Value(1000)
            $0.linux.securityContext.supplementalGroups = [4242]
        }
        XCTAssertEqual(user.out.split(separator: "\n").map(String.init), ["1000", "1000", "1000 4242"])

        let named = try await run("named", "id -un") { $0.linux.securityContext.runAsUsername = "skiff" }
        XCTAssertEqual(named.out, "skiff\n", "a name from the image's /etc/passwd")

        let dropped = try await run("caps", "grep CapEff /proc/self/status") {
            $0.linux.securityContext.capabilities.dropCapabilities = ["ALL"]
            $0.linux.securityContext.capabilities.addCapabilities = ["NET_ADMIN"]
        }
        XCTAssertEqual(dropped.out, "CapEff:\t0000000000001000\n", "only CAP_NET_ADMIN (bit 12)")

        let readonly = try await run("ro", "touch /x 2>&1; echo $?") {
            $0.linux.securityContext.readonlyRootfs = true
        }
        XCTAssertEqual(readonly.out, "touch: /x: Read-only file system\n1\n")

        let nnp = try await run("nnp", "grep NoNewPrivs /proc/self/status") { $0.linux.securityContext.noNewPrivs = true }
        XCTAssertEqual(nnp.out, "NoNewPrivs:\t1\n")
    }

    func testRuntimeDefaultSeccompRefusesNewNamespacesAndMounts() async throws {
        try await start()
        let confined = try await run("confined", "unshare -n true; echo unshare=$?; mount -t tmpfs t /mnt; echo mount=$?") {
            $0.linux.securityContext.seccomp = SecurityProfile.with { $0.profileType = .runtimeDefault }
            $0.linux.securityContext.capabilities.addCapabilities = ["SYS_ADMIN"]
        }
        XCTAssertTrue(confined.out.contains("unshare=1"), confined.out)
        XCTAssertTrue(confined.out.contains("mount=255") || confined.out.contains("mount=1"), confined.out)
        XCTAssertTrue(confined.out.contains("Operation not permitted"), confined.out)

        let unconfined = try await run("unconfined", "unshare -n true; echo unshare=$?") {
            $0.linux.securityContext.capabilities.addCapabilities = ["SYS_ADMIN"]
        }
        XCTAssertTrue(unconfined.out.contains("unshare=0"), unconfined.out)
    }

    func testDNSHostnameAndSysctls() async throws {
        try await start {
            $0.dnsConfig = DNSConfig.with { $0.servers = ["10.96.0.10"]; $0.searches = ["default.svc.cluster.local"]; $0.options = ["ndots:5"] }
            $0.linux.sysctls = ["net.ipv4.ip_unprivileged_port_start": "100"]
        }
        let r = try await run("dns", "cat /etc/resolv.conf; hostname; cat /proc/sys/net/ipv4/ip_unprivileged_port_start")
        XCTAssertEqual(r.out, "search default.svc.cluster.local\nnameserver 10.96.0.10\noptions ndots:5\nsettings\n100\n")
    }

    func testPodSharesItsPIDNamespaceAndPauseReapsOrphans() async throws {
        try await start()
        // An orphan's parent dies at once; in the shared namespace pause (PID 1) must reap it.
        let shared = try await run("shared", "(sleep 0.2 &); sleep 1; tr '\\0' ' ' < /proc/1/cmdline; echo; ps -o stat | grep -c Z")
        XCTAssertEqual(shared.out, "/pause \n0\n", "pause is PID 1 and no zombie is left")

        let own = try await run("own", "tr '\\0' ' ' < /proc/1/cmdline") { $0.linux.securityContext.namespaceOptions.pid = .container }
        XCTAssertEqual(own.out, "sleep 60 ", "its own PID namespace, its own PID 1")
    }

    func testHostNetworkPodSeesTheNodesInterfaces() async throws {
        try await start { $0.linux.securityContext.namespaceOptions.network = .node; $0.hostname = "" }
        let status = try await node.client.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: pod)).status
        XCTAssertNil(status.network, "no pod IP for a host-network pod")
        // The node here is the test's network namespace: it has lo and nothing of CNI's.
        let r = try await run("hostnet", "ls /sys/class/net")
        XCTAssertEqual(r.out, "lo\n", r.out)
    }

    func testResourcesUpdateStatsAndLogReopen() async throws {
        try await start()
        var config = node.containerConfig("res", ["sh", "-c", "i=0; while true; do echo line$i; i=$((i+1)); sleep 0.1; done"])
        config.linux.resources.memoryLimitInBytes = 64 << 20
        config.linux.resources.cpuShares = 512
        let c = try await node.client.createContainer(CreateContainerRequest(podSandboxId: pod, config: config, sandboxConfig: node.podConfig("settings"))).containerId
        _ = try await node.client.startContainer(StartContainerRequest(containerId: c))
        let memory = "/sys/fs/cgroup/memory/skiff/\(c)/memory.limit_in_bytes"
        XCTAssertEqual(try String(contentsOfFile: memory, encoding: .utf8), "\(64 << 20)\n")
        XCTAssertEqual(try String(contentsOfFile: "/sys/fs/cgroup/cpu/skiff/\(c)/cpu.shares", encoding: .utf8), "512\n")

        _ = try await node.client.updateContainerResources(UpdateContainerResourcesRequest(
            containerId: c, linux: LinuxContainerResources.with { $0.memoryLimitInBytes = 128 << 20 }))
        XCTAssertEqual(try String(contentsOfFile: memory, encoding: .utf8), "\(128 << 20)\n")

        _ = try await node.client.execSync(ExecSyncRequest(containerId: c, cmd: ["sh", "-c", "head -c 300000 /dev/zero > /big"]))
        let stats = try await node.client.containerStats(ContainerStatsRequest(containerId: c)).stats
        XCTAssertGreaterThan(stats.cpu?.usageCoreNanoSeconds?.value ?? 0, 0)
        XCTAssertGreaterThan(stats.memory?.workingSetBytes?.value ?? 0, 0)
        XCTAssertGreaterThanOrEqual(stats.writableLayer?.usedBytes?.value ?? 0, 300000)
        let all = try await node.client.listContainerStats(ListContainerStatsRequest()).stats
        XCTAssertEqual(all.map(\.attributes.id), [c])
        let podStats = try await node.client.podSandboxStats(PodSandboxStatsRequest(podSandboxId: pod)).stats
        XCTAssertEqual(podStats.linux?.containers.count, 1)

        // Log rotation: the kubelet renames the file and asks for a reopen.
        let log = try await node.client.containerStatus(ContainerStatusRequest(containerId: c)).status.logPath
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        _ = try await node.client.reopenContainerLog(ReopenContainerLogRequest(containerId: c))
        try node.waitFor("lines in the new log") {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("line")
        }
        XCTAssertTrue(try String(contentsOfFile: log + ".1", encoding: .utf8).contains("line0"))
    }

    func testEventsStreamCreatedStartedStoppedDeleted() async throws {
        try await start()
        let events = node.client.containerEvents(GetEventsRequest())
        let collected = Task { () -> [ContainerEventType] in
            var seen: [ContainerEventType] = []
            for try await e in events {
                seen.append(e.containerEventType)
                if e.containerEventType == .deleted { break }
            }
            return seen
        }
        try await Task.sleep(for: .milliseconds(200))   // subscribed before the container exists
        let c = try await node.runContainer(pod, podName: "settings", "ev", ["true"])
        try await node.waitFor("the exit") {
            try await node.client.containerStatus(ContainerStatusRequest(containerId: c)).status.state == .exited
        }
        _ = try await node.client.removeContainer(RemoveContainerRequest(containerId: c))
        let seen = try await collected.value
        XCTAssertEqual(seen, [.created, .started, .stopped, .deleted])
    }
}
