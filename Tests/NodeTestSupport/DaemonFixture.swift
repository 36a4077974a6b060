// A real skiff-cri for a test: its own network namespace (the daemon, its pods' bridge and
// iptables rules, and a registry all live there), its own root, state and CNI config under a
// scratch directory, the busybox test image in a docker-registry on the namespace's loopback.
// Everything is removed when the test ends: pods, daemon, registry, namespace, files.
import CRIAPI
import Foundation
import TestSupport
import XCTest

public final class DaemonFixture {
    public let netns: String
    public let directory: String
    public var root: String { directory + "/root" }
    public var state: String { directory + "/state" }
    public var socket: String { state + "/cri.sock" }
    public var logs: String { directory + "/logs" }
    public let registry = "127.0.0.1:5000"
    public var image: String { "\(registry)/test/busybox:1" }
    public private(set) var daemonPID: pid_t = 0
    private var registryPID: pid_t = 0
    public var extraFlags: [String] = []

    public var client: CRIClient { CRIClient(socketPath: socket, timeout: .seconds(60)) }

    /// Starts the namespace, registry (with the image pushed) and daemon.
    public init(_ test: XCTestCase, pushImage: Bool = true, extraFlags: [String] = []) throws {
        for tool in ["ip", "nsenter", "docker-registry", "skopeo"] where Command.find(tool) == nil {
            throw XCTSkip("\(tool) is not installed (hack/deps)")
        }
        guard FileManager.default.isExecutableFile(atPath: Binaries.pause) else {
            throw XCTSkip("no static skiff-pause at \(Binaries.pause) (./hack/test builds it)")
        }
        self.extraFlags = extraFlags
        netns = "skiff-t-\(UInt32.random(in: 0...UInt32.max))"
        directory = try makeTemporaryDirectory("cri")
        try shell("ip netns add \(netns) && ip -n \(netns) link set lo up")
        test.addTeardownBlock { [self] in tearDown() }
        try FileManager.default.createDirectory(atPath: directory + "/cni", withIntermediateDirectories: true)
        let conf = try String(contentsOfFile: Binaries.packageRoot + "/config/cni/10-skiff.conflist", encoding: .utf8)
            .replacingOccurrences(of: "\"type\": \"host-local\"", with: "\"type\": \"host-local\", \"dataDir\": \"\(directory)/ipam\"")
        try conf.write(toFile: directory + "/cni/10-skiff.conflist", atomically: true, encoding: .utf8)
        if pushImage { try startRegistry() }
        try startDaemon()
    }

    private func startRegistry() throws {
        let config = """
        version: 0.1
        storage:
          filesystem:
            rootdirectory: \(directory)/registry
        http:
          addr: \(registry)
        """
        try config.write(toFile: directory + "/registry.yml", atomically: true, encoding: .utf8)
        registryPID = try Command.start("/usr/bin/nsenter", ["--net=/run/netns/\(netns)", Command.find("docker-registry")!,
                                                             "serve", directory + "/registry.yml"])
        try waitFor("the registry") { (try? self.inNetns("bash", ["-c", "echo > /dev/tcp/127.0.0.1/5000"]).status) == 0 }
        let push = try inNetns("skopeo", ["copy", "--quiet", "--dest-tls-verify=false",
                                          "oci:\(Binaries.testOCILayout):latest", "docker://\(image)"])
        guard push.status == 0 else { throw TestFailure("skopeo push: \(push.summary)") }
    }

    /// Starts skiff-cri and waits for its socket.
    public func startDaemon() throws {
        unlink(socket)
        let flags = ["--root", root, "--state", state, "--cni-conf-dir", directory + "/cni",
                     "--runtime", Binaries.runtime, "--monitor", Binaries.monitor, "--pause", Binaries.pause,
                     "--insecure-registry", registry] + extraFlags
        daemonPID = try Command.start("/usr/bin/nsenter", ["--net=/run/netns/\(netns)", Binaries.cri] + flags,
                                      stderr: directory + "/daemon.log")
        try waitFor("skiff-cri's socket (log: \(daemonLog))") { FileManager.default.fileExists(atPath: self.socket) }
    }

