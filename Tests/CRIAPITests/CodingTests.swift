// The proto3 JSON mapping of the CRI messages: names, zero values, enums, integers, maps, bytes.
import CRIAPI
import Foundation
import XCTest

final class CodingTests: XCTestCase {
    private func json(_ value: some Encodable) throws -> String {
        String(decoding: try CRICodec.encode(value), as: UTF8.self)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try CRICodec.decode(type, from: Data(text.utf8))
    }

    func testNestedMessagesRoundTrip() throws {
        let sandbox = PodSandboxConfig.with {
            $0.metadata = PodSandboxMetadata(name: "web", uid: "u-1", namespace: "default", attempt: 2)
            $0.hostname = "web"
            $0.logDirectory = "/var/log/pods/default_web_u-1"
            $0.dnsConfig.servers = ["10.96.0.10"]
            $0.portMappings = [PortMapping(protocol: .udp, containerPort: 53, hostPort: 5353, hostIp: "127.0.0.1")]
            $0.labels = ["app": "web"]
            $0.linux.cgroupParent = "/kubepods/besteffort/podu-1"
            $0.linux.sysctls = ["net.ipv4.ip_forward": "1"]
            $0.linux.securityContext.namespaceOptions.pid = .container
            $0.linux.securityContext.runAsUser = Int64Value(0)
            $0.linux.securityContext.seccomp = SecurityProfile(.localhost, localhostRef: "/etc/seccomp.json")
        }
        let container = ContainerConfig.with {
            $0.metadata = ContainerMetadata(name: "nginx", attempt: 1)
            $0.image = ImageSpec(image: "docker.io/library/nginx:1.25")
            $0.command = ["/bin/sh", "-c"]
            $0.args = ["echo hi"]
            $0.envs = [KeyValue(key: "A", value: "1")]
            $0.mounts = [Mount(containerPath: "/data", hostPath: "/srv/data", readonly: true, propagation: .hostToContainer)]
            $0.devices = [Device(containerPath: "/dev/fuse", hostPath: "/dev/fuse")]
            $0.linux.resources.memoryLimitInBytes = 64 << 20
            $0.linux.resources.hugepageLimits = [HugepageLimit(pageSize: "2MB", limit: 1 << 30)]
            $0.linux.securityContext.capabilities.addCapabilities = ["NET_ADMIN"]
            $0.linux.securityContext.supplementalGroups = [1, 2]
            $0.cdiDevices = [CDIDevice(name: "vendor.com/gpu=0")]
            $0.stopSignal = .SIGQUIT
        }
        let request = CreateContainerRequest(podSandboxId: "p1", config: container, sandboxConfig: sandbox)

        let decoded = try CRICodec.decode(CreateContainerRequest.self, from: CRICodec.encode(request))
        XCTAssertEqual(decoded, request)
        XCTAssertEqual(decoded.sandboxConfig.metadata.name, "web")
        XCTAssertEqual(decoded.config.linux.securityContext.capabilities.addCapabilities, ["NET_ADMIN"])
    }

