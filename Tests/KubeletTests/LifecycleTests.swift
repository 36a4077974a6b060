// Lifecycle hooks and graceful termination end to end: preStop (exec and httpGet) runs before
// the stop signal, the grace period (preStop's time included) is honoured (a container that
// ignores TERM is killed when it runs out, one that stops at once is not waited for), other
// pods go on meanwhile, postStart (exec and httpGet) runs after the start, and a failing
// postStart kills the container (FailedPostStartHook).
import CRIAPI
import Foundation
import KubeAPI
import Kubelet
import TestSupport
import XCTest

final class LifecycleTests: XCTestCase {
    let image = ProbeTests.image

    func testPreStopRunsBeforeTheStopSignal() async throws {
        let k = try KubeletHarness(self)
        let marks = k.node.directory + "/marks"
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        try k.write("stop.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: stop}
        spec:
          terminationGracePeriodSeconds: 5
          volumes: [{name: marks, hostPath: {path: \(marks)}}]
          containers:
          - name: exec
            image: \(image)
            command: ["sh", "-c", "trap 'echo term >> /marks/exec; exit 0' TERM; while true; do sleep 0.1; done"]
            volumeMounts: [{name: marks, mountPath: /marks}]
            lifecycle:
              preStop: {exec: {command: ["sh", "-c", "echo prestop >> /marks/exec; sleep 1"]}}
          - name: http
            image: \(image)
            volumeMounts: [{name: marks, mountPath: /marks}]
            command:
            - sh
            - -c
            - |
              mkdir -p /www/cgi-bin
              printf '#!/bin/sh\\necho prestop-http >> /marks/http\\necho\\necho ok\\n' > /www/cgi-bin/stop
              chmod +x /www/cgi-bin/stop
              httpd -p 8080 -h /www
              trap 'echo term >> /marks/http; exit 0' TERM
              while true; do sleep 0.1; done
            lifecycle:
              preStop: {httpGet: {path: /cgi-bin/stop, port: 8080}}
        """)
        try await k.waitForPod("stop", "both running") {
            $0.container("exec")?.state?.running != nil && $0.container("http")?.state?.running != nil
        }
        try k.remove("stop.yaml")
        try await k.waitFor("the pod to be removed", timeout: 30) { k.pod("stop") == nil }
        XCTAssertEqual(try String(contentsOfFile: marks + "/exec", encoding: .utf8), "prestop\nterm\n")
        XCTAssertEqual(try String(contentsOfFile: marks + "/http", encoding: .utf8), "prestop-http\nterm\n")
    }

    func testPreStopThenTERMThenKILLWithinTheGracePeriodWhileOtherPodsGoOn() async throws {
        let k = try KubeletHarness(self)
        let marks = k.node.directory + "/marks"
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        // stubborn: a 2 s preStop hook, then it ignores TERM (noting when it came); the 4 s grace
        // period covers the hook too, so KILL comes about 4 s after the stop began, not 6.
        try k.write("stubborn.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: stubborn}
        spec:
          terminationGracePeriodSeconds: 4
          volumes: [{name: marks, hostPath: {path: \(marks)}}]
          containers:
          - name: main
            image: \(image)
            command: ["sh", "-c", "trap 'read t x < /proc/uptime; echo term $t >> /marks/stubborn' TERM; while true; do sleep 0.1; done"]
            volumeMounts: [{name: marks, mountPath: /marks}]
            lifecycle:
              preStop: {exec: {command: ["sh", "-c", "read t x < /proc/uptime; echo prestop $t >> /marks/stubborn; sleep 2"]}}
        """)
        try k.write("polite.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: polite}
        spec:
          terminationGracePeriodSeconds: 4
          containers:
          - name: main
            image: \(image)
            command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"]
        """)
        let stubborn = try await k.waitForPod("stubborn", "running") { $0.container("main")?.state?.running != nil }
        let polite = try await k.waitForPod("polite", "running") { $0.container("main")?.state?.running != nil }
        let stubbornID = try k.containerID(stubborn, "main"), politeID = try k.containerID(polite, "main")

        let started = Date()
        try k.remove("polite.yaml")
        try k.remove("stubborn.yaml")
        // While those stop, a new pod starts: one pod's worker waiting never holds up another's.
        try k.write("late.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: late}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - {name: main, image: "\(image)", command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"]}
        """)
        var politeStopped: TimeInterval?, stubbornStopped: TimeInterval?, lateRunning: TimeInterval?
        var stubbornExit: Int32?
        try await k.waitFor("both containers to stop", timeout: 30) {
            if lateRunning == nil, k.pod("late")?.container("main")?.state?.running != nil { lateRunning = Date().timeIntervalSince(started) }
            for (id, name) in [(politeID, "polite"), (stubbornID, "stubborn")] {
                let status = try? await k.cri.containerStatus(ContainerStatusRequest(containerId: id)).status
                let stopped = status == nil || status?.state == .exited
                if stopped && name == "polite" && politeStopped == nil { politeStopped = Date().timeIntervalSince(started) }
                if stopped && name == "stubborn" && stubbornStopped == nil {
                    stubbornStopped = Date().timeIntervalSince(started)
                    stubbornExit = status?.exitCode
                }
            }
            return politeStopped != nil && stubbornStopped != nil
        }
        XCTAssertLessThan(try XCTUnwrap(politeStopped), 2.5, "a container that stops on TERM is not held for the grace period")
        XCTAssertGreaterThan(try XCTUnwrap(stubbornStopped), 3.5, "TERM ignored: killed when the 4 s grace period ends")
        XCTAssertLessThan(try XCTUnwrap(stubbornStopped), 5.5, "the preStop hook's 2 s come out of the grace period")
        if let stubbornExit { XCTAssertEqual(stubbornExit, 137, "SIGKILL") }
        XCTAssertLessThan(try XCTUnwrap(lateRunning, "the new pod ran while the others stopped"), try XCTUnwrap(stubbornStopped))

        // preStop first, TERM when it has finished (2 s later), KILL after the rest of the period.
        let lines = try String(contentsOfFile: marks + "/stubborn", encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        XCTAssertEqual(lines.map { String($0[0]) }, ["prestop", "term"])
        let times = lines.compactMap { Double($0[1]) }
        XCTAssertEqual(times.count, 2)
        if times.count == 2 {
            // Not before the hook's 2 s are over; after them, by the exec's end and the stop call
            // (well under a second, more on a loaded machine).
            XCTAssertGreaterThanOrEqual(times[1] - times[0], 1.9, "TERM follows the hook's end")
            XCTAssertLessThan(times[1] - times[0], 3.5, "TERM follows the hook's end soon")
        }
    }

    func testPostStartRunsAfterTheStart() async throws {
        let k = try KubeletHarness(self)
        try k.write("post.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: post}
        spec:
          terminationGracePeriodSeconds: 1
          volumes: [{name: work, emptyDir: {}}]
          containers:
          - name: main
            image: \(image)
            command: ["sh", "-c", "echo main > /work/order; trap 'exit 0' TERM; while true; do sleep 0.1; done"]
            volumeMounts: [{name: work, mountPath: /work}]
            lifecycle:
              postStart: {exec: {command: ["sh", "-c", "sleep 0.5; echo poststart >> /work/order"]}}
        """)
        let pod = try await k.waitForPod("post", "running") { $0.container("main")?.state?.running != nil }
        let order = k.root + "/pods/\(pod.uid)/volumes/kubernetes.io~empty-dir/work/order"
        try await k.waitFor("the hook's line") { ((try? String(contentsOfFile: order, encoding: .utf8)) ?? "").contains("poststart") }
        XCTAssertEqual(try String(contentsOfFile: order, encoding: .utf8), "main\npoststart\n")
        XCTAssertEqual(k.pod("post")?.container("main")?.restartCount, 0)
    }

    func testAFailingPostStartKillsTheContainer() async throws {
        let k = try KubeletHarness(self)
        try k.write("badpost.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: badpost}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: \(image)
            command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"]
            lifecycle:
              postStart: {exec: {command: ["sh", "-c", "echo cannot set up; exit 3"]}}
        """)
        let pod = try await k.waitForPod("badpost", "the hook's failure") { $0.container("main")?.state?.waiting?.reason == "PostStartHookError" }
        let main = try XCTUnwrap(pod.container("main"))
        XCTAssertTrue(main.state?.waiting?.message?.contains("exited with 3: cannot set up") == true, "\(main)")
        XCTAssertTrue(main.lastState?.terminated?.message?.hasPrefix("FailedPostStartHook: ") == true, "\(main)")
        XCTAssertFalse(main.ready)
        XCTAssertTrue(k.recorder.contains("FailedPostStartHook"))
        // restartPolicy Always: tried again after the back-off, and it fails again.
        try await k.waitForPod("badpost", "a second try") { ($0.container("main")?.restartCount ?? 0) >= 1 }
    }

    func testPostStartHTTPGetReachesAServerInThePodAndAFailingOneKillsTheContainer() async throws {
        let k = try KubeletHarness(self)
        // The server runs in a sidecar; an init container waits until it answers, so the app
        // containers' hooks (sent to the pod's IP) find it listening.
        try k.write("httphook.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: httphook}
        spec:
          terminationGracePeriodSeconds: 1
          volumes: [{name: work, emptyDir: {}}]
          initContainers:
          - name: server
            image: \(image)
            restartPolicy: Always
            volumeMounts: [{name: work, mountPath: /work}]
            command:
            - sh
            - -c
            - |
              mkdir -p /www/cgi-bin
              printf '#!/bin/sh\\necho "$REQUEST_METHOD $REQUEST_URI $HTTP_X_HOOK" >> /work/requests\\necho\\necho ok\\n' > /www/cgi-bin/started
              chmod +x /www/cgi-bin/started
              echo up > /www/up
              httpd -p 8080 -h /www
              trap 'exit 0' TERM
              while true; do sleep 0.1; done
          - name: wait
            image: \(image)
            command: ["sh", "-c", "until wget -q -O /dev/null http://127.0.0.1:8080/up; do sleep 0.1; done"]
          containers:
          - name: good
            image: \(image)
            command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"]
            volumeMounts: [{name: work, mountPath: /work}]
            lifecycle:
              postStart: {httpGet: {path: "/cgi-bin/started?from=good", port: 8080, httpHeaders: [{name: X-Hook, value: poststart}]}}
          - name: bad
            image: \(image)
            command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"]
            lifecycle:
              postStart: {httpGet: {path: /missing, port: 8080}}
        """)
        let pod = try await k.waitForPod("httphook", "good running, bad's hook failed") {
            $0.container("good")?.state?.running != nil && $0.container("bad")?.state?.waiting?.reason == "PostStartHookError"
        }
        // The hook's request, as the server in the pod saw it, read from inside the container.
        let requests = try await k.exec(pod, "good", ["cat", "/work/requests"])
        XCTAssertEqual(requests.output, "GET /cgi-bin/started?from=good poststart\n", "exit \(requests.exitCode)")
        let good = try XCTUnwrap(pod.container("good"))
        XCTAssertEqual(good.restartCount, 0)
        XCTAssertNil(good.lastState?.terminated)

        // A 404 fails the hook: the container is killed, and waits to be tried again.
        let bad = try XCTUnwrap(pod.container("bad"))
        let message = try XCTUnwrap(bad.state?.waiting?.message)
        XCTAssertTrue(message.hasPrefix("HTTP lifecycle hook (/missing) for container \"bad\" in pod \"httphook-testnode_default(\(pod.uid))\" failed"), message)
        XCTAssertTrue(message.hasSuffix("HTTP probe failed with statuscode: 404"), message)
        XCTAssertTrue(bad.lastState?.terminated?.message?.hasPrefix("FailedPostStartHook: ") == true, "\(bad)")
        let killed = try XCTUnwrap(bad.lastState?.terminated?.containerID.map { String($0.dropFirst("skiff://".count)) })
        let status = try? await k.cri.containerStatus(ContainerStatusRequest(containerId: killed)).status
        XCTAssertNotEqual(status?.state, .running, "the container whose hook failed no longer runs")
        XCTAssertFalse(bad.ready)
        XCTAssertTrue(k.recorder.contains("FailedPostStartHook: HTTP lifecycle hook (/missing)"), k.recorder.messages.joined(separator: "\n"))
    }
}
