// core/v1 types: Kubernetes' JSON field names in and out, unknown fields ignored, times.
import Foundation
import KubeAPI
import XCTest

final class PodCodingTests: XCTestCase {
    func testDecodesAPodWithKubernetesFieldNamesAndIgnoresUnknownFields() throws {
        let json = """
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}, "futureField": 1},
         "spec": {"containers": [{"name": "c", "image": "busybox", "ports": [{"containerPort": 80, "hostPort": 8080, "protocol": "TCP"}],
                  "resources": {"limits": {"memory": "64Mi"}}, "securityContext": {"runAsUser": 1000, "readOnlyRootFilesystem": true},
                  "env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
                  "livenessProbe": {"httpGet": {"port": "http", "path": "/"}}}],
                  "volumes": [{"name": "v", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}}],
                  "affinity": {"nodeAffinity": {}}, "restartPolicy": "OnFailure"}}
        """
        let pod = try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
        XCTAssertEqual(pod.name, "web")
        XCTAssertEqual(pod.namespace, "default")
        XCTAssertEqual(pod.spec.restartPolicy, .onFailure)
        let c = pod.spec.containers[0]
        XCTAssertEqual(c.ports?[0].hostPort, 8080)
        XCTAssertEqual(c.resources?.limits?["memory"]?.value, 64 << 20)
        XCTAssertEqual(c.securityContext?.runAsUser, 1000)
        XCTAssertEqual(c.env?[0].valueFrom?.fieldRef?.fieldPath, "status.podIP")
        XCTAssertEqual(c.livenessProbe?.httpGet?.port, .string("http"))
        XCTAssertEqual(pod.spec.volumes?[0].emptyDir?.medium, .memory)
    }

    func testStatusEncodesAsKubernetesDoes() throws {
        var status = PodStatus()
        status.phase = .running
        status.podIP = "10.88.0.2"
        status.startTime = KubeTime(Date(timeIntervalSince1970: 1_700_000_000))
        var container = ContainerStatus(name: "c", image: "busybox")
        container.state = ContainerState(terminated: ContainerStateTerminated(exitCode: 3, reason: "Error"))
        status.containerStatuses = [container]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(status), as: UTF8.self)
        XCTAssertTrue(text.contains(#""phase":"Running""#), text)
        XCTAssertTrue(text.contains(#""startTime":"2023-11-14T22:13:20Z""#), text)
        XCTAssertTrue(text.contains(#""terminated":{"exitCode":3,"reason":"Error"}"#), text)
        XCTAssertFalse(text.contains("null"), text)
    }

    func testTimesParseRFC3339WithFractionsAndOffsets() throws {
        XCTAssertEqual(KubeTime(rfc3339: "2024-05-01T12:00:00Z")?.date.timeIntervalSince1970, 1_714_564_800)
        XCTAssertEqual(KubeTime(rfc3339: "2024-05-01T14:00:00+02:00")?.date.timeIntervalSince1970, 1_714_564_800)
        XCTAssertEqual(KubeTime(rfc3339: "2024-05-01T12:00:00.5Z")?.date.timeIntervalSince1970, 1_714_564_800.5)
        XCTAssertNil(KubeTime(rfc3339: "yesterday"))
        XCTAssertEqual(KubeTime(Date(timeIntervalSince1970: 1_714_564_800)).rfc3339, "2024-05-01T12:00:00Z")
    }
}
