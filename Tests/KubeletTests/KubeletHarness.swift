// A Kubelet running in the test process against a real skiff-cri (DaemonFixture: daemon,
// registry and pods in a test network namespace), with its own static pod directory, root
// directory, log directory and cgroup root. When the test ends, the kubelet removes every
// pod it runs (volumes, cgroups, logs), then the daemon fixture removes the rest.
import CRIAPI
import CRIStreaming
import Foundation
import KubeAPI
import Kubelet
import NodeTestSupport
import PodNetwork
import TestSupport
import XCTest

final class KubeletHarness: @unchecked Sendable {
    let node: DaemonFixture
    let manifests: String
    let root: String
    let logs: String
    let cgroupRoot: String
    let recorder = LogRecorder(echo: ProcessInfo.processInfo.environment["SKIFF_TEST_VERBOSE"] != nil ? .standardError : nil)
    private(set) var kubelet: Kubelet
    private let settings: KubeletSettings
    private var task: Task<Void, Never>?
    /// The kubelet API, on a free loopback port.
    private(set) var server: KubeletServer?
    private var serving: Task<Void, Error>?
    static let nodeName = "testnode"

    init(_ test: XCTestCase, configure: (inout KubeletSettings) -> Void = { _ in }) throws {
        node = try DaemonFixture(test)
        manifests = node.directory + "/manifests"
        root = node.directory + "/kubelet"
        logs = node.directory + "/pod-logs"
        cgroupRoot = "/skiff-test-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        var settings = KubeletSettings(nodeName: Self.nodeName)
        settings.staticPodPath = manifests
        settings.runtimeEndpoint = "unix://" + node.socket
        settings.rootDirectory = root
        settings.podLogsDirectory = logs
        settings.cgroupRoot = cgroupRoot
        settings.fileCheckFrequency = .seconds(5)
        settings.syncFrequency = .seconds(10)
        settings.crashLoopBackOff = BackOffPolicy(initial: .seconds(1), maximum: .seconds(8))
        configure(&settings)
        self.settings = settings
        kubelet = try Kubelet(settings: settings, logger: recorder.logger)
        test.addTeardownBlock { [self] in tearDown() }
        let kubelet = kubelet
        task = Task { await kubelet.run() }
    }

    var cri: CRIClient { node.client }

    /// Starts the kubelet API on a free loopback port; its base URL. It reaches skiff-cri's
    /// streaming server (for exec, attach and port-forward) inside the test's namespace.
    @discardableResult
    func startServer() async throws -> String {
        let server = try await KubeletServer.bind(kubelet: kubelet, host: "127.0.0.1", port: 0, streamDialer: streamDialer)
        self.server = server
        serving = Task { try await server.run() }
        return "http://127.0.0.1:\(server.port)"
    }

    /// Stops the kubelet as its exit would (pods keep running); `whileStopped` runs before a
    /// new kubelet with the same settings starts.
    func restart(whileStopped: () throws -> Void = {}) async throws {
        task?.cancel()
        await task?.value
        try whileStopped()
        kubelet = try Kubelet(settings: settings, logger: recorder.logger)
        let kubelet = kubelet
        task = Task { await kubelet.run() }
    }
    var image: String { node.image }

    /// Connects to an address inside the test's network namespace, where skiff-cri runs.
    var streamDialer: StreamDialer {
        let netns = "/run/netns/" + node.netns
        return { host, port in
            let fd = try NetworkNamespace.socketInNamespace(path: netns, domain: AF_INET, type: Int32(SOCK_STREAM.rawValue))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { close(fd); throw TestFailure("not an IPv4 address: \(host)") }
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if rc != 0 { let e = errno; close(fd); throw TestFailure("connect \(host):\(port) in \(netns): \(String(cString: strerror(e)))") }
            return fd
        }
    }

