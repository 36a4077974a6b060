// Static pods end to end: a manifest written into the directory runs, changing it replaces the
// pod, removing it removes the pod; a broken manifest is reported and leaves the others alone;
// what inotify cannot see is picked up at the next periodic re-read.
import CRIAPI
import Foundation
import KubeAPI
import Kubelet
import TestSupport
import XCTest

final class StaticPodTests: XCTestCase {
    func manifest(_ name: String, message: String = "hello", extra: String = "") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
          labels: {app: \(name)}
        spec:
          terminationGracePeriodSeconds: 2
          containers:
          - name: app
            image: 127.0.0.1:5000/test/busybox:1
            command: ["sh", "-c", "echo \(message); trap 'exit 0' TERM; while true; do sleep 1; done"]
        \(extra)
        """
    }

    func testAManifestRunsIsReplacedWhenChangedAndRemovedWhenDeleted() async throws {
        let k = try KubeletHarness(self)
        let written = Date()
        try k.write("web.yaml", manifest("web"))
        let pod = try await k.waitForPod("web", "Running") { $0.phase == .running }
        let seenRunning = Date().timeIntervalSince(written)
        let status = try XCTUnwrap(pod.status)
        XCTAssertEqual(pod.metadata.annotations?["kubernetes.io/config.source"], "file")
        XCTAssertEqual(status.podIP?.hasPrefix("10."), true, k.describe(pod))
        XCTAssertEqual(status.podIPs?.first?.ip, status.podIP)
        XCTAssertEqual(status.qosClass, .bestEffort)
        XCTAssertNotNil(status.startTime)
        XCTAssertEqual(status.condition(.ready)?.status, .true)
        XCTAssertEqual(status.condition(.initialized)?.status, .true)
        XCTAssertEqual(status.condition(.podScheduled)?.status, .true)
        let app = try XCTUnwrap(pod.container("app"))
        XCTAssertNotNil(app.state?.running?.startedAt)
        XCTAssertTrue(app.ready)
        XCTAssertEqual(app.restartCount, 0)
        XCTAssertEqual(app.image, k.image)
        XCTAssertFalse(app.imageID.isEmpty)
        XCTAssertEqual(app.containerID?.hasPrefix("skiff://"), true)
        let sandboxes = try await k.sandboxes(uid: pod.uid)
        XCTAssertEqual(sandboxes.count, 1)
        XCTAssertEqual(sandboxes.first?.metadata.name, "web-testnode")
        XCTAssertEqual(sandboxes.first?.labels["io.kubernetes.pod.uid"], pod.uid)
        let logPath = k.logs + "/default_web-testnode_\(pod.uid)/app/0.log"
        XCTAssertEqual(k.kubelet.statuses.logPath(namespace: "default", pod: "web-testnode", container: "app"), logPath)
        try await k.waitFor("the container's first line in its log") {
            ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").contains("stdout F hello")
        }
        print("manifest written to pod Running: \(Int(seenRunning * 1000)) ms")

        // Changed: a new UID, by the kubelet's rule (the manifest's content, the node, the file);
        // the old pod goes, the new one runs in a new sandbox with new containers.
        try k.write("web.yaml", manifest("web", message: "changed"))
        let replaced = try await k.waitForPod("web", "replaced and Running") { $0.uid != pod.uid && $0.phase == .running }
        let decoded = try ManifestDecoder.decodePod(Data(manifest("web", message: "changed").utf8))
        XCTAssertEqual(replaced.uid, StaticPod.uid(for: decoded, nodeName: "testnode", path: k.manifests + "/web.yaml"))
        XCTAssertNotEqual(try k.containerID(replaced, "app"), try k.containerID(pod, "app"))
        XCTAssertEqual(replaced.container("app")?.restartCount, 0, "a new pod, not a restart")
        try await k.waitFor("the old sandbox to be removed") { try await k.sandboxes(uid: pod.uid).isEmpty }
        let newSandboxes = try await k.sandboxes(uid: replaced.uid)
        XCTAssertEqual(newSandboxes.count, 1)
        let output1 = try await k.exec(replaced, "app", ["cat", "/proc/1/cmdline"]).output
        XCTAssertEqual(output1.contains("changed"), true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: k.root + "/pods/" + pod.uid))

        // Deleted: the pod, its sandbox, its files and its cgroup go.
        try k.remove("web.yaml")
        try await k.waitFor("the pod to be removed") { k.pod("web") == nil }
        let left = try await k.sandboxes(uid: replaced.uid)
        XCTAssertEqual(left.count, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: k.root + "/pods/" + replaced.uid))
        XCTAssertFalse(FileManager.default.fileExists(atPath: k.logs + "/default_web-testnode_\(replaced.uid)"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: k.cgroupPath("memory", "kubepods/besteffort/pod" + replaced.uid)))
    }

    func testWhatTheWatchCannotSeeIsPickedUpAtTheResync() async throws {
        // inotify sees neither a directory that is not there yet nor a change to a file that a
        // manifest links to elsewhere (config tools link manifests into versioned directories):
        // only the periodic re-read (fileCheckFrequency) finds those.
        var later = ""
        let k = try KubeletHarness(self) { settings in
            settings.staticPodPath = (settings.staticPodPath ?? "") + "-later"
            settings.fileCheckFrequency = .seconds(2)
            later = settings.staticPodPath ?? ""
        }
        let versions = k.node.directory + "/versions"
        try await k.waitFor("the kubelet to find the static pod path missing") { k.recorder.contains("static pod path \(later) cannot be read") }

        // The directory appears with a manifest in it: no watch is there to see it.
        try FileManager.default.createDirectory(atPath: versions, withIntermediateDirectories: true)
        try manifest("web", message: "first").write(toFile: versions + "/web.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: later, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: later + "/web.yaml", withDestinationPath: versions + "/web.yaml")
        let first = try await k.waitForPod("web", "Running from the directory made after the start", timeout: 20) { $0.phase == .running }
        let firstLine = try await k.exec(first, "app", ["cat", "/proc/1/cmdline"]).output
        XCTAssertTrue(firstLine.contains("first"), firstLine)

        // The linked file changes where no watch looks (the resync also set up the directory's
        // watch by now): the next re-read replaces the pod.
        try manifest("web", message: "second").write(toFile: versions + "/web.yaml", atomically: true, encoding: .utf8)
        let second = try await k.waitForPod("web", "replaced from the changed linked file", timeout: 20) {
            $0.uid != first.uid && $0.phase == .running
        }
        let decoded = try ManifestDecoder.decodePod(Data(manifest("web", message: "second").utf8))
        XCTAssertEqual(second.uid, StaticPod.uid(for: decoded, nodeName: "testnode", path: later + "/web.yaml"))
        let secondLine = try await k.exec(second, "app", ["cat", "/proc/1/cmdline"]).output
        XCTAssertTrue(secondLine.contains("second"), secondLine)
        try await k.waitFor("the first pod's sandbox to be removed") { try await k.sandboxes(uid: first.uid).isEmpty }
    }

    func testAManifestThatNamesItsUIDIsUpdatedInPlace() async throws {
        // With metadata.uid set, a change keeps the pod (and its sandbox); only the containers
        // whose spec changed are restarted, as the kubelet does for a pod update.
        let k = try KubeletHarness(self)
        func manifest(_ version: String) -> String {
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: fixed, uid: 0f1e2d3c-fixed-uid}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - {name: app, image: "127.0.0.1:5000/test/busybox:1", command: ["sh", "-c", "echo \(version); trap 'exit 0' TERM; while true; do sleep 0.2; done"]}
              - {name: steady, image: "127.0.0.1:5000/test/busybox:1", command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]}
            """
        }
        try k.write("fixed.yaml", manifest("v1"))
        let first = try await k.waitForPod("fixed", "Running") { $0.phase == .running && $0.container("steady")?.state?.running != nil }
        XCTAssertEqual(first.uid, "0f1e2d3c-fixed-uid")
        let sandbox = try await k.sandboxes(uid: first.uid).first?.id
        let steady = try k.containerID(first, "steady")

        try k.write("fixed.yaml", manifest("v2"))
        let updated = try await k.waitForPod("fixed", "app restarted from the new spec") {
            $0.container("app")?.restartCount == 1 && $0.container("app")?.state?.running != nil
        }
        XCTAssertEqual(updated.uid, first.uid)
        let cmdline = try await k.exec(updated, "app", ["cat", "/proc/1/cmdline"]).output
        XCTAssertTrue(cmdline.contains("v2"), cmdline)
        XCTAssertEqual(updated.container("app")?.lastState?.terminated?.message, "Container app definition changed, will be restarted")
        XCTAssertEqual(try k.containerID(updated, "steady"), steady, "an unchanged container keeps running")
        XCTAssertEqual(updated.container("steady")?.restartCount, 0)
        let sandboxes = try await k.sandboxes(uid: first.uid)
        XCTAssertEqual(sandboxes.map(\.id), [sandbox].compactMap { $0 }, "the same sandbox")
    }

    func testABrokenManifestIsReportedAndTheGoodOneRuns() async throws {
        let k = try KubeletHarness(self)
        try k.write("broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: broken}\nspec:\n  containers:\n  - image: busybox\n")
        try k.write("invalid.json", #"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "Bad_Name"}, "spec": {"containers": [{"name": "a", "image": "x:1"}]}}"#)
        try k.write(".hidden.yaml", "not a pod at all")
        try k.write("good.yaml", manifest("good"))
        _ = try await k.waitForPod("good", "Running") { $0.phase == .running }
        let errors = Dictionary(k.kubelet.manifestErrors.map { (($0.path as NSString).lastPathComponent, $0.message) }, uniquingKeysWith: { $1 })
        XCTAssertEqual(errors["broken.yaml"], "spec.containers[0].name: Required value")
        XCTAssertTrue(errors["invalid.json"]?.contains("metadata.name: Invalid value \"Bad_Name\"") == true, "\(errors)")
        XCTAssertNil(errors[".hidden.yaml"], "dotfiles are not manifests")
        XCTAssertEqual(k.kubelet.statuses.all().map(\.name), ["good-testnode"])
        XCTAssertTrue(k.recorder.contains("broken.yaml: spec.containers[0].name: Required value"), k.recorder.messages.joined(separator: "\n"))

        // Fixed, it runs too, and the error is gone.
        try k.write("broken.yaml", manifest("broken"))
        _ = try await k.waitForPod("broken", "Running") { $0.phase == .running }
        XCTAssertEqual(k.kubelet.manifestErrors.map { ($0.path as NSString).lastPathComponent }, ["invalid.json"])
    }
}

