// The real server and client over a Unix socket in a temporary directory: typed calls, errors
// through the wire, the event stream, timeouts, shutdown, and curl to show it is plain HTTP.
import CRIAPI
import Foundation
import TestSupport
import XCTest

final class TransportTests: XCTestCase {
    private struct Harness {
        let server: CRIHTTPServer
        let serving: Task<Void, any Error>
        let runtime: InMemoryRuntime
        var socketPath: String { server.socketPath }
        var client: CRIClient { CRIClient(socketPath: socketPath, timeout: .seconds(10)) }
    }

    /// Runs `body` against a fresh server and always shuts the server down after it.
    private func withServer(
        runtime: InMemoryRuntime = InMemoryRuntime(), maxRequestBytes: Int = 16 << 20,
        _ body: (Harness) async throws -> Void
    ) async throws {
        let directory = try makeScratchDirectory("cri")
        let server = try await CRIHTTPServer.bind(
            socketPath: directory + "/run/cri.sock", runtime: runtime, image: OneImage(),
            maxRequestBytes: maxRequestBytes)
        let harness = Harness(server: server, serving: Task { try await server.run() }, runtime: runtime)
        do {
            try await body(harness)
        } catch {
            server.shutdown()
            try? await harness.serving.value
            throw error
        }
        server.shutdown()
        try await harness.serving.value
    }

    private struct CurlResult {
        var status: Int
        var body: String
        var stderr: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    /// `curl --unix-socket`; a nil body sends a GET.
    private func curl(_ socketPath: String, _ paths: [String], body: String?, options: [String] = []) throws -> CurlResult {
        var arguments = ["-sS", "--unix-socket", socketPath, "-w", "\n%{http_code}"] + options
        if let body {
            arguments += ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body]
        }
        arguments += paths.map { "http://localhost" + $0 }
        let result = try Command.run("/usr/bin/curl", arguments, timeout: 30)
        guard result.status == 0 else { throw TestFailure(result.summary) }
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let status = Int(lines.removeLast()) ?? -1
        while lines.last == "" { lines.removeLast() }  // the newline after each JSON answer
        return CurlResult(status: status, body: lines.joined(separator: "\n"), stderr: result.stderr)
    }

    private func curl(_ socketPath: String, _ path: String, body: String?, options: [String] = []) throws -> CurlResult {
        try curl(socketPath, [path], body: body, options: options)
    }

    private func assertCRIError<T>(
        _ code: CRIError.Code, containing text: String, file: StaticString = #filePath, line: UInt = #line,
        _ call: () async throws -> T
    ) async {
        do {
            _ = try await call()
            XCTFail("expected \(code), the call succeeded", file: file, line: line)
        } catch let error as CRIError {
            XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
            XCTAssertTrue(error.message.contains(text), "\"\(error.message)\" lacks \"\(text)\"", file: file, line: line)
        } catch {
            XCTFail("expected a CRIError, got \(type(of: error)): \(error)", file: file, line: line)
        }
    }

