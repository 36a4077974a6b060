// A pod's hostPort: traffic to the node's hostPort reaches containerPort in the pod. Handed to
// plugins that declare the "portMappings" capability (portmap) in the shape they read.
public struct PortMapping: Sendable, Hashable, Codable {
    public var hostPort: Int
    public var containerPort: Int
    /// "tcp", "udp" or "sctp", lower case as plugins want it.
    public var `protocol`: String
    /// Only this host address, or every one when nil.
    public var hostIP: String?

    public init(hostPort: Int, containerPort: Int, protocol: String = "tcp", hostIP: String? = nil) {
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.protocol = `protocol`.lowercased()
        self.hostIP = hostIP?.isEmpty == true ? nil : hostIP
    }

    func validate() throws {
        guard (1...65535).contains(hostPort), (1...65535).contains(containerPort) else {
            throw PodNetworkError("port mapping \(hostPort)->\(containerPort): ports must be 1 to 65535")
        }
        guard ["tcp", "udp", "sctp"].contains(`protocol`) else {
            throw PodNetworkError("port mapping \(hostPort)->\(containerPort): protocol \"\(`protocol`)\" is not tcp, udp or sctp")
        }
    }
}
