// Running commands in containers: ExecSync (output in the response) and the streaming RPCs
// Exec, Attach and PortForward (which return a URL to upgrade to a stream).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public struct ExecSyncRequest: CRIMessage {
    @Field public var containerId: String
    @Field public var cmd: [String]
    /// Seconds; 0 means no limit.
    @Field public var timeout: Int64

    public init() {}
    public init(containerId: String, cmd: [String], timeout: Int64 = 0) {
        self.containerId = containerId
        self.cmd = cmd
        self.timeout = timeout
    }
}

public struct ExecSyncResponse: CRIMessage {
    /// Captured output (base64 in JSON, as proto bytes are); runtimes cap it at 16 MiB.
    @Field public var stdout: Data
    @Field public var stderr: Data
    @Field public var exitCode: Int32

    public init() {}
    public init(stdout: Data, stderr: Data, exitCode: Int32) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitCode = exitCode
    }
}

extension Data: ProtoValue {
    public static var protoDefault: Data { Data() }
}

public struct ExecRequest: CRIMessage {
    @Field public var containerId: String
    @Field public var cmd: [String]
    @Field public var tty: Bool
    /// At least one of stdin, stdout and stderr; with tty, stderr must be false.
    @Field public var stdin: Bool
    @Field public var stdout: Bool
    @Field public var stderr: Bool
    @Field public var auditRequestId: String

    public init() {}
}

public struct ExecResponse: CRIMessage {
    /// Where the client opens the stream.
    @Field public var url: String

    public init() {}
    public init(url: String) { self.url = url }
}

public struct AttachRequest: CRIMessage {
    @Field public var containerId: String
    @Field public var stdin: Bool
    /// Must match the container's tty setting.
    @Field public var tty: Bool
    @Field public var stdout: Bool
    @Field public var stderr: Bool
    @Field public var auditRequestId: String

    public init() {}
}

public struct AttachResponse: CRIMessage {
    @Field public var url: String

    public init() {}
    public init(url: String) { self.url = url }
}

public struct PortForwardRequest: CRIMessage {
    @Field public var podSandboxId: String
    @Field public var port: [Int32]

    public init() {}
    public init(podSandboxId: String, port: [Int32]) {
        self.podSandboxId = podSandboxId
        self.port = port
    }
}

public struct PortForwardResponse: CRIMessage {
    @Field public var url: String

    public init() {}
    public init(url: String) { self.url = url }
}
