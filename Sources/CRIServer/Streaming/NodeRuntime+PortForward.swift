// PortForward: a URL on the streaming server whose connections reach ports on the pod's own
// loopback, through sockets made inside the pod's network namespace (the node's, for a
// hostNetwork pod), as containerd does.
import CRIAPI
import ImageStore
import CRIStreaming
import Glibc
import PodNetwork

extension NodeRuntime {
    public func portForward(_ request: PortForwardRequest) async throws -> PortForwardResponse {
        let sandbox = try sandbox(request.podSandboxId)
        guard sandbox.state == .ready else {
            throw CRIError.failedPrecondition("pod sandbox \(sandbox.id) is not ready")
        }
        guard sandbox.hostNetwork || !sandbox.netnsPath.isEmpty else {
            throw CRIError.failedPrecondition("pod sandbox \(sandbox.id) has no network namespace")
        }
        let ports = try request.port.map { port -> UInt16 in
            guard let p = UInt16(exactly: port), p > 0 else { throw CRIError.invalidArgument("port \(port) is not in 1-65535") }
            return p
        }
        let id = sandbox.id
        let session = PortForwardSession(defaultPorts: ports) { [self] port in
            let sandbox = try self.sandbox(id)
            guard sandbox.state == .ready else { throw CRIError.failedPrecondition("pod sandbox \(id) is not ready") }
            let netns = sandbox.hostNetwork ? nil : sandbox.netnsPath
            return try await Blocking.run { try Self.connectLoopback(port: port, netns: netns, pod: id) }
        }
        return PortForwardResponse(url: try registerStream(.portForward(session)))
    }

    /// A TCP connection to 127.0.0.1:`port` (else [::1]:`port`) in the network namespace at
    /// `netns` (nil: the node's).
    static func connectLoopback(port: UInt16, netns: String?, pod: String) throws -> Int32 {
        var failures: [String] = []
        for family in [AF_INET, AF_INET6] {
            let fd: Int32
            if let netns {
                fd = try NetworkNamespace.socketInNamespace(path: netns, domain: family, type: Int32(SOCK_STREAM.rawValue))
            } else {
                fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                guard fd >= 0 else { throw CRIError.internal("socket: \(String(cString: strerror(errno)))") }
            }
            let connected: Int32
            if family == AF_INET {
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
                connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            } else {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = port.bigEndian
                address.sin6_addr = in6addr_loopback
                connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
                }
            }
            if connected == 0 { return fd }
            failures.append("\(family == AF_INET ? "127.0.0.1" : "[::1]"):\(port): \(String(cString: strerror(errno)))")
            close(fd)
        }
        let place = netns == nil ? "on the node (host network)" : "in pod \(pod)'s network namespace"
        throw CRIError.unavailable("connect \(place): \(failures.joined(separator: "; "))")
    }
}
