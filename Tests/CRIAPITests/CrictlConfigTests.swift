// crictl's pod-config.json and container-config.json files, in both spellings a user may
// write: the proto's snake_case field names and the JSON mapping's lowerCamelCase.
import CRIAPI
import Foundation
import XCTest

final class CrictlConfigTests: XCTestCase {
    static let podConfigSnake = """
        {
          "metadata": {"name": "web", "namespace": "team-a", "uid": "0f9d2c", "attempt": 1},
          "hostname": "web-0",
          "log_directory": "/var/log/pods/team-a_web_0f9d2c",
          "dns_config": {"servers": ["10.96.0.10"], "searches": ["team-a.svc.cluster.local"], "options": ["ndots:5"]},
          "port_mappings": [{"protocol": "TCP", "container_port": 80, "host_port": 8080, "host_ip": "127.0.0.1"}],
          "labels": {"app": "web", "io.kubernetes.pod.name": "web"},
          "annotations": {"skiff.io/note": "sample"},
          "linux": {
            "cgroup_parent": "/kubepods/burstable/pod0f9d2c",
            "sysctls": {"net.ipv4.ping_group_range": "0 2147483647"},
            "security_context": {
              "namespace_options": {"network": "POD", "pid": "CONTAINER", "ipc": "POD"},
              "run_as_user": {"value": 0},
              "readonly_rootfs": false,
              "supplemental_groups": [1000],
              "privileged": false,
              "seccomp": {"profile_type": "RuntimeDefault"}
            }
          }
        }
        """

    static let podConfigCamel = """
        {
          "metadata": {"name": "web", "namespace": "team-a", "uid": "0f9d2c", "attempt": 1},
          "hostname": "web-0",
          "logDirectory": "/var/log/pods/team-a_web_0f9d2c",
          "dnsConfig": {"servers": ["10.96.0.10"], "searches": ["team-a.svc.cluster.local"], "options": ["ndots:5"]},
          "portMappings": [{"protocol": "TCP", "containerPort": 80, "hostPort": 8080, "hostIp": "127.0.0.1"}],
          "labels": {"app": "web", "io.kubernetes.pod.name": "web"},
          "annotations": {"skiff.io/note": "sample"},
          "linux": {
            "cgroupParent": "/kubepods/burstable/pod0f9d2c",
            "sysctls": {"net.ipv4.ping_group_range": "0 2147483647"},
            "securityContext": {
              "namespaceOptions": {"network": "POD", "pid": "CONTAINER", "ipc": "POD"},
              "runAsUser": {"value": 0},
              "readonlyRootfs": false,
              "supplementalGroups": [1000],
              "privileged": false,
              "seccomp": {"profileType": "RuntimeDefault"}
            }
          }
        }
        """

    static let containerConfigSnake = """
        {
          "metadata": {"name": "app"},
          "image": {"image": "docker.io/library/busybox:1.36"},
          "command": ["/bin/sh", "-c"],
          "args": ["echo ready; sleep 3600"],
          "working_dir": "/srv",
          "envs": [{"key": "MODE", "value": "test"}, {"key": "EMPTY", "value": ""}],
          "mounts": [{"container_path": "/data", "host_path": "/tmp/data", "readonly": true,
                      "propagation": "PROPAGATION_HOST_TO_CONTAINER"}],
          "devices": [{"container_path": "/dev/fuse", "host_path": "/dev/fuse", "permissions": "rw"}],
          "labels": {"tier": "backend"},
          "log_path": "app/0.log",
          "stdin": false,
          "tty": false,
          "linux": {
            "resources": {"cpu_period": 100000, "cpu_quota": 50000, "cpu_shares": 512,
                          "memory_limit_in_bytes": 67108864, "oom_score_adj": 500,
                          "cpuset_cpus": "0", "unified": {"memory.high": "60000000"}},
            "security_context": {
              "capabilities": {"add_capabilities": ["NET_BIND_SERVICE"], "drop_capabilities": ["ALL"]},
              "run_as_user": {"value": 1000},
              "run_as_group": {"value": 1000},
              "no_new_privs": true,
              "masked_paths": ["/proc/kcore"],
              "readonly_paths": ["/proc/sys"],
              "seccomp": {"profile_type": "Localhost", "localhost_ref": "/etc/skiff/seccomp.json"}
            }
          },
          "stop_signal": "SIGINT"
        }
        """

    static let containerConfigCamel = """
        {
          "metadata": {"name": "app"},
          "image": {"image": "docker.io/library/busybox:1.36"},
          "command": ["/bin/sh", "-c"],
          "args": ["echo ready; sleep 3600"],
          "workingDir": "/srv",
          "envs": [{"key": "MODE", "value": "test"}, {"key": "EMPTY", "value": ""}],
          "mounts": [{"containerPath": "/data", "hostPath": "/tmp/data", "readonly": true,
                      "propagation": "PROPAGATION_HOST_TO_CONTAINER"}],
          "devices": [{"containerPath": "/dev/fuse", "hostPath": "/dev/fuse", "permissions": "rw"}],
          "labels": {"tier": "backend"},
          "logPath": "app/0.log",
          "stdin": false,
          "tty": false,
          "linux": {
            "resources": {"cpuPeriod": "100000", "cpuQuota": "50000", "cpuShares": "512",
                          "memoryLimitInBytes": "67108864", "oomScoreAdj": "500",
                          "cpusetCpus": "0", "unified": {"memory.high": "60000000"}},
            "securityContext": {
              "capabilities": {"addCapabilities": ["NET_BIND_SERVICE"], "dropCapabilities": ["ALL"]},
              "runAsUser": {"value": "1000"},
              "runAsGroup": {"value": "1000"},
              "noNewPrivs": true,
              "maskedPaths": ["/proc/kcore"],
              "readonlyPaths": ["/proc/sys"],
              "seccomp": {"profileType": "Localhost", "localhostRef": "/etc/skiff/seccomp.json"}
            }
          },
          "stopSignal": "SIGINT"
        }
        """

