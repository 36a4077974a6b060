// Static pod manifests: YAML and JSON decoding, errors that name the field, validation, the
// UID the kubelet derives, the name suffix and the API server's defaults.
import Foundation
import KubeAPI
@testable import Kubelet
import XCTest

final class ManifestTests: XCTestCase {
    let yaml = """
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: registry.local/busybox:1
        command: ["sh", "-c", "sleep 1000"]
        resources:
          limits: {cpu: 500m, memory: 64Mi}
        ports:
        - containerPort: 80
    """

    func testDecodesYAMLAndJSON() throws {
        let pod = try ManifestDecoder.decodePod(Data(yaml.utf8))
        XCTAssertEqual(pod.name, "web")
        XCTAssertEqual(pod.spec.containers[0].command, ["sh", "-c", "sleep 1000"])
        XCTAssertEqual(pod.spec.containers[0].resources?.limits?["cpu"]?.milliValue, 500)
        let json = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"j"},"spec":{"containers":[{"name":"a","image":"x:1"}]}}"#
        XCTAssertEqual(try ManifestDecoder.decodePod(Data(json.utf8)).name, "j")
    }

    func testDecodeErrorsNameTheField() {
        func message(_ text: String) -> String {
            do {
                _ = try ManifestDecoder.decodePod(Data(text.utf8))
                return "(decoded)"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(message("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - image: busybox\n"),
                       "spec.containers[0].name: Required value")
        XCTAssertEqual(message("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: a\n    ports: [{containerPort: http}]\n"),
                       "spec.containers[0].ports[0].containerPort: expected an integer")
        XCTAssertEqual(message("apiVersion: apps/v1\nkind: Deployment\n"), "kind is \"Deployment\": a static pod manifest holds one Pod")
        XCTAssertEqual(message("metadata: {name: x}\n"), "kind: Required value (expected Pod)")
        XCTAssertEqual(message(""), "the file is empty (expected one Pod)")
        XCTAssertTrue(message("kind: Pod\n---\nkind: Pod\n").contains("2 YAML documents"))
        XCTAssertTrue(message("kind: Pod\nspec: [unclosed\n").hasPrefix("not valid YAML"), message("kind: Pod\nspec: [unclosed\n"))
        XCTAssertTrue(message(yaml.replacingOccurrences(of: "64Mi", with: "64Mx")).contains("spec.containers[0].resources.limits.memory"),
                      message(yaml.replacingOccurrences(of: "64Mi", with: "64Mx")))
    }

    func testValidationReportsEachProblemByPath() throws {
        var pod = try ManifestDecoder.decodePod(Data(yaml.utf8))
        pod.metadata.name = "Web_1"
        pod.spec.restartPolicy = "Sometimes"
        pod.spec.containers.append(KubeAPI.Container(name: "app", image: ""))
        pod.spec.containers[0].volumeMounts = [VolumeMount(name: "missing", mountPath: "data")]
        pod.spec.containers[0].resources?.requests = ["memory": "128Mi"]
        pod.spec.volumes = [Volume(name: "nothing")]
        let errors = PodValidation.validate(pod)
        let joined = errors.joined(separator: "\n")
        for expected in ["metadata.name: Invalid value \"Web_1\"", "spec.restartPolicy: Unsupported value \"Sometimes\"",
                         "spec.containers[1].name: Duplicate value \"app\"", "spec.containers[1].image: Required value",
                         "spec.containers[0].volumeMounts[0].name: Not found: \"missing\"",
                         "spec.containers[0].volumeMounts[0].mountPath: Invalid value \"data\": must be an absolute path",
                         "spec.containers[0].resources.requests[memory]: Invalid value \"128Mi\": must be less than or equal to memory limit of 64Mi",
                         "spec.volumes[0]: Required value: no volume source"] {
            XCTAssertTrue(joined.contains(expected), "missing \(expected) in\n\(joined)")
        }
        XCTAssertEqual(PodValidation.validate(try ManifestDecoder.decodePod(Data(yaml.utf8))), [])
    }

    func testStaticPodUIDComesFromTheManifestNodeAndFile() throws {
        let pod = try ManifestDecoder.decodePod(Data(yaml.utf8))
        let uid = StaticPod.uid(for: pod, nodeName: "node1", path: "/etc/skiff/manifests/web.yaml")
        XCTAssertEqual(uid.count, 32)
        XCTAssertTrue(uid.allSatisfy(\.isHexDigit))
        // Same content, same node, same file: the same UID, whatever the formatting.
        let reformatted = try ManifestDecoder.decodePod(Data((yaml.replacingOccurrences(of: "labels: {app: web}", with: "labels:\n    app: web") + "\n# a comment\n").utf8))
        XCTAssertEqual(StaticPod.uid(for: reformatted, nodeName: "node1", path: "/etc/skiff/manifests/web.yaml"), uid)
        XCTAssertNotEqual(StaticPod.uid(for: pod, nodeName: "node2", path: "/etc/skiff/manifests/web.yaml"), uid)
        var changed = pod
        changed.spec.containers[0].image = "registry.local/busybox:2"
        XCTAssertNotEqual(StaticPod.uid(for: changed, nodeName: "node1", path: "/etc/skiff/manifests/web.yaml"), uid)
    }

    func testPrepareNamesDefaultsAndAnnotatesTheStaticPod() throws {
        let pod = StaticPod.prepare(try ManifestDecoder.decodePod(Data(yaml.utf8)), nodeName: "Node1", path: "/m/web.yaml")
        XCTAssertEqual(pod.name, "web-node1")
        XCTAssertEqual(pod.namespace, "default")
        XCTAssertEqual(pod.spec.nodeName, "Node1")
        XCTAssertEqual(pod.metadata.annotations?["kubernetes.io/config.source"], "file")
        XCTAssertEqual(pod.metadata.annotations?["kubernetes.io/config.hash"], pod.uid)
        XCTAssertEqual(pod.spec.restartPolicy, .always)
        XCTAssertEqual(pod.spec.dnsPolicy, .clusterFirst)
        XCTAssertEqual(pod.spec.terminationGracePeriodSeconds, 30)
        let c = pod.spec.containers[0]
        XCTAssertEqual(c.imagePullPolicy, .ifNotPresent)
        XCTAssertEqual(c.terminationMessagePath, "/dev/termination-log")
        XCTAssertEqual(c.terminationMessagePolicy, .file)
        XCTAssertEqual(c.ports?[0].protocol, .tcp)
        // Requests default to the limits.
        XCTAssertEqual(c.resources?.requests?["memory"]?.value, 64 << 20)
    }

    func testDefaultPullPolicyFollowsTheTag() {
        XCTAssertEqual(StaticPod.defaultPullPolicy("busybox"), .always)
        XCTAssertEqual(StaticPod.defaultPullPolicy("busybox:latest"), .always)
        XCTAssertEqual(StaticPod.defaultPullPolicy("127.0.0.1:5000/busybox"), .always)
        XCTAssertEqual(StaticPod.defaultPullPolicy("127.0.0.1:5000/busybox:1"), .ifNotPresent)
        XCTAssertEqual(StaticPod.defaultPullPolicy("busybox@sha256:abc"), .ifNotPresent)
    }

    func testKubeletConfigurationAndDurations() throws {
        let dir = try makeTemporaryDirectory()
        let path = dir + "/config.yaml"
        try """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        staticPodPath: /etc/skiff/manifests
        port: 10350
        syncFrequency: 1m30s
        clusterDNS: [10.96.0.10]
        someFutureSetting: true
        """.write(toFile: path, atomically: true, encoding: .utf8)
        var settings = KubeletSettings(nodeName: "n")
        try KubeletConfiguration.load(path: path).apply(to: &settings)
        XCTAssertEqual(settings.staticPodPath, "/etc/skiff/manifests")
        XCTAssertEqual(settings.port, 10350)
        XCTAssertEqual(settings.syncFrequency, .seconds(90))
        XCTAssertEqual(settings.clusterDNS, ["10.96.0.10"])
        try "kind: KubeletConfiguration\nsyncFrequency: soon\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try KubeletConfiguration.load(path: path)) { error in
            XCTAssertTrue("\(error)".contains("syncFrequency") && "\(error)".contains("\"soon\""), "\(error)")
        }
        XCTAssertEqual(try GoDuration.parse("500ms"), .milliseconds(500))
        XCTAssertEqual(try GoDuration.parse("1h2m3s"), .seconds(3723))
    }

    private func makeTemporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "kubelet-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }
}
