// Lifecycle hooks and graceful termination end to end: preStop (exec and httpGet) runs before
// the stop signal, the grace period is honoured (a container that ignores TERM is killed when
// it runs out, one that stops at once is not waited for), postStart runs after the start,
// and a failing postStart kills the container (FailedPostStartHook).
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

    func testTheGracePeriodIsHonouredThenTheContainerIsKilled() async throws {
        let k = try KubeletHarness(self)
        func manifest(_ name: String, trap: String) -> String {
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              terminationGracePeriodSeconds: 4
              containers:
              - name: main
                image: \(image)
                command: ["sh", "-c", "trap '\(trap)' TERM; while true; do sleep 0.1; done"]
            """
        }
        try k.write("stubborn.yaml", manifest("stubborn", trap: ""))      // TERM ignored
        try k.write("polite.yaml", manifest("polite", trap: "exit 0"))   // stops on TERM
        let stubborn = try await k.waitForPod("stubborn", "running") { $0.container("main")?.state?.running != nil }
        let polite = try await k.waitForPod("polite", "running") { $0.container("main")?.state?.running != nil }
        let stubbornID = try k.containerID(stubborn, "main"), politeID = try k.containerID(polite, "main")

        let started = Date()
        try k.remove("polite.yaml")
        try k.remove("stubborn.yaml")
        var politeStopped: TimeInterval?, stubbornStopped: TimeInterval?
        var stubbornExit: Int32?
        try await k.waitFor("both containers to stop", timeout: 30) {
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
        XCTAssertLessThan(try XCTUnwrap(stubbornStopped), 9)
        if let stubbornExit { XCTAssertEqual(stubbornExit, 137, "SIGKILL") }
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
}
