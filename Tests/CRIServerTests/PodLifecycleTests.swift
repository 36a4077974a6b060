// Pods and containers through the socket, with real pause containers, CNI and images.
import CRIAPI
import ContainerMonitor
import Foundation
import NodeTestSupport
import TestSupport
import XCTest

final class PodLifecycleTests: XCTestCase {
    func testContainerRunsLogsAndExitsInAPodWithAnIP() async throws {
        let node = try DaemonFixture(self)
        try await node.pullImage()
        let pod = try await node.runPod("web")
        let status = try await node.client.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: pod)).status
        XCTAssertEqual(status.state, .ready)
        let ip = try XCTUnwrap(status.network?.ip)
        XCTAssertTrue(ip.hasPrefix("10.88."), ip)

        let c = try await node.runContainer(pod, podName: "web", "app",
                                            ["sh", "-c", "echo out; echo err >&2; hostname; ip -4 addr show eth0; exit 3"])
        try await node.waitFor("the container to exit") {
            try await node.client.containerStatus(ContainerStatusRequest(containerId: c)).status.state == .exited
        }
        let cs = try await node.client.containerStatus(ContainerStatusRequest(containerId: c)).status
        XCTAssertEqual(cs.exitCode, 3)
        XCTAssertEqual(cs.reason, "Error")
        XCTAssertGreaterThan(cs.finishedAt, cs.startedAt - 1)
        XCTAssertEqual(cs.logPath, "\(node.logs)/default_web/app/0.log")
        let lines = try CRILogLine.parseAll(String(contentsOfFile: cs.logPath, encoding: .utf8))
        XCTAssertEqual(lines.filter { $0.stream == .stdout }.map(\.text).prefix(2), ["out", "web"])
        XCTAssertEqual(lines.filter { $0.stream == .stderr }.map(\.text), ["err"])
        XCTAssertTrue(lines.contains { $0.text.contains("inet \(ip)/") }, "the container is in the pod's network")

        // Stop and remove are idempotent; afterwards the pod's network namespace is gone.
        _ = try await node.client.stopPodSandbox(StopPodSandboxRequest(podSandboxId: pod))
        _ = try await node.client.stopPodSandbox(StopPodSandboxRequest(podSandboxId: pod))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(node.state)/netns/\(pod)"))
        _ = try await node.client.removePodSandbox(RemovePodSandboxRequest(podSandboxId: pod))
        _ = try await node.client.removePodSandbox(RemovePodSandboxRequest(podSandboxId: pod))
        let containerCount = try await node.client.listContainers(ListContainersRequest()).containers.count
        XCTAssertEqual(containerCount, 0)
        let podCount = try await node.client.listPodSandbox(ListPodSandboxRequest()).items.count
        XCTAssertEqual(podCount, 0)
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        XCTAssertFalse(mounts.contains(node.directory), "nothing of the pod stays mounted")
    }

    func testTwoPodsReachEachOtherByPodIP() async throws {
        let node = try DaemonFixture(self)
        try await node.pullImage()
        let a = try await node.runPod("a")
        let b = try await node.runPod("b")
        let ipA = try await node.client.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: a)).status.network!.ip
        _ = try await node.runContainer(a, podName: "a", "server", ["sh", "-c", "mkdir /www; echo hello-from-a > /www/index.html; httpd -f -p 8080 -h /www"])
        let client = try await node.runContainer(b, podName: "b", "client", ["sleep", "60"])
        try await node.waitFor("pod a's server") {
            let r = try await node.client.execSync(ExecSyncRequest(containerId: client, cmd: ["wget", "-q", "-O", "-", "http://\(ipA):8080/"], timeout: 5))
            return r.exitCode == 0 && String(decoding: r.stdout, as: UTF8.self) == "hello-from-a\n"
        }
    }

    func testHostPortReachesThePod() async throws {
        let node = try DaemonFixture(self)
        try await node.pullImage()
        let pod = try await node.runPod("hp") { $0.portMappings = [PortMapping(containerPort: 80, hostPort: 8081)] }
        _ = try await node.runContainer(pod, podName: "hp", "server", ["sh", "-c", "mkdir /www; echo via-host-port > /www/index.html; httpd -f -p 80 -h /www"])
        // The node's side of the bridge is the pod network's gateway.
        try node.waitFor("the host port") {
            let r = try node.inNetns("curl", ["-s", "-m", "2", "http://10.88.0.1:8081/"], timeout: 10)
            return r.status == 0 && r.stdout == "via-host-port\n"
        }
    }

    func testExecSyncOutputExitCodeAndTimeout() async throws {
        let node = try DaemonFixture(self)
        try await node.pullImage()
        let pod = try await node.runPod("ex")
        let c = try await node.runContainer(pod, podName: "ex", "c", ["sleep", "60"])
        let r = try await node.client.execSync(ExecSyncRequest(containerId: c, cmd: ["sh", "-c", "echo o; echo e >&2; exit 4"], timeout: 10))
        XCTAssertEqual(String(decoding: r.stdout, as: UTF8.self), "o\n")
        XCTAssertEqual(String(decoding: r.stderr, as: UTF8.self), "e\n")
        XCTAssertEqual(r.exitCode, 4)
        do {
            _ = try await node.client.execSync(ExecSyncRequest(containerId: c, cmd: ["sleep", "30"], timeout: 1))
            XCTFail("a command past its timeout must fail")
        } catch let e as CRIError {
            XCTAssertEqual(e.code, .deadlineExceeded, "\(e)")
        }
    }

    func testDaemonKilledUnderRunningPodsLosesNothing() async throws {
        let node = try DaemonFixture(self)
        try await node.pullImage()
        let pod = try await node.runPod("survivor")
        let c = try await node.runContainer(pod, podName: "survivor", "app", ["sh", "-c", "echo before; sleep 3; echo after; exit 7"])
        let long = try await node.runContainer(pod, podName: "survivor", "long", ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"])
        node.killDaemon()
        try await Task.sleep(for: .seconds(4))   // the container exits while no daemon runs
        try node.startDaemon()

        let pods = try await node.client.listPodSandbox(ListPodSandboxRequest()).items
        XCTAssertEqual(pods.map(\.id), [pod])
        XCTAssertEqual(pods.first?.state, .ready)
        let exited = try await node.client.containerStatus(ContainerStatusRequest(containerId: c)).status
        XCTAssertEqual(exited.state, .exited)
        XCTAssertEqual(exited.exitCode, 7)
        let log = try CRILogLine.parseAll(String(contentsOfFile: exited.logPath, encoding: .utf8)).map(\.text)
        XCTAssertEqual(log, ["before", "after"])
        let longState = try await node.client.containerStatus(ContainerStatusRequest(containerId: long)).status.state
        XCTAssertEqual(longState, .running)

        // And it can still stop and remove what it found.
        _ = try await node.client.stopContainer(StopContainerRequest(containerId: long, timeout: 1))
        let stopped = try await node.client.containerStatus(ContainerStatusRequest(containerId: long)).status
        XCTAssertEqual(stopped.state, .exited)
        XCTAssertEqual(stopped.exitCode, 137, "it ignores TERM: KILL after the grace period")
        _ = try await node.client.removePodSandbox(RemovePodSandboxRequest(podSandboxId: pod))
        let containerCount = try await node.client.listContainers(ListContainersRequest()).containers.count
        XCTAssertEqual(containerCount, 0)
    }

    func testBadRequestsNameWhatIsWrongAndLeaveNothing() async throws {
        let node = try DaemonFixture(self)
        try await node.pullImage()
        do {
            _ = try await node.client.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: "nope"))
            XCTFail("unknown pod")
        } catch let e as CRIError {
            XCTAssertEqual(e.code, .notFound)
            XCTAssertTrue(e.message.contains("nope"), e.message)
        }
        do {
            _ = try await node.client.runPodSandbox(RunPodSandboxRequest(config: PodSandboxConfig()))
            XCTFail("pod without metadata")
        } catch let e as CRIError {
            XCTAssertEqual(e.code, .invalidArgument)
            XCTAssertTrue(e.message.contains("name"), e.message)
        }
        let pod = try await node.runPod("bad")
        do {
            var config = node.containerConfig("c", ["true"])
            config.image.image = "127.0.0.1:5000/test/missing:1"
            _ = try await node.client.createContainer(CreateContainerRequest(podSandboxId: pod, config: config, sandboxConfig: node.podConfig("bad")))
            XCTFail("an image that is not there")
        } catch let e as CRIError {
            XCTAssertEqual(e.code, .notFound)
            XCTAssertTrue(e.message.contains("missing"), e.message)
        }
        do {
            var config = node.containerConfig("c", ["/no/such/program"])
            config.linux.securityContext.capabilities.addCapabilities = ["NOT_A_CAP"]
            _ = try await node.client.createContainer(CreateContainerRequest(podSandboxId: pod, config: config, sandboxConfig: node.podConfig("bad")))
            XCTFail("an unknown capability")
        } catch let e as CRIError {
            XCTAssertEqual(e.code, .invalidArgument)
            XCTAssertTrue(e.message.contains("NOT_A_CAP"), e.message)
        }
        let containerCount = try await node.client.listContainers(ListContainersRequest()).containers.count
        XCTAssertEqual(containerCount, 0)
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: node.state + "/bundles")) ?? [], [],
                       "no bundle left by the failed creates")
    }

    func testRuncIsSelectableAsARuntimeHandler() async throws {
        guard let runc = Command.find("runc") else { throw XCTSkip("runc is not installed (hack/deps)") }
        let node = try DaemonFixture(self, extraFlags: ["--runtime-handler", "runc=\(runc)"])
        try await node.pullImage()
        let pod = try await node.client.runPodSandbox(RunPodSandboxRequest(config: node.podConfig("withrunc"), runtimeHandler: "runc")).podSandboxId
        let c = try await node.runContainer(pod, podName: "withrunc", "app", ["sleep", "60"])
        let r = try await node.client.execSync(ExecSyncRequest(containerId: c, cmd: ["hostname"], timeout: 10))
        XCTAssertEqual(String(decoding: r.stdout, as: UTF8.self), "withrunc\n")
        let handler = try await node.client.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: pod)).status.runtimeHandler
        XCTAssertEqual(handler, "runc")
        // runc's own state directory holds both: the pause container and the app.
        let listed = try Command.run(runc, ["--root", "\(node.state)/runtime/runc", "list", "-q"])
        XCTAssertEqual(Set(listed.stdout.split(separator: "\n").map(String.init)), [pod, c])
        do {
            _ = try await node.client.runPodSandbox(RunPodSandboxRequest(config: node.podConfig("other"), runtimeHandler: "kata"))
            XCTFail("an unknown handler")
        } catch let e as CRIError {
            XCTAssertEqual(e.code, .notFound)
            XCTAssertTrue(e.message.contains("kata"), e.message)
        }
    }

    func testAPodWhosePauseDiesIsNotReady() async throws {
        let node = try DaemonFixture(self, pushImage: false)
        let pod = try await node.runPod("fragile")
        let info = try await node.client.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: pod, verbose: true)).info["info"] ?? ""
        let record = try JSONSerialization.jsonObject(with: Data(info.utf8)) as? [String: Any]
        let pid = try XCTUnwrap((record?["record"] as? [String: Any])?["pid"] as? Int)
        XCTAssertEqual(kill(pid_t(pid), SIGKILL), 0)
        try await node.waitFor("the pod to be NOTREADY") {
            try await node.client.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: pod)).status.state == .notReady
        }
        _ = try await node.client.removePodSandbox(RemovePodSandboxRequest(podSandboxId: pod))
    }
}