    func write(_ file: String, _ manifest: String) throws {
        // Written beside, then renamed in: the way editors and config tools replace a file.
        let temporary = manifests + "/.\(file).tmp"
        try manifest.write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, manifests + "/" + file) == 0 else { throw TestFailure("rename \(file): \(errno)") }
    }

    func remove(_ file: String) throws {
        try FileManager.default.removeItem(atPath: manifests + "/" + file)
    }

    /// The static pod made from manifest name `name` ("web" → "web-testnode").
    func pod(_ name: String) -> Pod? {
        kubelet.statuses.pod(namespace: "default", name: "\(name)-\(Self.nodeName)")
    }

    /// Waits until the pod exists and `condition` holds; the pod then.
    @discardableResult
    func waitForPod(_ name: String, _ what: String, timeout: TimeInterval = 60,
                    _ condition: @escaping (Pod) -> Bool) async throws -> Pod {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let pod = pod(name), condition(pod) { return pod }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("timed out after \(Int(timeout)) s waiting for pod \(name): \(what)\nlast status: \(describe(pod(name)))\nkubelet log:\n\(recorder.messages.suffix(30).joined(separator: "\n"))")
    }

    func waitFor(_ what: String, timeout: TimeInterval = 30, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("timed out waiting for \(what)\nkubelet log:\n\(recorder.messages.suffix(30).joined(separator: "\n"))")
    }

    func describe(_ pod: Pod?) -> String {
        guard let pod else { return "(no pod)" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return (try? String(decoding: encoder.encode(pod.status), as: UTF8.self)) ?? "?"
    }

    /// The runtime ID of a pod's container.
    func containerID(_ pod: Pod, _ container: String) throws -> String {
        let statuses = (pod.status?.containerStatuses ?? []) + (pod.status?.initContainerStatuses ?? [])
        guard let id = statuses.first(where: { $0.name == container })?.containerID else {
            throw TestFailure("container \(container) has no ID yet: \(describe(pod))")
        }
        return String(id.dropFirst("skiff://".count))
    }

    /// Runs a command in a pod's container; its stdout (stderr appended when it fails).
    func exec(_ pod: Pod, _ container: String, _ command: [String]) async throws -> (output: String, exitCode: Int32) {
        let response = try await cri.execSync(ExecSyncRequest(containerId: try containerID(pod, container), cmd: command, timeout: 10))
        let out = String(decoding: response.stdout, as: UTF8.self)
        return (response.exitCode == 0 ? out : out + String(decoding: response.stderr, as: UTF8.self), response.exitCode)
    }

    /// Sandboxes in the runtime for a pod UID.
    func sandboxes(uid: String) async throws -> [PodSandbox] {
        try await cri.listPodSandbox().items.filter { $0.metadata.uid == uid }
    }

    /// The network namespace of the pod's sandbox, as skiff-cri reports it (verbose status).
    func networkNamespace(_ pod: Pod) async throws -> String {
        guard let sandbox = try await sandboxes(uid: pod.uid).first else { throw TestFailure("pod \(pod.name) has no sandbox") }
        let info = try await cri.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: sandbox.id, verbose: true)).info
        guard let text = info["info"], let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let record = object["record"] as? [String: Any], let netns = record["netnsPath"] as? String, !netns.isEmpty else {
            throw TestFailure("no netns in pod \(pod.name)'s sandbox status: \(info)")
        }
        return netns
    }

    func cgroupPath(_ controller: String, _ relative: String) -> String {
        "/sys/fs/cgroup/\(controller)\(cgroupRoot)/\(relative)"
    }

    private func tearDown() {
        let done = DispatchSemaphore(value: 0)
        let kubelet = kubelet
        let task = task
        let serving = serving
        Task {
            serving?.cancel()
            _ = await serving?.result
            await kubelet.removeAllPods()
            task?.cancel()
            await task?.value
            done.signal()
        }
        if done.wait(timeout: .now() + 90) == .timedOut { print("kubelet teardown timed out") }
        // The QoS cgroups the kubelet made under the test's cgroup root.
        _ = try? shell("for d in /sys/fs/cgroup/*\(cgroupRoot); do [ -d \"$d\" ] && find \"$d\" -depth -type d -exec rmdir {} \\; ; done; true")
    }
}

/// Small helpers for reading statuses in assertions.
extension Pod {
    func container(_ name: String) -> KubeAPI.ContainerStatus? {
        ((status?.containerStatuses ?? []) + (status?.initContainerStatuses ?? [])).first { $0.name == name }
    }

    var phase: PodPhase? { status?.phase }
}
