// Pod-level choices end to end: a sidecar init container (restartPolicy Always) runs beside
// the app; hostNetwork, hostPID, hostIPC and shareProcessNamespace reach the containers'
// namespaces; and the skiff-kubelet binary itself runs a manifest from its flags.
import CRIAPI
import Foundation
import KubeAPI
import Kubelet
import NodeTestSupport
import TestSupport
import XCTest

final class PodNamespacesTests: XCTestCase {
    let image = "127.0.0.1:5000/test/busybox:1"
    let idle = #"["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]"#

    func testASidecarStartsBeforeTheAppAndKeepsRunning() async throws {
        let k = try KubeletHarness(self)
        try k.write("sidecar.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: sidecar}
        spec:
          terminationGracePeriodSeconds: 1
          volumes: [{name: work, emptyDir: {}}]
          initContainers:
          - name: logger
            image: \(image)
            restartPolicy: Always
            command: ["sh", "-c", "echo logger >> /work/order; trap 'exit 0' TERM; while true; do sleep 1; done"]
            volumeMounts: [{name: work, mountPath: /work}]
          - name: setup
            image: \(image)
            command: ["sh", "-c", "echo setup >> /work/order"]
            volumeMounts: [{name: work, mountPath: /work}]
          containers:
          - name: app
            image: \(image)
            command: ["sh", "-c", "echo app >> /work/order; trap 'exit 0' TERM; while true; do sleep 1; done"]
            volumeMounts: [{name: work, mountPath: /work}]
        """)
        let pod = try await k.waitForPod("sidecar", "Running") { $0.phase == .running && $0.container("app")?.ready == true }
        XCTAssertEqual(pod.container("logger")?.state?.running != nil, true, "the sidecar keeps running")
        XCTAssertEqual(pod.container("setup")?.state?.terminated?.reason, "Completed")
        let orderFile = k.root + "/pods/\(pod.uid)/volumes/kubernetes.io~empty-dir/work/order"
        try await k.waitFor("the app's line after the init containers'") {
            ((try? String(contentsOfFile: orderFile, encoding: .utf8)) ?? "").hasSuffix("app\n")
        }
        XCTAssertEqual(try String(contentsOfFile: orderFile, encoding: .utf8), "logger\nsetup\napp\n")

        // A sidecar that dies is restarted, whatever the pod's restartPolicy.
        let logger = try k.containerID(pod, "logger")
        _ = try await k.cri.stopContainer(StopContainerRequest(containerId: logger, timeout: 1))
        let restarted = try await k.waitForPod("sidecar", "the sidecar restarted") { ($0.container("logger")?.restartCount ?? 0) == 1 && $0.container("logger")?.state?.running != nil }
        XCTAssertEqual(restarted.container("app")?.restartCount, 0)
    }

    func testHostNetworkHostPIDAndASharedProcessNamespace() async throws {
        let k = try KubeletHarness(self)
        try k.write("host.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: host}
        spec:
          hostNetwork: true
          hostPID: true
          terminationGracePeriodSeconds: 1
          containers:
          - name: app
            image: \(image)
            command: \(idle)
            ports: [{containerPort: 18080}]
        """)
        try k.write("shared.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: shared}
        spec:
          shareProcessNamespace: true
          terminationGracePeriodSeconds: 1
          containers:
          - {name: one, image: "\(image)", command: \(idle)}
          - {name: two, image: "\(image)", command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done # marker-two"]}
        """)
        let host = try await k.waitForPod("host", "Running") { $0.phase == .running }
        XCTAssertEqual(host.status?.podIP, host.status?.hostIP, "a host-network pod has the node's address")
        // The node's network here is the test namespace the daemon runs in: its lo and nothing else.
        let links = try await k.exec(host, "app", ["ip", "-o", "link"]).output
        let expected = try k.node.inNetns("ip", ["-o", "link"]).stdout
        XCTAssertEqual(links.split(separator: "\n").count, expected.split(separator: "\n").count, links)
        let pid1 = try await k.exec(host, "app", ["cat", "/proc/1/comm"]).output
        XCTAssertNotEqual(pid1, "sh\n", "hostPID: PID 1 is the node's init, not the container")

        let shared = try await k.waitForPod("shared", "Running") { $0.phase == .running }
        let processes = try await k.exec(shared, "one", ["ps", "-o", "args"]).output
        XCTAssertTrue(processes.contains("marker-two"), "shareProcessNamespace: one sees two's processes: \(processes)")
        XCTAssertTrue(processes.contains("/pause"), processes)
    }

    func testHostIPCSharesTheNodesIPCNamespaceAndAPodWithoutItHasItsOwn() async throws {
        let k = try KubeletHarness(self)
        try k.write("hostipc.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: hostipc}
        spec:
          hostIPC: true
          terminationGracePeriodSeconds: 1
          containers:
          - {name: app, image: "\(image)", command: \(idle)}
        """)
        try k.write("podipc.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: podipc}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - {name: one, image: "\(image)", command: \(idle)}
          - {name: two, image: "\(image)", command: \(idle)}
        """)
        // The node's IPC namespace: skiff-cri's (only its network namespace is the test's own;
        // /proc/1 may not be readable where the tests run in a container).
        let node = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(k.node.daemonPID)/ns/ipc")
        XCTAssertEqual(node, try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/ipc"))
        func ipcNamespace(_ pod: Pod, _ container: String) async throws -> String {
            let result = try await k.exec(pod, container, ["readlink", "/proc/self/ns/ipc"])
            XCTAssertEqual(result.exitCode, 0, result.output)
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        let host = try await k.waitForPod("hostipc", "Running") { $0.phase == .running }
        let hostApp = try await ipcNamespace(host, "app")
        XCTAssertEqual(hostApp, node, "hostIPC: the node's IPC namespace")
        // POSIX shared memory is files in /dev/shm: with hostIPC, the node's.
        let shared = "/dev/shm/skiff-test-\(UInt32.random(in: 0...UInt32.max))"
        try "from the node\n".write(toFile: shared, atomically: false, encoding: .utf8)
        defer { unlink(shared) }
        let seen = try await k.exec(host, "app", ["cat", shared])
        XCTAssertEqual(seen.output, "from the node\n", "hostIPC: the node's /dev/shm (exit \(seen.exitCode))")

        let own = try await k.waitForPod("podipc", "Running") { $0.phase == .running }
        let one = try await ipcNamespace(own, "one"), two = try await ipcNamespace(own, "two")
        XCTAssertTrue(one.hasPrefix("ipc:["), one)
        XCTAssertNotEqual(one, node, "without hostIPC: not the node's IPC namespace")
        XCTAssertEqual(one, two, "the pod's containers share the pod's IPC namespace")
        let unseen = try await k.exec(own, "one", ["cat", shared])
        XCTAssertNotEqual(unseen.exitCode, 0, "without hostIPC: the pod's own /dev/shm: \(unseen.output)")
        let marked = try await k.exec(own, "one", ["sh", "-c", "echo pod > /dev/shm/mark"])
        XCTAssertEqual(marked.exitCode, 0, marked.output)
        let mark = try await k.exec(own, "two", ["cat", "/dev/shm/mark"])
        XCTAssertEqual(mark.output, "pod\n", "the pod's containers share its /dev/shm")
    }

    func testTheSkiffKubeletBinaryRunsAManifestFromItsFlags() async throws {
        // Registered first, so it runs last: after the daemon fixture has removed the pod.
        let cgroupRoot = "/skiff-test-\(UInt32.random(in: 0...UInt32.max))"
        addTeardownBlock {
            _ = try? shell("for d in /sys/fs/cgroup/*\(cgroupRoot); do [ -d \"$d\" ] && find \"$d\" -depth -type d -exec rmdir {} \\; ; done; true")
        }
        let node = try DaemonFixture(self)
        let manifests = node.directory + "/manifests"
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        try """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        syncFrequency: 30s
        podLogsDir: \(node.directory)/pod-logs
        """.write(toFile: node.directory + "/kubelet.yaml", atomically: true, encoding: .utf8)
        try """
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bin"},
         "spec": {"terminationGracePeriodSeconds": 1,
                  "containers": [{"name": "app", "image": "\(image)", "command": ["sh", "-c", "echo from the binary; sleep 1000"]}]}}
        """.write(toFile: manifests + "/bin.json", atomically: true, encoding: .utf8)
        let kubelet = try Command.start(Binaries.built("skiff-kubelet"), [
            "--pod-manifest-path", manifests, "--container-runtime-endpoint", "unix://" + node.socket,
            "--root-dir", node.directory + "/kubelet", "--hostname-override", "BinNode", "--config", node.directory + "/kubelet.yaml",
            "--cgroup-root", cgroupRoot, "--port", "0",
        ], stderr: node.directory + "/kubelet.log")
        var running = true
        addTeardownBlock { if running { Command.stop(kubelet) } }
        let log = { (try? String(contentsOfFile: node.directory + "/kubelet.log", encoding: .utf8)) ?? "" }
        var found: PodSandbox?
        try await node.waitFor("the pod's sandbox (kubelet log: \(log()))", timeout: 30) {
            found = try await node.client.listPodSandbox().items.first { $0.metadata.name == "bin-binnode" }
            return found != nil
        }
        let uid = try XCTUnwrap(found?.metadata.uid)
        try await node.waitFor("the container's log line") {
            let text = (try? String(contentsOfFile: "\(node.directory)/pod-logs/default_bin-binnode_\(uid)/app/0.log", encoding: .utf8)) ?? ""
            return text.contains("from the binary")
        }
        XCTAssertTrue(log().contains("static pod manifest \(manifests)/bin.json: pod default/bin-binnode uid \(uid)"), log())

        // SIGTERM: the kubelet exits and leaves the pod running, as the kubelet does.
        kill(kubelet, SIGTERM)
        XCTAssertEqual(Command.wait(kubelet, timeout: 10), 0, log())
        running = false
        let sandboxes = try await node.client.listPodSandbox().items
        XCTAssertEqual(sandboxes.first { $0.metadata.uid == uid }?.state, .ready)
    }
}
