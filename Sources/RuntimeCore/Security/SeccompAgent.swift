// The seccomp agent at linux.seccomp.listenerPath: it receives the notify fd (SCM_RIGHTS) with
// the container process state as the message, as the runtime-spec's seccomp section describes.
import CSkiffSystem
import Glibc
import OCISpec

public struct SeccompAgent: Sendable {
    public let socket: Int32

    /// Connects to the agent. listenerPath is a host path: connect before pivot_root (or in the
    /// parent), and before the filter is loaded, since connect() itself could be a notified call.
    public static func connect(_ listenerPath: String) throws -> SeccompAgent {
        let fd = sk_unix_connect(listenerPath)
        if fd < 0 { throw RuntimeError.system("linux.seccomp.listenerPath: connect \(listenerPath)", errno: -fd) }
        return SeccompAgent(socket: fd)
    }

    public init(socket: Int32) { self.socket = socket }

    /// Sends the notify fd with the state JSON as one message.
    public func send(notifyFd: Int32, state: [UInt8]) throws {
        let r = state.withUnsafeBytes { sk_send_fd_with_payload(socket, notifyFd, $0.baseAddress, $0.count) }
        if r < 0 { throw RuntimeError.system("linux.seccomp.listenerPath: send notify fd", errno: -r) }
    }

    public func close() { Glibc.close(socket) }

    /// The runtime-spec's containerProcessState: `pid` is the container process as the runtime
    /// sees it (host pid namespace), `metadata` is linux.seccomp.listenerMetadata.
    public static func processState(state: State, pid: Int32, metadata: String?) throws -> [UInt8] {
        try encodeJSON(ContainerProcessState(fds: ["seccompFd"], pid: pid, metadata: metadata, state: state))
    }
}

/// The message the seccomp agent receives with the notify fd.
struct ContainerProcessState: Encodable {
    var ociVersion = specVersion
    var fds: [String]
    var pid: Int32
    var metadata: String?
    var state: State
}