    func testPodConfigInBothSpellings() throws {
        let snake = try CRICodec.decode(PodSandboxConfig.self, from: Data(Self.podConfigSnake.utf8))
        let camel = try CRICodec.decode(PodSandboxConfig.self, from: Data(Self.podConfigCamel.utf8))
        XCTAssertEqual(snake, camel)

        XCTAssertEqual(snake.metadata, PodSandboxMetadata(name: "web", uid: "0f9d2c", namespace: "team-a", attempt: 1))
        XCTAssertEqual(snake.hostname, "web-0")
        XCTAssertEqual(snake.logDirectory, "/var/log/pods/team-a_web_0f9d2c")
        XCTAssertEqual(snake.dnsConfig.servers, ["10.96.0.10"])
        XCTAssertEqual(snake.dnsConfig.options, ["ndots:5"])
        XCTAssertEqual(snake.portMappings, [PortMapping(protocol: .tcp, containerPort: 80, hostPort: 8080, hostIp: "127.0.0.1")])
        XCTAssertEqual(snake.labels["io.kubernetes.pod.name"], "web")
        XCTAssertEqual(snake.annotations, ["skiff.io/note": "sample"])
        XCTAssertEqual(snake.linux.cgroupParent, "/kubepods/burstable/pod0f9d2c")
        XCTAssertEqual(snake.linux.sysctls, ["net.ipv4.ping_group_range": "0 2147483647"])
        let security = snake.linux.securityContext
        XCTAssertEqual(security.namespaceOptions.pid, .container)
        XCTAssertEqual(security.namespaceOptions.network, .pod)
        XCTAssertEqual(security.runAsUser, Int64Value(0))
        XCTAssertNil(security.runAsGroup)
        XCTAssertEqual(security.supplementalGroups, [1000])
        XCTAssertEqual(security.seccomp, SecurityProfile(.runtimeDefault))
        XCTAssertNil(security.apparmor)
    }

    func testContainerConfigInBothSpellings() throws {
        let snake = try CRICodec.decode(ContainerConfig.self, from: Data(Self.containerConfigSnake.utf8))
        let camel = try CRICodec.decode(ContainerConfig.self, from: Data(Self.containerConfigCamel.utf8))
        XCTAssertEqual(snake, camel)

        XCTAssertEqual(snake.metadata, ContainerMetadata(name: "app"))
        XCTAssertEqual(snake.image.image, "docker.io/library/busybox:1.36")
        XCTAssertEqual(snake.command, ["/bin/sh", "-c"])
        XCTAssertEqual(snake.args, ["echo ready; sleep 3600"])
        XCTAssertEqual(snake.workingDir, "/srv")
        XCTAssertEqual(snake.envs, [KeyValue(key: "MODE", value: "test"), KeyValue(key: "EMPTY", value: "")])
        XCTAssertEqual(snake.mounts, [Mount(containerPath: "/data", hostPath: "/tmp/data", readonly: true, propagation: .hostToContainer)])
        XCTAssertEqual(snake.devices, [Device(containerPath: "/dev/fuse", hostPath: "/dev/fuse", permissions: "rw")])
        XCTAssertEqual(snake.logPath, "app/0.log")
        XCTAssertEqual(snake.stopSignal, .SIGINT)
        let resources = snake.linux.resources
        XCTAssertEqual(resources.cpuPeriod, 100_000)
        XCTAssertEqual(resources.cpuQuota, 50_000)
        XCTAssertEqual(resources.cpuShares, 512)
        XCTAssertEqual(resources.memoryLimitInBytes, 64 << 20)
        XCTAssertEqual(resources.oomScoreAdj, 500)
        XCTAssertEqual(resources.cpusetCpus, "0")
        XCTAssertEqual(resources.unified, ["memory.high": "60000000"])
        let security = snake.linux.securityContext
        XCTAssertEqual(security.capabilities.addCapabilities, ["NET_BIND_SERVICE"])
        XCTAssertEqual(security.capabilities.dropCapabilities, ["ALL"])
        XCTAssertEqual(security.runAsUser, Int64Value(1000))
        XCTAssertEqual(security.runAsGroup, Int64Value(1000))
        XCTAssertTrue(security.noNewPrivs)
        XCTAssertEqual(security.maskedPaths, ["/proc/kcore"])
        XCTAssertEqual(security.readonlyPaths, ["/proc/sys"])
        XCTAssertEqual(security.seccomp, SecurityProfile(.localhost, localhostRef: "/etc/skiff/seccomp.json"))
    }

    /// What we write back is lowerCamelCase and reads back the same.
    func testConfigsReencodeAsCamelCase() throws {
        let config = try CRICodec.decode(ContainerConfig.self, from: Data(Self.containerConfigSnake.utf8))
        let text = String(decoding: try CRICodec.encode(config, pretty: true), as: UTF8.self)
        XCTAssertFalse(text.contains("_path\""), text)
        XCTAssertTrue(text.contains("\"memoryLimitInBytes\" : 67108864"), text)
        XCTAssertTrue(text.contains("\"logPath\" : \"app/0.log\""), text)
        XCTAssertEqual(try CRICodec.decode(ContainerConfig.self, from: Data(text.utf8)), config)
    }
}