    private func eventually(_ what: String, within seconds: Double = 5, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { throw TestFailure("timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private static func event(_ id: String, _ type: ContainerEventType, at time: Int64) -> ContainerEventResponse {
        var event = ContainerEventResponse(containerId: id, containerEventType: type, createdAt: time)
        event.podSandboxStatus = PodSandboxStatus.with { $0.id = "sb-1"; $0.labels = ["io.kubernetes.pod_uid": "u1"] }
        return event
    }

    // MARK: - Calls

    func testTypedCallsOverTheSocket() async throws {
        try await withServer { harness in
            let cri = harness.client
            let version = try await cri.version(VersionRequest(version: "v1"))
            XCTAssertEqual(version.runtimeName, "in-memory")
            XCTAssertEqual(version.runtimeVersion, "1.2.3")

            let config = PodSandboxConfig.with {
                $0.metadata = PodSandboxMetadata(name: "web", uid: "u1", namespace: "default")
                $0.hostname = "web"
                $0.labels = ["app": "web", "io.kubernetes.pod_uid": "u1"]
                $0.annotations = ["skiff.io/some_annotation": "x"]
            }
            let run = try await cri.runPodSandbox(RunPodSandboxRequest(config: config))
            XCTAssertEqual(run.podSandboxId, "sb-web")
            _ = try await cri.runPodSandbox(RunPodSandboxRequest(config: .with { $0.metadata.name = "db" }))

            let status = try await cri.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: "sb-web", verbose: true))
            XCTAssertEqual(status.status.state, .ready)
            XCTAssertEqual(status.status.metadata.uid, "u1")
            XCTAssertEqual(status.status.createdAt, 1_700_000_000_000_000_001)
            XCTAssertEqual(status.status.labels, config.labels)
            XCTAssertEqual(status.status.annotations, config.annotations)
            XCTAssertEqual(status.info["config"], #"{"hostname":"web"}"#)

            let all = try await cri.listPodSandbox()
            XCTAssertEqual(all.items.map(\.id), ["sb-db", "sb-web"])
            let filtered = try await cri.listPodSandbox(ListPodSandboxRequest(filter: .with { $0.labelSelector = ["app": "web"] }))
            XCTAssertEqual(filtered.items.map(\.id), ["sb-web"])

            let pulled = try await cri.pullImage(PullImageRequest(image: ImageSpec(image: "busybox")))
            XCTAssertEqual(pulled.imageRef, OneImage.id)
            let image = try await cri.imageStatus(ImageStatusRequest(image: ImageSpec(image: OneImage.id)))
            XCTAssertEqual(image.image?.repoTags, ["docker.io/library/busybox:latest"])
            XCTAssertEqual(image.image?.uid, Int64Value(0))
            let missing = try await cri.imageStatus(ImageStatusRequest(image: ImageSpec(image: "nginx")))
            XCTAssertNil(missing.image)

            let exec = try await cri.execSync(ExecSyncRequest(containerId: "c1", cmd: ["echo", "hi"]))
            XCTAssertEqual(String(decoding: exec.stdout, as: UTF8.self), "echo hi")

            _ = try await cri.removePodSandbox(RemovePodSandboxRequest(podSandboxId: "sb-web"))
            await assertCRIError(.notFound, containing: "\"sb-web\" not found") {
                try await cri.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: "sb-web"))
            }
        }
    }

    func testErrorsCrossTheWireWithTheirCode() async throws {
        try await withServer { harness in
            let cri = harness.client
            _ = try await cri.runPodSandbox(RunPodSandboxRequest(config: .with { $0.metadata.name = "web" }))
            await assertCRIError(.alreadyExists, containing: "pod sandbox sb-web exists") {
                try await cri.runPodSandbox(RunPodSandboxRequest(config: .with { $0.metadata.name = "web" }))
            }
            await assertCRIError(.notFound, containing: "image nope not found") {
                try await cri.pullImage(PullImageRequest(image: ImageSpec(image: "nope")))
            }
            // A plain Swift error in a handler is Internal, with its description.
            await assertCRIError(.internal, containing: "disk on fire") {
                try await cri.stopContainer(StopContainerRequest(containerId: "c1"))
            }
            // RPCs the handlers do not implement.
            await assertCRIError(.unimplemented, containing: "RuntimeService/CheckpointContainer is not implemented") {
                try await cri.checkpointContainer(CheckpointContainerRequest())
            }
            await assertCRIError(.unimplemented, containing: "ImageService/ListImages is not implemented") {
                try await cri.listImages()
            }
            // An RPC the server does not know at all.
            await assertCRIError(.unimplemented, containing: "unknown RPC /runtime.v1.RuntimeService/Frobnicate") {
                try await cri.call(CRIMethod<VersionRequest, VersionResponse>(.runtime, "Frobnicate"), VersionRequest())
            }

            // The HTTP statuses a plain HTTP client sees.
            let conflict = try curl(harness.socketPath, CRIMethods.runPodSandbox.path, body: #"{"config":{"metadata":{"name":"web"}}}"#)
            XCTAssertEqual(conflict.status, 409)
            XCTAssertEqual(conflict.json["code"] as? String, "AlreadyExists")
            let missing = try curl(harness.socketPath, CRIMethods.podSandboxStatus.path, body: #"{"pod_sandbox_id":"x"}"#)
            XCTAssertEqual(missing.status, 404)
            XCTAssertEqual(missing.json["code"] as? String, "NotFound")
            XCTAssertEqual(missing.json["message"] as? String, "pod sandbox \"x\" not found")
            let unimplemented = try curl(harness.socketPath, CRIMethods.checkpointContainer.path, body: "{}")
            XCTAssertEqual(unimplemented.status, 501)
            let failing = try curl(harness.socketPath, CRIMethods.stopContainer.path, body: "{}")
            XCTAssertEqual(failing.status, 500)
            XCTAssertEqual(failing.json["code"] as? String, "Internal")
        }
    }

    func testUnknownPathsAndMethods() async throws {
        try await withServer { harness in
            let unknown = try curl(harness.socketPath, "/runtime.v1.RuntimeService/Frobnicate", body: "{}")
            XCTAssertEqual(unknown.status, 404)
            XCTAssertEqual(unknown.json["code"] as? String, "Unimplemented")
            XCTAssertTrue((unknown.json["message"] as? String ?? "").contains("/runtime.v1.RuntimeService/Frobnicate"), unknown.body)

            let root = try curl(harness.socketPath, "/", body: nil)
            XCTAssertEqual(root.status, 404)

            let get = try curl(harness.socketPath, CRIMethods.version.path, body: nil)
            XCTAssertEqual(get.status, 405)
            XCTAssertEqual(get.json["code"] as? String, "Unimplemented")
            XCTAssertTrue((get.json["message"] as? String ?? "").contains("POST"), get.body)
        }
    }

    func testMalformedRequestsAreInvalidArgumentNamingTheProblem() async throws {
        try await withServer { harness in
            let badField = try curl(harness.socketPath, CRIMethods.runPodSandbox.path,
                                    body: #"{"config": {"metadata": {"name": "web", "attempt": "first"}}}"#)
            XCTAssertEqual(badField.status, 400)
            XCTAssertEqual(badField.json["code"] as? String, "InvalidArgument")
            let message = badField.json["message"] as? String ?? ""
            XCTAssertTrue(message.contains("RunPodSandboxRequest"), message)
            XCTAssertTrue(message.contains("config.metadata.attempt"), message)

            let notJSON = try curl(harness.socketPath, CRIMethods.runPodSandbox.path, body: "{config: }")
            XCTAssertEqual(notJSON.status, 400)
            XCTAssertEqual(notJSON.json["code"] as? String, "InvalidArgument")
            XCTAssertTrue((notJSON.json["message"] as? String ?? "").contains("RunPodSandboxRequest"), notJSON.body)

            let badEnum = try curl(harness.socketPath, CRIMethods.listPodSandbox.path,
                                   body: #"{"filter": {"state": {"state": "SANDBOX_SLEEPING"}}}"#)
            XCTAssertEqual(badEnum.status, 400)
            XCTAssertTrue((badEnum.json["message"] as? String ?? "").contains("SANDBOX_SLEEPING"), badEnum.body)

            // The connection survives a bad request: the server still answers.
            let version = try await harness.client.version()
            XCTAssertEqual(version.runtimeApiVersion, "v1")
        }
    }

    func testOversizedRequestsAreRefused() async throws {
        try await withServer(maxRequestBytes: 1024) { harness in
            let big = #"{"config": {"hostname": ""# + String(repeating: "x", count: 4096) + #""}}"#
            let refused = try curl(harness.socketPath, CRIMethods.runPodSandbox.path, body: big)
            XCTAssertEqual(refused.status, 429)
            XCTAssertEqual(refused.json["code"] as? String, "ResourceExhausted")
            XCTAssertTrue((refused.json["message"] as? String ?? "").contains("1024 bytes"), refused.body)
            _ = try await harness.client.version()
        }
    }

    // MARK: - Plain HTTP

    func testCurlSpeaksToItAsPlainHTTP() async throws {
        try await withServer { harness in
            // An empty body is the empty request message.
            let version = try curl(harness.socketPath, CRIMethods.version.path, body: "", options: ["-i"])
            XCTAssertEqual(version.status, 200)
            XCTAssertTrue(version.body.lowercased().contains("content-type: application/json"), version.body)
            XCTAssertTrue(version.body.contains(#"{"runtimeApiVersion":"v1","runtimeName":"in-memory","runtimeVersion":"1.2.3","version":"0.1.0"}"#), version.body)

            // crictl-style snake_case in, camelCase out.
            let run = try curl(harness.socketPath, CRIMethods.runPodSandbox.path, body: """
                {"config": {"metadata": {"name": "web", "uid": "u1", "namespace": "default"},
                            "log_directory": "/var/log/pods/default_web_u1",
                            "labels": {"io.kubernetes.pod_uid": "u1"}},
                 "runtime_handler": ""}
                """)
            XCTAssertEqual(run.status, 200)
            XCTAssertEqual(run.body, #"{"podSandboxId":"sb-web"}"#)
            let status = try await harness.client.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: "sb-web"))
            XCTAssertEqual(status.status.labels, ["io.kubernetes.pod_uid": "u1"])

            // Keep-alive: curl sends both requests on one connection.
            let twice = try curl(harness.socketPath, [CRIMethods.version.path, CRIMethods.version.path],
                                 body: "{}", options: ["-v"])
            XCTAssertTrue(twice.stderr.contains("Re-using existing connection"), twice.stderr)
            XCTAssertEqual(twice.body.components(separatedBy: "runtimeApiVersion").count, 3, twice.body)
        }
    }

    // MARK: - Event stream

    func testEventStreamDeliversEveryEventThenEnds() async throws {
        let events = [
            Self.event("c1", .created, at: 1), Self.event("c1", .started, at: 2),
            Self.event("c1", .stopped, at: 3), Self.event("c1", .deleted, at: 4),
        ]
        try await withServer(runtime: InMemoryRuntime(events: .events(events))) { harness in
            var received: [ContainerEventResponse] = []
            for try await event in harness.client.containerEvents() {
                received.append(event)
            }
            XCTAssertEqual(received, events)
            XCTAssertEqual(received.last?.podSandboxStatus?.labels, ["io.kubernetes.pod_uid": "u1"])

            // On the wire: a chunked response, one JSON object per line.
            let raw = try curl(harness.socketPath, CRIMethods.getContainerEvents.path, body: "{}", options: ["-i"])
            XCTAssertEqual(raw.status, 200)
            let (head, body) = (raw.body.components(separatedBy: "\r\n\r\n")[0], raw.body.components(separatedBy: "\r\n\r\n")[1])
            XCTAssertTrue(head.lowercased().contains("transfer-encoding: chunked"), head)
            XCTAssertTrue(head.lowercased().contains("content-type: application/x-ndjson"), head)
            let lines = body.split(separator: "\n")
            XCTAssertEqual(lines.count, 4, body)
            XCTAssertTrue(lines[1].hasPrefix(#"{"containerEventType":"CONTAINER_STARTED_EVENT","containerId":"c1","#), String(lines[1]))
        }
    }

    func testEventStreamFailureReachesTheClient() async throws {
        let first = Self.event("c1", .started, at: 1)
        let script = InMemoryRuntime.EventScript.eventsThenFailure([first], CRIError(.unavailable, "runtime is restarting"))
        try await withServer(runtime: InMemoryRuntime(events: script)) { harness in
            var received: [ContainerEventResponse] = []
            do {
                for try await event in harness.client.containerEvents() {
                    received.append(event)
                }
                XCTFail("the stream should have failed")
            } catch let error as CRIError {
                XCTAssertEqual(error, CRIError(.unavailable, "runtime is restarting"))
            }
            XCTAssertEqual(received, [first])
        }
    }

    func testClientLeavingAStreamEndsItOnTheServer() async throws {
        let runtime = InMemoryRuntime(events: .eventsThenWait([Self.event("c1", .created, at: 1)]))
        try await withServer(runtime: runtime) { harness in
            for try await event in harness.client.containerEvents() {
                XCTAssertEqual(event.containerId, "c1")
                break
            }
            try await eventually("the server ended the handler's stream") { runtime.streamsEnded == 1 }
        }
    }

    func testUnimplementedEventStreamIsAnError() async throws {
        struct NoEvents: RuntimeServiceHandler {}
        let directory = try makeScratchDirectory("cri")
        let server = try await CRIHTTPServer.bind(socketPath: directory + "/cri.sock", runtime: NoEvents(), image: OneImage())
        let serving = Task { try await server.run() }
        await assertCRIError(.unimplemented, containing: "GetContainerEvents is not implemented") {
            for try await _ in CRIClient(socketPath: server.socketPath).containerEvents() {}
        }
        server.shutdown()
        try await serving.value
    }

    // MARK: - Timeouts, shutdown, unreachable servers

    func testCallsTimeOutAndTheServerCancelsTheAbandonedCall() async throws {
        let runtime = InMemoryRuntime()
        try await withServer(runtime: runtime) { harness in
            let started = Date()
            await assertCRIError(.deadlineExceeded, containing: "ExecSync on \(harness.socketPath)") {
                try await harness.client.withTimeout(.milliseconds(300))
                    .execSync(ExecSyncRequest(containerId: "c1", cmd: ["sleep"], timeout: 30))
            }
            XCTAssertLessThan(Date().timeIntervalSince(started), 5)
            try await eventually("the handler saw the cancellation") { runtime.callsCancelled == 1 }
        }
    }

    func testShutdownFinishesCallsInFlightAndEndsStreams() async throws {
        let runtime = InMemoryRuntime(events: .eventsThenWait([Self.event("c1", .started, at: 1)]))
        let directory = try makeScratchDirectory("cri")
        let socketPath = directory + "/cri.sock"
        let server = try await CRIHTTPServer.bind(socketPath: socketPath, runtime: runtime, image: OneImage())
        let serving = Task { try await server.run() }
        let client = CRIClient(socketPath: socketPath, timeout: .seconds(10))

        var events = client.containerEvents().makeAsyncIterator()
        let first = try await events.next()
        XCTAssertEqual(first?.containerEventType, .started)
        let slowCall = Task {
            try await client.execSync(ExecSyncRequest(containerId: "c1", cmd: ["slow"], timeout: 1))
        }
        try await Task.sleep(for: .milliseconds(300))  // the call is in the handler by now
        server.shutdown()

        let answer = try await slowCall.value
        XCTAssertEqual(String(decoding: answer.stdout, as: UTF8.self), "slow")
        let afterShutdown = try await events.next()
        XCTAssertNil(afterShutdown, "the stream ends cleanly")
        try await serving.value
        XCTAssertFalse(FileManager.default.fileExists(atPath: socketPath), "the socket file is removed")
        XCTAssertEqual(runtime.callsCancelled, 0)
        await assertCRIError(.unavailable, containing: socketPath) { try await client.version() }
    }

    func testUnreachableSocketsAreClearErrors() async throws {
        let directory = try makeScratchDirectory("cri")
        let missing = directory + "/missing.sock"
        await assertCRIError(.unavailable, containing: "cannot connect to \(missing): no such file") {
            try await CRIClient(socketPath: missing).version()
        }

        // A socket file nobody listens on (a daemon that died without cleaning up).
        let stale = directory + "/stale.sock"
        try shell("python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind(\"\(stale)\")'")
        await assertCRIError(.unavailable, containing: "cannot connect to \(stale): connection refused") {
            try await CRIClient(socketPath: stale).version()
        }

        let regular = directory + "/file"
        _ = FileManager.default.createFile(atPath: regular, contents: Data())
        await assertCRIError(.unavailable, containing: "\(regular): not a socket") {
            try await CRIClient(socketPath: regular).version()
        }
        await assertCRIError(.unavailable, containing: missing) {
            for try await _ in CRIClient(socketPath: missing).containerEvents() {}
        }
    }

    func testSocketModeDirectoryAndStaleSocketReplacement() async throws {
        let directory = try makeScratchDirectory("cri")
        let socketPath = directory + "/nested/dir/cri.sock"
        try FileManager.default.createDirectory(atPath: directory + "/nested/dir", withIntermediateDirectories: true)
        try shell("python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind(\"\(socketPath)\")'")

        let server = try await CRIHTTPServer.bind(socketPath: socketPath, runtime: InMemoryRuntime(), image: OneImage())
        let serving = Task { try await server.run() }
        var info = stat()
        XCTAssertEqual(lstat(socketPath, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFSOCK)
        XCTAssertEqual(info.st_mode & 0o777, 0o660)
        _ = try await CRIClient(socketPath: socketPath).version()
        server.shutdown()
        try await serving.value

        // A regular file in the way is not silently deleted.
        let blocked = directory + "/blocked.sock"
        _ = FileManager.default.createFile(atPath: blocked, contents: Data("keep".utf8))
        do {
            _ = try await CRIHTTPServer.bind(socketPath: blocked, runtime: InMemoryRuntime(), image: OneImage())
            XCTFail("bind over a regular file should fail")
        } catch let error as CRIError {
            XCTAssertTrue(error.message.contains("cannot listen on unix socket \(blocked)"), error.message)
        }
        XCTAssertEqual(try String(contentsOfFile: blocked, encoding: .utf8), "keep")
    }
}