    func testMissingAndNullFieldsAreZeroValues() throws {
        let status = try decode(ContainerStatus.self, #"{"id": "c1", "exitCode": null}"#)
        XCTAssertEqual(status.id, "c1")
        XCTAssertEqual(status.metadata.name, "")
        XCTAssertEqual(status.state, .created)
        XCTAssertEqual(status.exitCode, 0)
        XCTAssertEqual(status.labels, [:])
        XCTAssertEqual(status.mounts, [])
        XCTAssertNil(status.resources)
        XCTAssertEqual(try decode(RunPodSandboxRequest.self, "{}"), RunPodSandboxRequest())
    }

    func testOutputIsLowerCamelCaseWithSortedKeys() throws {
        XCTAssertEqual(
            try json(PortMapping(protocol: .tcp, containerPort: 80, hostPort: 8080, hostIp: "0.0.0.0")),
            #"{"containerPort":80,"hostIp":"0.0.0.0","hostPort":8080,"protocol":"TCP"}"#)
        XCTAssertEqual(try json(StopContainerRequest(containerId: "c1", timeout: 10)),
                       #"{"containerId":"c1","timeout":10}"#)
        // Optional messages that are absent are left out; zero values are written.
        XCTAssertEqual(try json(ImageStatusResponse()), #"{"info":{}}"#)
        XCTAssertEqual(try json(StopPodSandboxResponse()), "{}")
    }

    func testSnakeCaseAndCamelCaseFieldNamesDecodeAlike() throws {
        let snake = try decode(ContainerFilter.self, """
            {"id": "c", "pod_sandbox_id": "p", "state": {"state": "CONTAINER_EXITED"},
             "label_selector": {"app": "web"}}
            """)
        let camel = try decode(ContainerFilter.self, """
            {"id": "c", "podSandboxId": "p", "state": {"state": "CONTAINER_EXITED"},
             "labelSelector": {"app": "web"}}
            """)
        XCTAssertEqual(snake, camel)
        XCTAssertEqual(snake.podSandboxId, "p")
        XCTAssertEqual(snake.state?.state, .exited)
        XCTAssertEqual(snake.labelSelector, ["app": "web"])
    }

    func testMapKeysAreKeptVerbatim() throws {
        let keys = ["app_name", "io.kubernetes.pod_uid", "Foo_Bar", "x__y", "_lead", "trail_"]
        let labels = Dictionary(uniqueKeysWithValues: keys.map { ($0, "v") })
        let text = """
            {"labels": \(try json(labels)), "annotations": {"io.kubernetes.container_hash": "1"},
             "linux": {"sysctls": {"net.ipv4.ip_unprivileged_port_start": "0"},
                       "security_context": {"run_as_user": {"value": 1000}}}}
            """
        let config = try decode(PodSandboxConfig.self, text)
        XCTAssertEqual(config.labels, labels)
        XCTAssertEqual(config.annotations, ["io.kubernetes.container_hash": "1"])
        XCTAssertEqual(config.linux.sysctls, ["net.ipv4.ip_unprivileged_port_start": "0"])
        XCTAssertEqual(config.linux.securityContext.runAsUser, Int64Value(1000))

        let resources = try decode(LinuxContainerResources.self, #"{"unified": {"memory.high": "1G", "io_weight": "5"}}"#)
        XCTAssertEqual(resources.unified, ["memory.high": "1G", "io_weight": "5"])

        let out = try json(config)
        for key in keys {
            XCTAssertTrue(out.contains("\"\(key)\":\"v\""), "\(key) in \(out)")
        }
        XCTAssertTrue(out.contains(#""net.ipv4.ip_unprivileged_port_start":"0""#), out)
    }

    func testEnumsAreWrittenByNameAndReadByNameOrNumber() throws {
        func check<E: CRIEnum>(_ value: E, _ name: String, line: UInt = #line) throws {
            XCTAssertEqual(try json([value]), "[\"\(name)\"]", line: line)
            XCTAssertEqual(try decode([E].self, "[\"\(name)\"]"), [value], line: line)
            XCTAssertEqual(try decode([E].self, "[\(value.rawValue)]"), [value], line: line)
        }
        try check(ContainerState.running, "CONTAINER_RUNNING")
        try check(ContainerState.unknown, "CONTAINER_UNKNOWN")
        try check(PodSandboxState.notReady, "SANDBOX_NOTREADY")
        try check(PortProtocol.sctp, "SCTP")
        try check(MountPropagation.bidirectional, "PROPAGATION_BIDIRECTIONAL")
        try check(NamespaceMode.node, "NODE")
        try check(ContainerEventType.deleted, "CONTAINER_DELETED_EVENT")
        try check(SecurityProfile.ProfileType.localhost, "Localhost")
        try check(SupplementalGroupsPolicy.strict, "Strict")
        try check(CgroupDriver.cgroupfs, "CGROUPFS")
        try check(MetricType.gauge, "GAUGE")
        try check(Signal.runtimeDefault, "RUNTIME_DEFAULT")
        try check(Signal.SIGTERM, "SIGTERM")
        try check(Signal.SIGRTMAX, "SIGRTMAX")

        // The proto's numbers, not the kernel's.
        XCTAssertEqual(Signal.SIGTERM.rawValue, 23)
        XCTAssertEqual(Signal.SIGRTMINPLUS15.rawValue, 50)
        XCTAssertEqual(Signal.SIGRTMAXMINUS14.rawValue, 51)
        XCTAssertEqual(Signal.SIGRTMAX.rawValue, 65)
        XCTAssertEqual(Signal.SIGRTMINPLUS3.linuxName, "RTMIN+3")
        XCTAssertEqual(Signal.SIGRTMAXMINUS1.linuxName, "RTMAX-1")
        XCTAssertEqual(Signal.SIGKILL.linuxName, "KILL")
        XCTAssertNil(Signal.runtimeDefault.linuxName)

        let status = try decode(PodSandboxStatus.self, #"{"state": 1, "network": {"ip": "10.0.0.2"}}"#)
        XCTAssertEqual(status.state, .notReady)
        XCTAssertEqual(status.network?.ip, "10.0.0.2")
    }

    func testUnknownEnumValuesAreClearErrors() throws {
        XCTAssertThrowsError(try decode(ContainerStateValue.self, #"{"state": "CONTAINER_PAUSED"}"#)) { error in
            let message = (error as? CRIError)?.message ?? "\(error)"
            XCTAssertEqual((error as? CRIError)?.code, .invalidArgument)
            XCTAssertTrue(message.contains("CONTAINER_PAUSED"), message)
            XCTAssertTrue(message.contains("CONTAINER_RUNNING"), message)
            XCTAssertTrue(message.contains("state"), message)
        }
        XCTAssertThrowsError(try decode(ContainerStateValue.self, #"{"state": 9}"#)) { error in
            XCTAssertTrue("\(error)".contains("9"), "\(error)")
        }
    }

    func testSixtyFourBitIntegersAreNumbersOutAndNumbersOrStringsIn() throws {
        let fromStrings = try decode(ContainerStatus.self, """
            {"created_at": "1700000000123456789", "started_at": 1700000000223456789, "exit_code": "137"}
            """)
        XCTAssertEqual(fromStrings.createdAt, 1_700_000_000_123_456_789)
        XCTAssertEqual(fromStrings.startedAt, 1_700_000_000_223_456_789)
        XCTAssertEqual(fromStrings.exitCode, 137)

        let image = try decode(Image.self, #"{"size": "18446744073709551615", "uid": {"value": "-1"}}"#)
        XCTAssertEqual(image.size, .max)
        XCTAssertEqual(image.uid, Int64Value(-1))
        XCTAssertTrue(try json(image).contains(#""size":18446744073709551615"#))

        let security = try decode(LinuxContainerSecurityContext.self, #"{"supplemental_groups": ["10", 20]}"#)
        XCTAssertEqual(security.supplementalGroups, [10, 20])

        let usage = try decode(MemoryUsage.self, #"{"timestamp": 5, "working_set_bytes": {"value": "4096"}}"#)
        XCTAssertEqual(usage.workingSetBytes, UInt64Value(4096))
        XCTAssertNil(usage.usageBytes)

        XCTAssertEqual(try json(StopContainerRequest(containerId: "", timeout: -1)), #"{"containerId":"","timeout":-1}"#)
    }

    func testBadNumbersNameTheField() throws {
        XCTAssertThrowsError(try decode(RunPodSandboxRequest.self, #"{"config": {"metadata": {"attempt": "two"}}}"#)) { error in
            guard let error = error as? CRIError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.code, .invalidArgument)
            XCTAssertTrue(error.message.contains("RunPodSandboxRequest"), error.message)
            XCTAssertTrue(error.message.contains("config.metadata.attempt"), error.message)
            XCTAssertTrue(error.message.contains("\"two\""), error.message)
        }
        XCTAssertThrowsError(try decode(ListContainersRequest.self, #"{"filter": {"id": 5}}"#)) { error in
            XCTAssertTrue("\(error)".contains("filter.id"), "\(error)")
        }
        XCTAssertThrowsError(try decode(ExecSyncRequest.self, #"{"cmd": ["ls", 3]}"#)) { error in
            XCTAssertTrue("\(error)".contains("cmd[1]"), "\(error)")
        }
        XCTAssertThrowsError(try decode(VersionRequest.self, #"{"version": "#)) { error in
            XCTAssertEqual((error as? CRIError)?.code, .invalidArgument)
            XCTAssertTrue("\(error)".contains("VersionRequest"), "\(error)")
        }
    }

    func testBytesAreBase64() throws {
        let response = ExecSyncResponse(stdout: Data("hello\n".utf8), stderr: Data([0xff, 0x00]), exitCode: 3)
        XCTAssertEqual(try json(response), #"{"exitCode":3,"stderr":"/wA=","stdout":"aGVsbG8K"}"#)
        XCTAssertEqual(try decode(ExecSyncResponse.self, #"{"stdout": "aGVsbG8K", "exit_code": 3}"#).stdout, Data("hello\n".utf8))
    }

    func testFieldsWithUnusualJSONNames() throws {
        // CDI_devices's JSON name is CDIDevices; PSI fields are capitalized in the proto.
        let snake = try decode(ContainerConfig.self, #"{"CDI_devices": [{"name": "a.com/b=c"}]}"#)
        let camel = try decode(ContainerConfig.self, #"{"CDIDevices": [{"name": "a.com/b=c"}]}"#)
        XCTAssertEqual(snake.cdiDevices, [CDIDevice(name: "a.com/b=c")])
        XCTAssertEqual(snake, camel)
        XCTAssertTrue(try json(snake).contains(#""CDIDevices":[{"name":"a.com/b=c"}]"#))

        let cpu = try decode(CpuUsage.self, #"{"psi": {"Full": {"Total": 7, "Avg10": 1.5}, "Some": {"Avg300": 0.25}}}"#)
        XCTAssertEqual(cpu.psi?.full.total, 7)
        XCTAssertEqual(cpu.psi?.full.avg10, 1.5)
        XCTAssertEqual(cpu.psi?.some.avg300, 0.25)
        XCTAssertTrue(try json(cpu).contains(#""Full":{"Avg10":1.5"#))

        XCTAssertEqual(CRICodec.protoJSONName("pod_sandbox_id"), "podSandboxId")
        XCTAssertEqual(CRICodec.protoJSONName("CDI_devices"), "CDIDevices")
        XCTAssertEqual(CRICodec.protoJSONName("uidMappings"), "uidMappings")
    }

    func testErrorBodiesAndCodes() throws {
        let body = try json(CRIErrorBody(CRIError(.notFound, "pod \"x\" not found")))
        XCTAssertEqual(body, #"{"code":"NotFound","message":"pod \"x\" not found"}"#)
        for text in [#""NotFound""#, #""NOT_FOUND""#, "5"] {
            let decoded = try decode(CRIErrorBody.self, "{\"code\": \(text), \"message\": \"m\"}")
            XCTAssertEqual(decoded.error, CRIError(.notFound, "m"), text)
        }
        XCTAssertEqual(try decode(CRIErrorBody.self, #"{"code": "Bogus", "message": ""}"#).code, .unknown)
        XCTAssertEqual(try decode(CRIErrorBody.self, #"{"code": "CANCELLED", "message": ""}"#).code, .canceled)
        XCTAssertEqual(CRIError.Code.unauthenticated.number, 16)
        XCTAssertEqual(CRIError.Code.notFound.httpStatus, 404)
        XCTAssertEqual(CRIError.Code.invalidArgument.httpStatus, 400)
        XCTAssertEqual(CRIError.Code.alreadyExists.httpStatus, 409)
        XCTAssertEqual(CRIError.Code.unimplemented.httpStatus, 501)
        XCTAssertEqual(CRIError.Code.deadlineExceeded.httpStatus, 504)
        XCTAssertEqual(CRIError.Code.internal.httpStatus, 500)
        XCTAssertEqual("\(CRIError(.aborted, "busy"))", "Aborted: busy")
    }
}
