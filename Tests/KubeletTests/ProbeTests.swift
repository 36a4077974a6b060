// Probes end to end against real pods: exec, httpGet (HTTP and HTTPS) and tcpSocket, each
// passing and failing; readiness turning the Ready condition on and off; liveness failures
// restarting the container with the reason in lastState; the startup probe holding the others back;
// initialDelaySeconds. The probes connect from inside the pod's network namespace (the pods
// live in the test's namespace, the kubelet in the test process's own).
import CRIAPI
import Foundation
import KubeAPI
import Kubelet
import TestSupport
import XCTest

final class ProbeTests: XCTestCase {
    static let image = "127.0.0.1:5000/test/busybox:1"

    /// A container that serves /www over HTTP on 8080 (busybox httpd), with index.html, a
    /// "ready" file and a CGI script answering 200 only to requests with "X-Probe: yes".
    static let webServer = """
          - name: web
            image: \(image)
            ports: [{name: http, containerPort: 8080}]
            command:
            - sh
            - -c
            - |
              mkdir -p /www/cgi-bin
              echo hello > /www/index.html
              echo yes > /www/ready
              printf '#!/bin/sh\\nif [ "$HTTP_X_PROBE" = yes ]; then echo "Status: 200 OK"; else echo "Status: 403 Forbidden"; fi\\necho\\necho checked\\n' > /www/cgi-bin/check
              chmod +x /www/cgi-bin/check
              exec httpd -f -p 8080 -h /www
        """

    /// A container that only waits (and stops at once on TERM).
    static func idle(_ name: String, probes: String) -> String {
        """
          - name: \(name)
            image: \(image)
            command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
        \(probes)
        """
    }

