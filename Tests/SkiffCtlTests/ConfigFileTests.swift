// crictl's config files in JSON or YAML, snake_case or lowerCamelCase; errors name the file.
import CRIAPI
import Foundation
import SkiffCtl
import TestSupport
import XCTest

final class ConfigFileTests: XCTestCase {
    func testYAMLPodConfigInSnakeCase() throws {
        let dir = try makeScratchDirectory("ctl-config")
        try """
            metadata:
              name: web
              namespace: team-a
              uid: "0f9d2c"
              attempt: 1
            hostname: web-0
            log_directory: /var/log/pods/team-a_web_0f9d2c
            port_mappings:
              - protocol: TCP
                container_port: 80
                host_port: 8080
            labels:
              app: web
              enabled: "true"
            linux:
              security_context:
                namespace_options: {network: POD, pid: CONTAINER}
                run_as_user: {value: 0}
            """.write(toFile: dir + "/pod.yaml", atomically: true, encoding: .utf8)
        let config = try ConfigFile.load(PodSandboxConfig.self, from: dir + "/pod.yaml")
        XCTAssertEqual(config.metadata.name, "web")
        XCTAssertEqual(config.metadata.uid, "0f9d2c")
        XCTAssertEqual(config.metadata.attempt, 1)
        XCTAssertEqual(config.logDirectory, "/var/log/pods/team-a_web_0f9d2c")
        XCTAssertEqual(config.portMappings.first?.hostPort, 8080)
        XCTAssertEqual(config.labels, ["app": "web", "enabled": "true"])
        XCTAssertEqual(config.linux.securityContext.runAsUser?.value, 0)
    }

    func testJSONContainerConfigInCamelCase() throws {
        let dir = try makeScratchDirectory("ctl-config")
        try #"{"metadata": {"name": "app"}, "image": {"image": "busybox"}, "command": ["sh", "-c", "echo hi"], "logPath": "app/0.log"}"#
            .write(toFile: dir + "/c.json", atomically: true, encoding: .utf8)
        let config = try ConfigFile.load(ContainerConfig.self, from: dir + "/c.json")
        XCTAssertEqual(config.command, ["sh", "-c", "echo hi"])
        XCTAssertEqual(config.logPath, "app/0.log")
    }

    func testErrorsNameTheFileAndTheField() throws {
        let dir = try makeScratchDirectory("ctl-config")
        XCTAssertThrowsError(try ConfigFile.load(PodSandboxConfig.self, from: dir + "/missing.json")) { error in
            XCTAssertTrue("\(error)".contains("missing.json"), "\(error)")
            XCTAssertTrue("\(error)".contains("no such file") || "\(error)".contains("No such file"), "\(error)")
        }
        try "metadata:\n  name: web\n  attempt: lots\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ConfigFile.load(PodSandboxConfig.self, from: dir + "/bad.yaml")) { error in
            XCTAssertTrue("\(error)".contains("bad.yaml"), "\(error)")
            XCTAssertTrue("\(error)".contains("attempt"), "\(error)")
        }
        try "metadata: [unclosed\n".write(toFile: dir + "/broken.yaml", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ConfigFile.load(PodSandboxConfig.self, from: dir + "/broken.yaml")) { error in
            XCTAssertTrue("\(error)".contains("broken.yaml"), "\(error)")
        }
        try "- just\n- a list\n".write(toFile: dir + "/list.yaml", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ConfigFile.load(PodSandboxConfig.self, from: dir + "/list.yaml")) { error in
            XCTAssertTrue("\(error)".contains("mapping"), "\(error)")
        }
    }
}