final class KubeletRestartTests: XCTestCase {
    func testARestartedKubeletAdoptsItsPodsAndRemovesThoseWhoseManifestWent() async throws {
        let k = try KubeletHarness(self)
        let manifest = { (name: String) in
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - {name: app, image: "127.0.0.1:5000/test/busybox:1", command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]}
            """
        }
        try k.write("keep.yaml", manifest("keep"))
        try k.write("drop.yaml", manifest("drop"))
        let keep = try await k.waitForPod("keep", "Running") { $0.phase == .running }
        let drop = try await k.waitForPod("drop", "Running") { $0.phase == .running }
        let container = try k.containerID(keep, "app")

        try await k.restart { try k.remove("drop.yaml") }
        let adopted = try await k.waitForPod("keep", "Running again") { $0.phase == .running }
        XCTAssertEqual(adopted.uid, keep.uid)
        XCTAssertEqual(try k.containerID(adopted, "app"), container, "the same container, not a new one")
        XCTAssertEqual(adopted.container("app")?.restartCount, 0)
        try await k.waitFor("the pod whose manifest went to be removed") { try await k.sandboxes(uid: drop.uid).isEmpty }
        XCTAssertFalse(FileManager.default.fileExists(atPath: k.root + "/pods/" + drop.uid))
        let sandboxes = try await k.sandboxes(uid: keep.uid)
        XCTAssertEqual(sandboxes.count, 1)
    }
}