    func pod(_ name: String, _ containers: String, restartPolicy: String = "Always") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: \(name)}
        spec:
          restartPolicy: \(restartPolicy)
          terminationGracePeriodSeconds: 1
          containers:
        \(containers)
        """
    }

    func testExecProbesPassAndFailAndTimeOut() async throws {
        let k = try KubeletHarness(self)
        try k.write("exec.yaml", pod("exec", [
            Self.idle("passes", probes: "    readinessProbe: {exec: {command: [\"true\"]}, periodSeconds: 1}"),
            Self.idle("fails", probes: "    readinessProbe: {exec: {command: [\"sh\", \"-c\", \"exit 3\"]}, periodSeconds: 1, failureThreshold: 1}"),
            Self.idle("slow", probes: "    readinessProbe: {exec: {command: [\"sleep\", \"5\"]}, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 1}"),
        ].joined(separator: "\n")))
        let pod = try await k.waitForPod("exec", "passes ready") { $0.container("passes")?.ready == true }
        XCTAssertEqual(pod.phase, .running)
        // Give the failing probes time to have run a few times.
        try await Task.sleep(for: .seconds(3))
        let later = try XCTUnwrap(k.pod("exec"))
        XCTAssertEqual(later.container("passes")?.ready, true)
        XCTAssertEqual(later.container("fails")?.ready, false, "exit 3 is a failure")
        XCTAssertEqual(later.container("slow")?.ready, false, "a command that outlasts timeoutSeconds is a failure")
        XCTAssertNotNil(later.container("slow")?.state?.running, "readiness never restarts a container")
        XCTAssertEqual(later.container("fails")?.restartCount, 0)
        XCTAssertEqual(later.status?.condition(.ready)?.status, .false)
        XCTAssertEqual(later.status?.condition(.containersReady)?.status, .false)
        XCTAssertEqual(later.status?.condition(.ready)?.message, "containers with unready status: [fails slow]")
        XCTAssertTrue(k.recorder.contains("Readiness probe failed: command [sh -c exit 3] exited with 3"), k.recorder.messages.joined(separator: "\n"))
        XCTAssertTrue(k.recorder.contains("command [sleep 5] timed out"))
    }

    func testHTTPGetProbesByNumberAndNameWithHeaders() async throws {
        let k = try KubeletHarness(self)
        try k.write("http.yaml", pod("http", [
            Self.webServer + "\n    readinessProbe: {httpGet: {path: /index.html, port: http}, periodSeconds: 1}",
            Self.idle("headers", probes: """
                readinessProbe:
                  httpGet:
                    path: /cgi-bin/check
                    port: 8080
                    httpHeaders: [{name: X-Probe, value: "yes"}]
                  periodSeconds: 1
            """),
            Self.idle("noheaders", probes: "    readinessProbe: {httpGet: {path: /cgi-bin/check, port: 8080}, periodSeconds: 1, failureThreshold: 1}"),
            Self.idle("missing", probes: "    readinessProbe: {httpGet: {path: /nothing, port: 8080}, periodSeconds: 1, failureThreshold: 1}"),
            Self.idle("closed", probes: "    readinessProbe: {httpGet: {path: /, port: 8081}, periodSeconds: 1, failureThreshold: 1}"),
        ].joined(separator: "\n")))
        let pod = try await k.waitForPod("http", "web and headers ready") {
            $0.container("web")?.ready == true && $0.container("headers")?.ready == true
        }
        try await Task.sleep(for: .seconds(2))
        let later = try XCTUnwrap(k.pod("http"))
        XCTAssertEqual(later.container("web")?.ready, true, "a named port (http → 8080) and a 200")
        XCTAssertEqual(later.container("headers")?.ready, true, "httpHeaders are sent")
        XCTAssertEqual(later.container("noheaders")?.ready, false, "403 without the header")
        XCTAssertEqual(later.container("missing")?.ready, false, "404")
        XCTAssertEqual(later.container("closed")?.ready, false, "nothing listens on 8081")
        let ip = try XCTUnwrap(pod.status?.podIP)
        XCTAssertTrue(k.recorder.contains("HTTP probe failed with statuscode: 403"), k.recorder.messages.joined(separator: "\n"))
        XCTAssertTrue(k.recorder.contains("HTTP probe failed with statuscode: 404"))
        XCTAssertTrue(k.recorder.contains("dial tcp \(ip):8081: connect: connection refused"))
    }

    /// HTTPS probes and hooks speak TLS and do not verify the certificate (a self-signed one
    /// here). The busybox image has no TLS server, so `openssl s_server` serves the pod's port
    /// 8443 from the host side, inside the pod's network namespace; it logs each file asked for.
    func testHTTPSProbesAndHooksSpeakTLSWithoutVerifyingTheCertificate() async throws {
        guard let openssl = Command.find("openssl") else { throw XCTSkip("openssl is not installed") }
        let k = try KubeletHarness(self)
        let www = k.node.directory + "/tls"
        try FileManager.default.createDirectory(atPath: www, withIntermediateDirectories: true)
        let made = try Command.run(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                             "-keyout", www + "/key.pem", "-out", www + "/cert.pem", "-days", "1", "-subj", "/CN=pod"])
        XCTAssertEqual(made.status, 0, made.summary)
        for file in ["ok.txt", "prestop.txt"] { try "fine\n".write(toFile: www + "/" + file, atomically: true, encoding: .utf8) }
        try k.write("tls.yaml", pod("tls", [
            Self.idle("main", probes: """
                readinessProbe: {httpGet: {scheme: HTTPS, path: /ok.txt, port: 8443}, periodSeconds: 1, failureThreshold: 1}
                lifecycle:
                  preStop: {httpGet: {scheme: HTTPS, path: /prestop.txt, port: 8443}}
            """),
            Self.webServer.replacingOccurrences(of: "- name: web", with: "- name: plain")
                + "\n    readinessProbe: {httpGet: {scheme: HTTPS, path: /index.html, port: 8080}, periodSeconds: 1, failureThreshold: 1}",
        ].joined(separator: "\n")))
        let running = try await k.waitForPod("tls", "both running") {
            $0.container("main")?.state?.running != nil && $0.container("plain")?.state?.running != nil
        }
        let ip = try XCTUnwrap(running.status?.podIP)
        try await k.waitFor("both HTTPS probes to have failed") {
            k.recorder.contains("Get \"https://\(ip):8443/ok.txt\": dial tcp \(ip):8443: connect: connection refused")
                && k.recorder.contains("Get \"https://\(ip):8080/index.html\"")
        }
        XCTAssertEqual(k.pod("tls")?.container("main")?.ready, false)

        // A TLS server appears on 8443: the probe passes, certificate unverified.
        let serverLog = k.node.directory + "/s_server.log"
        let server = try Command.start("/usr/bin/nsenter", [
            "--net=" + (try await k.networkNamespace(running)), "sh", "-c",
            "cd \(www) && exec \(openssl) s_server -accept 8443 -cert cert.pem -key key.pem -WWW",
        ], stdout: serverLog, stderr: serverLog)
        addTeardownBlock { Command.stop(server) }
        let ready = try await k.waitForPod("tls", "main ready over HTTPS") { $0.container("main")?.ready == true }
        XCTAssertEqual(ready.container("plain")?.ready, false, "HTTPS to a plain HTTP server fails")
        XCTAssertTrue(try String(contentsOfFile: serverLog, encoding: .utf8).contains("FILE:ok.txt"))

        // The preStop hook's HTTPS request reaches the server before the container stops.
        try k.remove("tls.yaml")
        try await k.waitFor("the pod to be removed") { k.pod("tls") == nil }
        XCTAssertTrue(try String(contentsOfFile: serverLog, encoding: .utf8).contains("FILE:prestop.txt"))
        XCTAssertFalse(k.recorder.contains("FailedPreStopHook"), k.recorder.messages.joined(separator: "\n"))
    }

    func testTCPSocketProbes() async throws {
        let k = try KubeletHarness(self)
        try k.write("tcp.yaml", pod("tcp", [
            Self.webServer,
            Self.idle("open", probes: "    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}"),
            Self.idle("shut", probes: "    readinessProbe: {tcpSocket: {port: 9}, periodSeconds: 1, failureThreshold: 1}"),
            Self.idle("unnamed", probes: "    readinessProbe: {tcpSocket: {port: nosuch}, periodSeconds: 1, failureThreshold: 1}"),
        ].joined(separator: "\n")))
        try await k.waitForPod("tcp", "open ready") { $0.container("open")?.ready == true }
        try await Task.sleep(for: .seconds(2))
        let later = try XCTUnwrap(k.pod("tcp"))
        XCTAssertEqual(later.container("open")?.ready, true)
        XCTAssertEqual(later.container("shut")?.ready, false)
        XCTAssertEqual(later.container("unnamed")?.ready, false, "a port name the container does not have")
        XCTAssertTrue(k.recorder.contains(":9: connect: connection refused"), k.recorder.messages.joined(separator: "\n"))
        XCTAssertTrue(k.recorder.contains("container unnamed has no TCP port named \"nosuch\""))
    }

    func testReadinessFlipsTheReadyConditions() async throws {
        let k = try KubeletHarness(self)
        try k.write("flip.yaml", pod("flip", Self.webServer + """

                readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 1, failureThreshold: 1, successThreshold: 2}
            """))
        let ready = try await k.waitForPod("flip", "Ready") { $0.status?.condition(.ready)?.status == .true }
        XCTAssertEqual(ready.container("web")?.ready, true)
        XCTAssertEqual(ready.status?.condition(.containersReady)?.status, .true)

        _ = try await k.exec(ready, "web", ["rm", "/www/ready"])
        let unready = try await k.waitForPod("flip", "not Ready", timeout: 10) { $0.status?.condition(.ready)?.status == .false }
        XCTAssertEqual(unready.container("web")?.ready, false)
        XCTAssertNotNil(unready.container("web")?.state?.running, "still running")
        XCTAssertEqual(unready.status?.condition(.ready)?.reason, "ContainersNotReady")
        XCTAssertEqual(unready.status?.condition(.containersReady)?.status, .false)
        XCTAssertEqual(unready.phase, .running)

        _ = try await k.exec(unready, "web", ["sh", "-c", "echo yes > /www/ready"])
        let back = Date()
        let again = try await k.waitForPod("flip", "Ready again", timeout: 10) { $0.status?.condition(.ready)?.status == .true }
        XCTAssertGreaterThan(Date().timeIntervalSince(back), 0.9, "successThreshold 2 at 1 s periods needs two successes")
        XCTAssertEqual(again.container("web")?.restartCount, 0)
    }

    func testLivenessFailureRestartsTheContainerWithTheReason() async throws {
        let k = try KubeletHarness(self)
        try k.write("live.yaml", pod("live", """
          - name: main
            image: \(Self.image)
            command: ["sh", "-c", "touch /tmp/alive; trap 'exit 0' TERM; while true; do sleep 0.2; done"]
            livenessProbe: {exec: {command: [test, -f, /tmp/alive]}, periodSeconds: 1, failureThreshold: 2}
        """))
        let running = try await k.waitForPod("live", "running") { $0.container("main")?.state?.running != nil }
        try await Task.sleep(for: .seconds(2))
        XCTAssertEqual(k.pod("live")?.container("main")?.restartCount, 0, "a passing liveness probe leaves it alone")
        _ = try await k.exec(running, "main", ["rm", "/tmp/alive"])
        let restarted = try await k.waitForPod("live", "restarted and running") {
            $0.container("main")?.restartCount == 1 && $0.container("main")?.state?.running != nil
        }
        let main = try XCTUnwrap(restarted.container("main"))
        let last = try XCTUnwrap(main.lastState?.terminated, "\(main)")
        XCTAssertEqual(last.exitCode, 0, "it stopped on TERM")
        XCTAssertTrue(last.message?.contains("Container main failed liveness probe, will be restarted") == true, "\(last)")
        XCTAssertTrue(last.message?.contains("command [test -f /tmp/alive] exited with 1") == true, "\(last)")
        // The new instance passes again: no second restart.
        try await Task.sleep(for: .seconds(3))
        XCTAssertEqual(k.pod("live")?.container("main")?.restartCount, 1)
    }

    func testFailingTCPLivenessRestartsAndNeverPolicyKeepsItDown() async throws {
        let k = try KubeletHarness(self)
        try k.write("down.yaml", pod("down", Self.idle("main", probes: """
                livenessProbe: {tcpSocket: {port: 7777}, periodSeconds: 1, failureThreshold: 1}
            """), restartPolicy: "Never"))
        let pod = try await k.waitForPod("down", "Failed after the liveness kill") { $0.phase == .failed || $0.phase == .succeeded }
        let main = try XCTUnwrap(pod.container("main"))
        XCTAssertEqual(main.restartCount, 0, "restartPolicy Never")
        XCTAssertTrue(main.state?.terminated?.message?.contains("failed liveness probe") == true, "\(main)")
        XCTAssertTrue(main.state?.terminated?.message?.contains(":7777: connect: connection refused") == true, "\(main)")
    }

    func testStartupProbeHoldsBackLivenessAndReadiness() async throws {
        let k = try KubeletHarness(self)
        // Liveness would kill it at once if it ran before startup succeeded.
        try k.write("slow.yaml", pod("slow", """
          - name: main
            image: \(Self.image)
            command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3; touch /tmp/started; while true; do sleep 0.2; done"]
            startupProbe: {exec: {command: [test, -f, /tmp/started]}, periodSeconds: 1, failureThreshold: 10}
            livenessProbe: {exec: {command: [test, -f, /tmp/started]}, periodSeconds: 1, failureThreshold: 1}
            readinessProbe: {exec: {command: ["true"]}, periodSeconds: 1}
        """))
        let starting = try await k.waitForPod("slow", "running") { $0.container("main")?.state?.running != nil }
        let main = try XCTUnwrap(starting.container("main"))
        XCTAssertEqual(main.started, false, "not started before the startup probe succeeds")
        XCTAssertFalse(main.ready)
        let started = try await k.waitForPod("slow", "started and ready") { $0.container("main")?.ready == true }
        XCTAssertEqual(started.container("main")?.started, true)
        XCTAssertEqual(started.container("main")?.restartCount, 0, "liveness waited for the startup probe")
        let startedAt = try XCTUnwrap(started.container("main")?.state?.running?.startedAt?.date)
        XCTAssertGreaterThan(Date().timeIntervalSince(startedAt), 2.5, "the file appears after 3 s")
    }

    func testAFailingStartupProbeRestartsTheContainer() async throws {
        let k = try KubeletHarness(self)
        try k.write("never.yaml", pod("never", Self.idle("main", probes: """
                startupProbe: {exec: {command: ["false"]}, periodSeconds: 1, failureThreshold: 2}
            """)))
        let pod = try await k.waitForPod("never", "restarted") { ($0.container("main")?.restartCount ?? 0) >= 1 }
        let main = try XCTUnwrap(pod.container("main"))
        XCTAssertTrue(main.lastState?.terminated?.message?.contains("Container main failed startup probe, will be restarted") == true, "\(main)")
        XCTAssertEqual(main.started, false)
    }

    func testInitialDelayPostponesTheFirstProbe() async throws {
        let k = try KubeletHarness(self)
        try k.write("delay.yaml", pod("delay", Self.idle("main", probes: """
                readinessProbe: {exec: {command: ["true"]}, initialDelaySeconds: 3, periodSeconds: 1}
            """)))
        let pod = try await k.waitForPod("delay", "ready") { $0.container("main")?.ready == true }
        let startedAt = try XCTUnwrap(pod.container("main")?.state?.running?.startedAt?.date)
        // startedAt has whole seconds: the margin allows for its rounding down.
        XCTAssertGreaterThan(Date().timeIntervalSince(startedAt), 3.0, "ready only after initialDelaySeconds")
    }

    func testProbesAndHooksAreValidated() throws {
        let pod = try ManifestDecoder.decodePod(Data("""
        apiVersion: v1
        kind: Pod
        metadata: {name: checked}
        spec:
          initContainers:
          - name: setup
            image: \(Self.image)
            readinessProbe: {exec: {command: ["true"]}}
          containers:
          - name: app
            image: \(Self.image)
            livenessProbe: {exec: {command: ["true"]}, tcpSocket: {port: 80}, successThreshold: 2}
            readinessProbe: {httpGet: {port: Not_A_Port}, periodSeconds: 0}
            startupProbe: {initialDelaySeconds: -1}
            lifecycle:
              postStart: {}
              preStop: {httpGet: {port: 70000}}
          - name: other
            image: \(Self.image)
            lifecycle:
              postStart: {httpGet: {port: 80, scheme: FTP}}
        """.utf8))
        let joined = PodValidation.validate(pod).joined(separator: "\n")
        for expected in [
            "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always",
            "spec.containers[0].livenessProbe: Forbidden: may not specify more than 1 handler type",
            "spec.containers[0].livenessProbe.successThreshold: Invalid value 2: must be 1",
            "spec.containers[0].readinessProbe.httpGet.port: Invalid value \"Not_A_Port\"",
            "spec.containers[0].readinessProbe.periodSeconds: Invalid value 0: must be greater than or equal to 1",
            "spec.containers[0].startupProbe: Required value: must specify a handler type",
            "spec.containers[0].startupProbe.initialDelaySeconds: Invalid value -1",
            "spec.containers[0].lifecycle.postStart: Required value: must specify a handler type",
            "spec.containers[0].lifecycle.preStop.httpGet.port: Invalid value 70000",
            "spec.containers[1].lifecycle.postStart.httpGet.scheme: Unsupported value \"FTP\": supported values: \"HTTP\", \"HTTPS\"",
        ] {
            XCTAssertTrue(joined.contains(expected), "missing \(expected) in\n\(joined)")
        }
    }
}
