// The kubelet's HTTP API over real HTTP on a free loopback port, against real pods: /healthz,
// /pods (a PodList with statuses), /containerLogs (tail, timestamps, since, limit, follow,
// previous), /stats/summary, /metrics, /manifestErrors, /exec, /attach and /portForward (streams
// proxied from skiff-cri), and the answers to requests it cannot serve.
import AsyncHTTPClient
import CRIAPI
import CRIStreaming
import Foundation
import KubeAPI
import Kubelet
import NIOCore
import NIOHTTP1
import TestSupport
import XCTest

final class KubeletAPITests: XCTestCase {
    let image = ProbeTests.image

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// GETs `path` from the kubelet API (no redirects followed).
    func get(_ base: String, _ path: String, method: HTTPMethod = .GET, timeout: Int64 = 30) async throws -> Answer {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            let response = try await client.execute(request, timeout: .seconds(timeout))
            let body = try await response.body.collect(upTo: 16 << 20)
            try await client.shutdown()
            var headers: [String: String] = [:]
            for (name, value) in response.headers { headers[name.lowercased()] = value }
            return Answer(status: Int(response.status.code), headers: headers, body: String(buffer: body))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ answer: Answer) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(answer.body.utf8))
        } catch {
            throw TestFailure("cannot decode \(type) (\(error)) from: \(answer.body.prefix(2000))")
        }
    }

    func manifest(_ name: String, restartPolicy: String = "Always", _ containers: String) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: \(name)}
        spec:
          restartPolicy: \(restartPolicy)
          terminationGracePeriodSeconds: 1
          volumes: [{name: work, emptyDir: {}}]
          containers:
        \(containers)
        """
    }

    func testHealthzPodsMetricsAndManifestErrors() async throws {
        let k = try KubeletHarness(self)
        let base = try await k.startServer()
        try k.write("web.yaml", manifest("web", """
          - name: app
            image: \(image)
            command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
            readinessProbe: {exec: {command: ["true"]}, periodSeconds: 1}
        """))
        try k.write("broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: broken}\nspec: {containers: [{name: x}]}\n")
        try await k.waitForPod("web", "Ready") { $0.status?.condition(.ready)?.status == .true }

        let health = try await get(base, "/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.body, "ok")

        let pods = try await get(base, "/pods")
        XCTAssertEqual(pods.status, 200)
        XCTAssertEqual(pods.headers["content-type"], "application/json")
        let list = try decode(PodList.self, pods)
        XCTAssertEqual(list.kind, "PodList")
        let web = try XCTUnwrap(list.items.first { $0.name == "web-testnode" }, pods.body)
        XCTAssertEqual(web.status?.phase, .running)
        XCTAssertEqual(web.status?.condition(.ready)?.status, .true)
        XCTAssertEqual(web.status?.containerStatuses?.first?.ready, true)
        XCTAssertNotNil(web.status?.podIP)
        XCTAssertEqual(web.spec.containers.first?.name, "app")

        let errors = try await get(base, "/manifestErrors")
        XCTAssertEqual(errors.status, 200)
        XCTAssertTrue(errors.body.contains("broken.yaml"), errors.body)
        XCTAssertTrue(errors.body.contains("spec.containers[0].image: Required value"), errors.body)

        let metrics = try await get(base, "/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let lines = metrics.body.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("kubelet_running_pods 1"), metrics.body)
        XCTAssertTrue(lines.contains("kubelet_running_containers{container_state=\"running\"} 1"), metrics.body)
        XCTAssertTrue(lines.contains("skiff_kubelet_static_pod_manifest_errors 1"), metrics.body)
        XCTAssertTrue(lines.contains("skiff_kubelet_container_restarts{container=\"app\",namespace=\"default\",pod=\"web-testnode\"} 0"), metrics.body)
        XCTAssertTrue(lines.contains("skiff_kubelet_pod_ready{namespace=\"default\",pod=\"web-testnode\"} 1"), metrics.body)
        XCTAssertTrue(lines.contains("kubelet_started_containers_total{container_type=\"container\"} 1"), metrics.body)
        let probes = lines.first { $0.hasPrefix("prober_probe_total{container=\"app\",namespace=\"default\",pod=\"web-testnode\",probe_type=\"Readiness\",result=\"successful\"}") }
        let count = try XCTUnwrap(probes.flatMap { Int($0.split(separator: " ").last ?? "") }, metrics.body)
        XCTAssertGreaterThanOrEqual(count, 1)
        XCTAssertTrue(lines.contains("# TYPE prober_probe_total counter"))
    }

    func testContainerLogsTailTimestampsSinceAndLimit() async throws {
        let k = try KubeletHarness(self)
        let base = try await k.startServer()
        // The last line has no newline: it is logged when the stream ends, with the container.
        try k.write("talk.yaml", manifest("talk", restartPolicy: "Never", """
          - name: app
            image: \(image)
            command: ["sh", "-c", "for i in 1 2 3 4 5; do echo line $i; done; sleep 0.2; echo oops >&2; sleep 0.2; printf unfinished"]
        """))
        try await k.waitForPod("talk", "Succeeded") { $0.phase == .succeeded }
        let path = "/containerLogs/default/talk-testnode/app"
        try await k.waitFor("the output") { (try? await self.get(base, path).body.hasSuffix("unfinished")) == true }

        let all = try await get(base, path)
        XCTAssertEqual(all.status, 200)
        XCTAssertEqual(all.body, "line 1\nline 2\nline 3\nline 4\nline 5\noops\nunfinished", "stdout and stderr as written; a last line without its newline as it is")
        let tail = try await get(base, path + "?tailLines=2")
        XCTAssertEqual(tail.body, "oops\nunfinished")
        let stamped = try await get(base, path + "?tailLines=1&timestamps=true")
        let parts = stamped.body.split(separator: " ", maxSplits: 1)
        XCTAssertEqual(parts.count, 2, stamped.body)
        XCTAssertNotNil(KubeTime(rfc3339: String(parts[0])), "an RFC 3339 time first: \(stamped.body)")
        XCTAssertEqual(parts.last, "unfinished")
        let limited = try await get(base, path + "?limitBytes=9")
        XCTAssertEqual(limited.body, "line 1\nli")
        let recent = try await get(base, path + "?sinceSeconds=3600")
        XCTAssertEqual(recent.body, all.body)
        let future = try await get(base, path + "?sinceTime=2200-01-01T00:00:00Z")
        XCTAssertEqual(future.body, "")

        let bad = try await get(base, path + "?tailLines=many")
        XCTAssertEqual(bad.status, 400)
        XCTAssertTrue(bad.body.contains("tailLines=many"), bad.body)
        let noContainer = try await get(base, "/containerLogs/default/talk-testnode/nope")
        XCTAssertEqual(noContainer.status, 404)
        XCTAssertTrue(noContainer.body.contains("choose one of [app]"), noContainer.body)
        let noPod = try await get(base, "/containerLogs/default/nope/app")
        XCTAssertEqual(noPod.status, 404)
    }

    func testFollowedLogsStreamUntilTheContainerStops() async throws {
        let k = try KubeletHarness(self)
        let base = try await k.startServer()
        try k.write("ticks.yaml", manifest("ticks", restartPolicy: "Never", """
          - name: app
            image: \(image)
            command: ["sh", "-c", "sleep 1; for i in 1 2 3 4 5 6; do echo tick $i; sleep 0.4; done"]
        """))
        try await k.waitForPod("ticks", "running") { $0.container("app")?.state?.running != nil }
        let started = Date()
        let followed = try await get(base, "/containerLogs/default/ticks-testnode/app?follow=true", timeout: 30)
        let took = Date().timeIntervalSince(started)
        XCTAssertEqual(followed.status, 200)
        XCTAssertEqual(followed.headers["transfer-encoding"], "chunked")
        XCTAssertEqual(followed.body, (1...6).map { "tick \($0)\n" }.joined(), "every line, up to the container's end")
        XCTAssertGreaterThan(took, 1.5, "it waited for the lines still to come")
        XCTAssertEqual(k.pod("ticks")?.phase, .succeeded)
        // A stopped container's log is answered at once, follow or not.
        let after = try await get(base, "/containerLogs/default/ticks-testnode/app?follow=1&tailLines=1")
        XCTAssertEqual(after.body, "tick 6\n")
    }

    func testPreviousLogsAreTheEarlierInstances() async throws {
        let k = try KubeletHarness(self)
        let base = try await k.startServer()
        try k.write("again.yaml", manifest("again", """
          - name: app
            image: \(image)
            command: ["sh", "-c", "if [ -f /work/ran ]; then echo second run; trap 'exit 0' TERM; while true; do sleep 0.2; done; fi; touch /work/ran; echo first run; exit 1"]
            volumeMounts: [{name: work, mountPath: /work}]
        """))
        try await k.waitForPod("again", "restarted") { $0.container("app")?.restartCount == 1 && $0.container("app")?.state?.running != nil }
        let path = "/containerLogs/default/again-testnode/app"
        try await k.waitFor("the second run's line") { (try? await self.get(base, path).body) == "second run\n" }
        let previous = try await get(base, path + "?previous=true")
        XCTAssertEqual(previous.status, 200)
        XCTAssertEqual(previous.body, "first run\n")
    }

    func testStatsSummaryHasNodeAndPodUsage() async throws {
        let k = try KubeletHarness(self)
        let base = try await k.startServer()
        // It writes 1 MiB to its root filesystem, 512 KiB to its emptyDir and some log lines, then spins.
        try k.write("busy.yaml", manifest("busy", """
          - name: spin
            image: \(image)
            command: ["sh", "-c", "dd if=/dev/zero of=/big bs=1024 count=1024; dd if=/dev/zero of=/work/half bs=1024 count=512; seq 1 300; trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); if [ $i -ge 20000 ]; then i=0; sleep 0.1; fi; done"]
            volumeMounts: [{name: work, mountPath: /work}]
        """))
        let pod = try await k.waitForPod("busy", "running") { $0.container("spin")?.state?.running != nil }
        try await Task.sleep(for: .seconds(1))
        _ = try await get(base, "/stats/summary")
        try await Task.sleep(for: .seconds(1))
        let answer = try await get(base, "/stats/summary")
        XCTAssertEqual(answer.status, 200)
        let summary = try decode(StatsSummary.self, answer)
        XCTAssertEqual(summary.node.nodeName, "testnode")
        XCTAssertGreaterThan(summary.node.cpu?.usageCoreNanoSeconds ?? 0, 0)
        XCTAssertGreaterThan(summary.node.cpu?.usageNanoCores ?? 0, 0, "a rate from the previous sample")
        XCTAssertGreaterThan(summary.node.memory?.workingSetBytes ?? 0, 0)
        XCTAssertGreaterThan(summary.node.memory?.availableBytes ?? 0, 0)
        let stats = try XCTUnwrap(summary.pods.first { $0.podRef.uid == pod.uid }, answer.body)
        XCTAssertEqual(stats.podRef.name, "busy-testnode")
        XCTAssertEqual(stats.podRef.namespace, "default")
        XCTAssertGreaterThan(stats.cpu?.usageCoreNanoSeconds ?? 0, 0)
        XCTAssertGreaterThan(stats.cpu?.usageNanoCores ?? 0, 0)
        XCTAssertGreaterThan(stats.memory?.workingSetBytes ?? 0, 0)
        XCTAssertGreaterThan(stats.processStats?.processCount ?? 0, 0)
        let spin = try XCTUnwrap(stats.containers.first { $0.name == "spin" }, answer.body)
        XCTAssertGreaterThan(spin.cpu?.usageCoreNanoSeconds ?? 0, 10_000_000, "it has been spinning")
        XCTAssertGreaterThan(spin.memory?.workingSetBytes ?? 0, 0)

        // Filesystems: the writable layer, the log files, the emptyDir, and their sums.
        let rootfs = try XCTUnwrap(spin.rootfs, answer.body)
        XCTAssertGreaterThanOrEqual(rootfs.usedBytes ?? 0, 1 << 20, "the 1 MiB file in its writable layer")
        XCTAssertLessThan(rootfs.usedBytes ?? 0, 4 << 20)
        XCTAssertGreaterThan(rootfs.capacityBytes ?? 0, rootfs.availableBytes ?? .max)
        let logs = try XCTUnwrap(spin.logs, answer.body)
        let logFile = k.logs + "/default_busy-testnode_\(pod.uid)/spin/0.log"
        let logSize = UInt64((try FileManager.default.attributesOfItem(atPath: logFile)[.size] as? NSNumber)?.intValue ?? 0)
        XCTAssertGreaterThan(logSize, 300 * 40, "300 CRI log lines")
        XCTAssertGreaterThanOrEqual(logs.usedBytes ?? 0, logSize, "the log directory holds at least the log file")
        XCTAssertLessThan(logs.usedBytes ?? 0, logSize + 64 * 1024)
        XCTAssertGreaterThan(logs.capacityBytes ?? 0, 0)
        let work = try XCTUnwrap(stats.volume?.first { $0.name == "work" }, answer.body)
        XCTAssertGreaterThanOrEqual(work.fs.usedBytes ?? 0, 512 << 10)
        let ephemeral = try XCTUnwrap(stats.ephemeralStorage, answer.body)
        XCTAssertEqual(ephemeral.usedBytes, (rootfs.usedBytes ?? 0) + (logs.usedBytes ?? 0) + (work.fs.usedBytes ?? 0))
        XCTAssertTrue(answer.body.contains("\"ephemeral-storage\":{"), "the kubelet's JSON name")
        XCTAssertGreaterThan(summary.node.fs?.capacityBytes ?? 0, 0)
        XCTAssertGreaterThan(summary.node.runtime?.imageFs?.usedBytes ?? 0, 1 << 20, "the busybox image")
    }

    /// Runs an exec or attach stream through the kubelet's port (a WebSocket to the kubelet,
    /// which proxies it to skiff-cri's streaming server); the exit code and what came out.
    static func runStream(_ url: String, stdin: String? = nil, protocols: [StreamProtocol] = StreamingClient.protocols)
        async throws -> (code: Int32, stdout: String, stderr: String) {
        let directory = try makeTemporaryDirectory("kubelet-stream")
        defer { removeScratch(directory) }
        if let stdin { try stdin.write(toFile: directory + "/in", atomically: false, encoding: .utf8) }
        let input = stdin == nil ? nil : open(directory + "/in", O_RDONLY | O_CLOEXEC)
        let out = open(directory + "/out", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        let err = open(directory + "/err", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        defer { close(out); close(err); if let input { close(input) } }
        let code = try await StreamingClient.run(url: url, local: StreamingClient.LocalStreams(stdin: input, stdout: out, stderr: err),
                                                 protocols: protocols)
        return (code, try String(contentsOfFile: directory + "/out", encoding: .utf8), try String(contentsOfFile: directory + "/err", encoding: .utf8))
    }

    func testExecAttachAndPortForwardAreProxiedThroughTheKubeletsPort() async throws {
        let k = try KubeletHarness(self)
        let base = try await k.startServer()
        try k.write("sh.yaml", manifest("sh", restartPolicy: "Never", """
          - name: app
            image: \(image)
            command: ["sh", "-c", "mkdir /www; echo served > /www/index.html; httpd -p 8080 -h /www; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo attached output; exit 0"]
        """))
        let pod = try await k.waitForPod("sh", "running") { $0.container("app")?.state?.running != nil }

        // exec: kubectl's parameter names (command, output, error), as the API server passes them.
        let ran = try await Self.runStream(base + "/exec/default/sh-testnode/app?command=sh&command=-c&command=echo%20out;%20echo%20err%20%3E%262;%20exit%203&output=1&error=1")
        XCTAssertEqual(ran.code, 3)
        XCTAssertEqual(ran.stdout, "out\n")
        XCTAssertEqual(ran.stderr, "err\n")

        // Bytes both ways: stdin in, the same bytes out (v5 tells the end of stdin, so cat ends).
        let text = (1...200).map { "line \($0) through the kubelet\n" }.joined()
        let echoed = try await Self.runStream(base + "/exec/default/sh-testnode/app?command=cat&input=1&output=1", stdin: text)
        XCTAssertEqual(echoed.code, 0)
        XCTAssertEqual(echoed.stdout, text)

        // The runtime's refusal reaches the client as the runtime worded it.
        do {
            _ = try await Self.runStream(base + "/exec/default/sh-testnode/app?command=true&output=1", protocols: [.portForward])
            XCTFail("a stream offering only portforward.k8s.io for exec should be refused")
        } catch {
            XCTAssertTrue("\(error)".contains("400") && "\(error)".contains("none of the offered WebSocket subprotocols"), "\(error)")
        }

        // port-forward: a local port whose connections reach the pod's port 8080 through the kubelet.
        let forwarder = try await PortForwarder.listen(remotePort: 8080, newURL: { base + "/portForward/default/sh-testnode" },
                                                       report: { print("port-forward: \($0)") })
        let forwarding = Task { try await forwarder.run() }
        defer { forwarder.shutdown(); forwarding.cancel() }
        let page = try await get("http://127.0.0.1:\(forwarder.localPort)", "/index.html")
        XCTAssertEqual(page.status, 200)
        XCTAssertEqual(page.body, "served\n")

        // attach: the container's own output, until it exits.
        async let attached = Self.runStream(base + "/attach/default/sh-testnode/app?stdout=true&stderr=true")
        try await Task.sleep(for: .seconds(1))
        _ = try await k.exec(pod, "app", ["touch", "/tmp/go"])
        let result = try await attached
        XCTAssertEqual(result.code, 0)
        XCTAssertEqual(result.stdout, "attached output\n")
    }

    func testExecRequestsThatCannotRunAreAnsweredWithTheProblem() async throws {
        let k = try KubeletHarness(self)
        let base = try await k.startServer()
        try k.write("idle.yaml", manifest("idle", """
          - name: app
            image: \(image)
            command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
        """))
        try await k.waitForPod("idle", "running") { $0.container("app")?.state?.running != nil }
        let noCommand = try await get(base, "/exec/default/idle-testnode/app?stdout=1")
        XCTAssertEqual(noCommand.status, 400)
        XCTAssertTrue(noCommand.body.contains("no command"), noCommand.body)
        let noStreams = try await get(base, "/exec/default/idle-testnode/app?command=ls")
        XCTAssertEqual(noStreams.status, 400)
        XCTAssertTrue(noStreams.body.contains("at least one of stdin, stdout and stderr"), noStreams.body)
        let unknown = try await get(base, "/exec/default/idle-testnode/nope?command=ls&stdout=1")
        XCTAssertEqual(unknown.status, 404)
        let plain = try await get(base, "/exec/default/idle-testnode/app?command=ls&stdout=1", method: .POST)
        XCTAssertEqual(plain.status, 400)
        XCTAssertTrue(plain.body.contains("Upgrade request required"), plain.body)
        let badPort = try await get(base, "/portForward/default/idle-testnode?port=99999")
        XCTAssertEqual(badPort.status, 400)
        XCTAssertTrue(badPort.body.contains("\"99999\" is not a port"), badPort.body)
        let noPod = try await get(base, "/portForward/default/nope?port=80")
        XCTAssertEqual(noPod.status, 404)
    }

    func testRequestsItCannotServeAreAnsweredWithTheProblem() async throws {
        let k = try KubeletHarness(self)
        let base = try await k.startServer()
        let missing = try await get(base, "/nothing/here")
        XCTAssertEqual(missing.status, 404)
        XCTAssertTrue(missing.body.contains("/containerLogs/{namespace}/{pod}/{container}"), missing.body)
        let post = try await get(base, "/pods", method: .POST)
        XCTAssertEqual(post.status, 405)
        XCTAssertTrue(post.body.contains("read-only"), post.body)
    }
}
