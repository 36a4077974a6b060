// restartPolicy end to end: Always restarts a crashing container with a growing back-off,
// OnFailure stops once it succeeds, Never keeps the exit code; init containers run in order,
// each to completion, before the app containers.
import CRIAPI
import Foundation
import KubeAPI
import Kubelet
import TestSupport
import XCTest

final class RestartPolicyTests: XCTestCase {
    func pod(_ name: String, restartPolicy: String, command: String, extra: String = "") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: \(name)}
        spec:
          restartPolicy: \(restartPolicy)
          terminationGracePeriodSeconds: 1
          volumes:
          - {name: work, emptyDir: {}}
          containers:
          - name: main
            image: 127.0.0.1:5000/test/busybox:1
            command: ["sh", "-c", "\(command)"]
            volumeMounts: [{name: work, mountPath: /work}]
        \(extra)
        """
    }

    func testAlwaysRestartsACrashingContainerWithGrowingBackOff() async throws {
        // Back-off 1 s doubling to 8 s (the kubelet's is 10 s to 5 min): starts at about 0, 1, 3, 7 s.
        let k = try KubeletHarness(self)
        try k.write("crash.yaml", pod("crash", restartPolicy: "Always", command: "cut -d' ' -f1 /proc/uptime >> /work/starts; exit 3"))
        let pod = try await k.waitForPod("crash", "three restarts", timeout: 40) { ($0.container("main")?.restartCount ?? 0) >= 3 }
        XCTAssertEqual(pod.phase, .running, "a crash-looping pod is Running, as in Kubernetes")
        let starts = try String(contentsOfFile: k.root + "/pods/\(pod.uid)/volumes/kubernetes.io~empty-dir/work/starts", encoding: .utf8)
            .split(separator: "\n").compactMap { Double($0) }
        guard starts.count >= 4 else { return XCTFail("expected 4 starts: \(starts)") }
        let gaps = zip(starts.dropFirst(), starts).map { $0 - $1 }
        XCTAssertLessThan(gaps[0], 1.0, "the first restart is immediate: \(gaps)")
        XCTAssertGreaterThan(gaps[1], 0.9, "then 1 s: \(gaps)")
        XCTAssertGreaterThan(gaps[2], 1.9, "then 2 s: \(gaps)")
        XCTAssertGreaterThan(gaps[2], gaps[1] + 0.5, "the back-off grows: \(gaps)")

        let waiting = try await k.waitForPod("crash", "CrashLoopBackOff") { $0.container("main")?.state?.waiting?.reason == "CrashLoopBackOff" }
        let main = try XCTUnwrap(waiting.container("main"))
        XCTAssertEqual(main.lastState?.terminated?.exitCode, 3)
        XCTAssertEqual(main.lastState?.terminated?.reason, "Error")
        XCTAssertTrue(main.state?.waiting?.message?.contains("back-off") == true, "\(main)")
        XCTAssertFalse(main.ready)
        XCTAssertEqual(waiting.status?.condition(.ready)?.status, .false)
        // Dead instances are collected: the newest and the one before stay.
        var filter = ContainerFilter()
        filter.labelSelector = ["io.kubernetes.pod.uid": pod.uid]
        try await k.waitFor("old instances to be removed") {
            try await k.cri.listContainers(ListContainersRequest(filter: filter)).containers.count <= 2
        }
    }

    func testOnFailureRestartsUntilSuccessThenStops() async throws {
        let k = try KubeletHarness(self)
        try k.write("once.yaml", pod("once", restartPolicy: "OnFailure",
                                     command: "if [ -f /work/ran ]; then echo second; exit 0; fi; touch /work/ran; exit 5"))
        let pod = try await k.waitForPod("once", "Succeeded") { $0.phase == .succeeded }
        let main = try XCTUnwrap(pod.container("main"))
        XCTAssertEqual(main.restartCount, 1)
        XCTAssertEqual(main.state?.terminated?.exitCode, 0)
        XCTAssertEqual(main.state?.terminated?.reason, "Completed")
        XCTAssertEqual(main.lastState?.terminated?.exitCode, 5)
        XCTAssertEqual(pod.status?.condition(.ready)?.reason, "PodCompleted")
        // Finished: no restart follows, and the sandbox is released.
        try await k.waitFor("the sandbox to stop") { try await k.sandboxes(uid: pod.uid).allSatisfy { $0.state == .notReady } }
        try await Task.sleep(for: .seconds(3))
        XCTAssertEqual(k.pod("once")?.container("main")?.restartCount, 1)
        XCTAssertEqual(k.pod("once")?.phase, .succeeded)
    }

    func testNeverKeepsTheContainerTerminatedWithItsExitCodeAndMessage() async throws {
        let k = try KubeletHarness(self)
        try k.write("never.yaml", pod("never", restartPolicy: "Never", command: "echo 'disk full' > /dev/termination-log; exit 7", extra: """
          - name: fallback
            image: 127.0.0.1:5000/test/busybox:1
            command: ["sh", "-c", "echo last words; exit 1"]
            terminationMessagePolicy: FallbackToLogsOnError
        """))
        let pod = try await k.waitForPod("never", "Failed") { $0.phase == .failed }
        let main = try XCTUnwrap(pod.container("main"))
        XCTAssertEqual(main.state?.terminated?.exitCode, 7)
        XCTAssertEqual(main.state?.terminated?.reason, "Error")
        XCTAssertEqual(main.state?.terminated?.message, "disk full\n")
        XCTAssertEqual(main.restartCount, 0)
        XCTAssertEqual(pod.container("fallback")?.state?.terminated?.message, "last words")
        try await Task.sleep(for: .seconds(2))
        XCTAssertEqual(k.pod("never")?.container("main")?.restartCount, 0)
    }

    func testInitContainersRunInOrderBeforeTheApp() async throws {
        let k = try KubeletHarness(self)
        try k.write("init.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: init}
        spec:
          terminationGracePeriodSeconds: 1
          initContainers:
          - name: first
            image: 127.0.0.1:5000/test/busybox:1
            command: ["sh", "-c", "sleep 1; echo first >> /work/order"]
            volumeMounts: [{name: work, mountPath: /work}]
          - name: second
            image: 127.0.0.1:5000/test/busybox:1
            command: ["sh", "-c", "echo second >> /work/order"]
            volumeMounts: [{name: work, mountPath: /work}]
          containers:
          - name: app
            image: 127.0.0.1:5000/test/busybox:1
            command: ["sh", "-c", "echo app >> /work/order; trap 'exit 0' TERM; while true; do sleep 1; done"]
            volumeMounts: [{name: work, mountPath: /work}]
          volumes:
          - {name: work, emptyDir: {}}
        """)
        let pending = try await k.waitForPod("init", "initializing") { $0.container("first")?.state?.running != nil }
        XCTAssertEqual(pending.phase, .pending)
        XCTAssertEqual(pending.status?.condition(.initialized)?.status, .false)
        XCTAssertEqual(pending.container("app")?.state?.waiting?.reason, "PodInitializing")

        let pod = try await k.waitForPod("init", "Running") { $0.phase == .running }
        let orderFile = k.root + "/pods/\(pod.uid)/volumes/kubernetes.io~empty-dir/work/order"
        try await k.waitFor("the app's line after the init containers'") {
            ((try? String(contentsOfFile: orderFile, encoding: .utf8)) ?? "").hasSuffix("app\n")
        }
        XCTAssertEqual(try String(contentsOfFile: orderFile, encoding: .utf8), "first\nsecond\napp\n")
        XCTAssertEqual(pod.status?.condition(.initialized)?.status, .true)
        for name in ["first", "second"] {
            XCTAssertEqual(pod.container(name)?.state?.terminated?.reason, "Completed", name)
            XCTAssertEqual(pod.container(name)?.ready, true, name)
        }
    }
}