    /// SIGKILL, as a crash would: nothing of the daemon's gets to clean up.
    public func killDaemon() {
        guard daemonPID > 0 else { return }
        Command.stop(daemonPID)
        daemonPID = 0
    }

    /// SIGTERM and wait: the daemon's orderly stop (containers keep running).
    public func stopDaemon() {
        guard daemonPID > 0 else { return }
        kill(daemonPID, SIGTERM)
        if Command.wait(daemonPID, timeout: 10) < 0 { Command.stop(daemonPID) }
        daemonPID = 0
    }

    public var daemonLog: String { (try? String(contentsOfFile: directory + "/daemon.log", encoding: .utf8)) ?? "" }

    /// Runs a program inside the test's network namespace.
    @discardableResult
    public func inNetns(_ program: String, _ args: [String], timeout: TimeInterval = 60) throws -> CommandResult {
        let path = program.hasPrefix("/") ? program : (Command.find(program) ?? program)
        return try Command.run("/usr/bin/nsenter", ["--net=/run/netns/\(netns)", path] + args, timeout: timeout)
    }

    // MARK: pods

    public func pullImage() async throws {
        _ = try await client.pullImage(PullImageRequest.with { $0.image.image = image })
    }

    public func podConfig(_ name: String, uid: String? = nil) -> PodSandboxConfig {
        PodSandboxConfig.with {
            $0.metadata = PodSandboxMetadata(name: name, uid: uid ?? "uid-\(name)", namespace: "default")
            $0.hostname = name
            $0.logDirectory = "\(logs)/default_\(name)"
        }
    }

    public func containerConfig(_ name: String, _ command: [String]) -> ContainerConfig {
        ContainerConfig.with {
            $0.metadata.name = name
            $0.image.image = image
            $0.command = command
            $0.logPath = "\(name)/0.log"
        }
    }

    /// A ready pod; its id.
    public func runPod(_ name: String, configure: (inout PodSandboxConfig) -> Void = { _ in }) async throws -> String {
        var config = podConfig(name)
        configure(&config)
        return try await client.runPodSandbox(RunPodSandboxRequest(config: config)).podSandboxId
    }

    /// A started container in pod `pod`; its id.
    public func runContainer(_ pod: String, podName: String, _ name: String, _ command: [String],
                      configure: (inout ContainerConfig) -> Void = { _ in }) async throws -> String {
        var config = containerConfig(name, command)
        configure(&config)
        let id = try await client.createContainer(CreateContainerRequest(podSandboxId: pod, config: config, sandboxConfig: podConfig(podName)))
            .containerId
        _ = try await client.startContainer(StartContainerRequest(containerId: id))
        return id
    }

    public func waitFor(_ what: String, timeout: TimeInterval = 20, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(50_000)
        }
        throw TestFailure("timed out waiting for \(what)")
    }

    public func waitFor(_ what: String, timeout: TimeInterval = 20, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("timed out waiting for \(what)")
    }

    // MARK: teardown

    /// Removes every pod through a daemon (starting one if it is down), then everything else.
    private func tearDown() {
        if daemonPID == 0 { try? startDaemon() }
        let semaphore = DispatchSemaphore(value: 0)
        let client = client
        Task {
            if let pods = try? await client.listPodSandbox(ListPodSandboxRequest()) {
                for pod in pods.items { _ = try? await client.removePodSandbox(RemovePodSandboxRequest(podSandboxId: pod.id)) }
            }
            semaphore.signal()
        }
        semaphore.wait()
        stopDaemon()
        if registryPID > 0 { Command.stop(registryPID) }
        // Whatever a failed test left mounted under the scratch directory.
        _ = try? shell("grep -o ' \(directory)[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l")
        _ = try? shell("ip netns delete \(netns)")
        removeScratch(directory)
    }
}
