// Exec, Attach and PortForward through a real skiff-cri: the RPC returns a URL on the daemon's
// streaming server (inside the test's network namespace, where the daemon runs), and the
// streaming client opens it to real containers: the OCI runtime's exec, the monitor's attach
// socket, busybox httpd in a pod.
import CRIAPI
import CRIStreaming
import Foundation
import Glibc
import NodeTestSupport
import PodNetwork
import TestSupport
import XCTest

final class StreamingTests: XCTestCase {
    /// Reaches the daemon's streaming server: a socket made in its network namespace.
    private func dialer(_ node: DaemonFixture) -> StreamDialer {
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

    private func execURL(_ node: DaemonFixture, _ container: String, _ cmd: [String],
                         stdin: Bool = false, tty: Bool = false) async throws -> String {
        var request = ExecRequest()
        request.containerId = container
        request.cmd = cmd
        request.stdin = stdin
        request.stdout = true
        request.stderr = !tty
        request.tty = tty
        return try await node.client.exec(request).url
    }

    private func sleeper(_ node: DaemonFixture, _ name: String, configure: (inout ContainerConfig) -> Void = { _ in }) async throws -> String {
        try await node.pullImage()
        let pod = try await node.runPod(name)
        return try await node.runContainer(pod, podName: name, "c", ["sleep", "300"], configure: configure)
    }

    func testExecCarriesStdinOutputStderrAndTheExitCode() async throws {
        let node = try DaemonFixture(self)
        let c = try await sleeper(node, "exec")

        let url = try await execURL(node, c, ["cat"], stdin: true)
        XCTAssertTrue(url.hasPrefix("http://127.0.0.1:"), url)
        let local = try LocalStreams(self, stdin: "through cat\n")
        let code = try await StreamingClient.run(url: url, local: local.streams, dialer: dialer(node))
        XCTAssertEqual(code, 0)
        XCTAssertEqual(local.output, "through cat\n")

        let failing = try LocalStreams(self)
        let failed = try await StreamingClient.run(url: try await execURL(node, c, ["sh", "-c", "echo out; echo err >&2; exit 3"]),
                                                   local: failing.streams, dialer: dialer(node))
        XCTAssertEqual(failed, 3, "the exit code comes back on the error channel")
        XCTAssertEqual(failing.output, "out\n")
        XCTAssertEqual(failing.errors, "err\n")

        // The command runs in the container: its hostname, its filesystem.
        let inside = try LocalStreams(self)
        _ = try await StreamingClient.run(url: try await execURL(node, c, ["sh", "-c", "hostname; cat /etc/hostname"]),
                                          local: inside.streams, dialer: dialer(node))
        XCTAssertEqual(inside.output, "exec\nexec\n")
    }

    func testExecWithATerminal() async throws {
        let node = try DaemonFixture(self)
        let c = try await sleeper(node, "tty")
        let url = try await execURL(node, c, ["sh", "-c", "tty; read x; stty size"], stdin: true, tty: true)
        let local = try LocalStreams(self, stdin: nil)
        let sizes = AsyncStream<TerminalSize> { continuation in
            continuation.yield(TerminalSize(width: 101, height: 31))
            continuation.finish()
        }
        let client = Task { [dialer = dialer(node)] in
            try await StreamingClient.run(url: url, local: StreamingClient.LocalStreams(
                stdin: local.stdinRead, stdout: local.stdout, stderr: local.stderr, terminalSizes: sizes), dialer: dialer)
        }
        try await node.waitFor("tty's answer") { local.output.contains("/dev/pts/") }
        try await Task.sleep(for: .milliseconds(200))
        local.type("go\n")
        let code = try await client.value
        XCTAssertEqual(code, 0)
        let lines = local.output.split(separator: "\r\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("/dev/pts/") ?? false, "\(lines)")
        XCTAssertEqual(lines.last, "31 101", "the resize reached the container's terminal: \(lines)")
    }

    func testAClientThatLeavesEndsItsExec() async throws {
        let node = try DaemonFixture(self)
        let c = try await sleeper(node, "leave")
        let url = try await execURL(node, c, ["sleep", "77"])
        let local = try LocalStreams(self)
        let client = Task { [dialer = dialer(node)] in
            try await StreamingClient.run(url: url, local: StreamingClient.LocalStreams(stdout: local.stdout, stderr: local.stderr), dialer: dialer)
        }
        func sleeping() async throws -> Bool {
            let ps = try await node.client.execSync(ExecSyncRequest(containerId: c, cmd: ["ps", "-o", "args"], timeout: 10))
            return String(decoding: ps.stdout, as: UTF8.self).contains("sleep 77")
        }
        try await node.waitFor("the exec'd command") { try await sleeping() }
        client.cancel()
        _ = try? await client.value
        try await node.waitFor("the exec'd command to be killed") { try await !sleeping() }
    }

    func testAttachToACatContainer() async throws {
        let node = try DaemonFixture(self)
        let c = try await sleeper(node, "attach") { config in
            config.command = ["cat"]
            config.stdin = true
            config.stdinOnce = true
        }
        var request = AttachRequest()
        request.containerId = c
        request.stdin = true
        request.stdout = true
        request.stderr = true
        let url = try await node.client.attach(request).url
        XCTAssertTrue(url.contains("/attach/"), url)
        let local = try LocalStreams(self, stdin: nil)
        let client = Task { [dialer = dialer(node)] in
            try await StreamingClient.run(url: url, local: local.streams, dialer: dialer)
        }
        local.type("hello attach\n")
        try await node.waitFor("cat's echo") { local.output == "hello attach\n" }
        // The client's stdin ends (v5): with stdinOnce the container's does too, cat exits,
        // and the stream ends with it.
        local.endInput()
        let code = try await client.value
        XCTAssertEqual(code, 0)
        try await node.waitFor("the container to exit") {
            try await node.client.containerStatus(ContainerStatusRequest(containerId: c)).status.state == .exited
        }
    }

    func testPortForwardReachesAServerInsideThePod() async throws {
        let node = try DaemonFixture(self)
        try await node.pullImage()
        let pod = try await node.runPod("pf")
        _ = try await node.runContainer(pod, podName: "pf", "web",
                                        ["sh", "-c", "mkdir /www; echo hello-through-port-forward > /www/index.html; httpd -f -p 127.0.0.1:8080 -h /www"])
        let client = node.client
        let forwarder = try await PortForwarder.listen(remotePort: 8080, newURL: {
            try await client.portForward(PortForwardRequest(podSandboxId: pod, port: [8080])).url
        }, dialer: dialer(node), report: { _ in })
        let forwarding = Task { try await forwarder.run() }
        defer { forwarder.shutdown() }
        // The server listens only on the pod's own loopback: only port-forward reaches it.
        try await node.waitFor("the server through port-forward") {
            let r = try Command.run("/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(forwarder.localPort)/"], timeout: 20)
            return r.status == 0 && r.stdout == "hello-through-port-forward\n"
        }
        forwarder.shutdown()
        try await forwarding.value
    }

    func testRequestsThatCannotStreamAreRefused() async throws {
        let node = try DaemonFixture(self)
        let c = try await sleeper(node, "refuse")
        func code(_ call: () async throws -> Void) async -> CRIError.Code? {
            do { try await call(); return nil } catch let e as CRIError { return e.code } catch { return .unknown }
        }
        var unknown = ExecRequest()
        unknown.containerId = "nosuchcontainer"
        unknown.cmd = ["true"]
        unknown.stdout = true
        let a = await code { _ = try await node.client.exec(unknown) }
        XCTAssertEqual(a, .notFound)
        var both = ExecRequest()
        both.containerId = c
        both.cmd = ["true"]
        both.tty = true
        both.stdout = true
        both.stderr = true
        let b = await code { _ = try await node.client.exec(both) }
        XCTAssertEqual(b, .invalidArgument, "a terminal has no separate stderr")
        var ttyAttach = AttachRequest()
        ttyAttach.containerId = c
        ttyAttach.tty = true
        ttyAttach.stdout = true
        let d = await code { _ = try await node.client.attach(ttyAttach) }
        XCTAssertEqual(d, .invalidArgument, "the container has no terminal")
        let e = await code { _ = try await node.client.portForward(PortForwardRequest(podSandboxId: "nosuchpod", port: [80])) }
        XCTAssertEqual(e, .notFound)
        _ = try await node.client.stopContainer(StopContainerRequest(containerId: c, timeout: 0))
        var exited = ExecRequest()
        exited.containerId = c
        exited.cmd = ["true"]
        exited.stdout = true
        let f = await code { _ = try await node.client.exec(exited) }
        XCTAssertEqual(f, .failedPrecondition)
    }
}

/// The local side of a client: stdin a pipe (prefilled and closed, or typed into), stdout and
/// stderr files.
final class LocalStreams: @unchecked Sendable {
    let directory: String
    let stdinRead: Int32
    private var stdinWrite: Int32?
    let stdout: Int32
    let stderr: Int32

    init(_ test: XCTestCase, stdin text: String? = "") throws {
        directory = try test.makeScratchDirectory("stream")
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw TestFailure("pipe failed") }
        stdinRead = fds[0]
        stdinWrite = fds[1]
        stdout = open(directory + "/stdout", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        stderr = open(directory + "/stderr", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if let text {
            type(text)
            endInput()
        }
    }

    deinit { [stdinRead, stdinWrite, stdout, stderr].compactMap { $0 }.forEach { close($0) } }

    func type(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(stdinWrite!, $0.baseAddress, $0.count) }
    }

    func endInput() {
        if let fd = stdinWrite { close(fd) }
        stdinWrite = nil
    }

    var streams: StreamingClient.LocalStreams { StreamingClient.LocalStreams(stdin: stdinRead, stdout: stdout, stderr: stderr) }
    var output: String { (try? String(contentsOfFile: directory + "/stdout", encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? "" }
}
