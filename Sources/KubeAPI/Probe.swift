// core/v1 Probe and the actions probes and lifecycle hooks run.

public struct Probe: Codable, Hashable, Sendable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var grpc: GRPCAction?
    public var initialDelaySeconds: Int32?
    public var timeoutSeconds: Int32?
    public var periodSeconds: Int32?
    public var successThreshold: Int32?
    public var failureThreshold: Int32?
    public var terminationGracePeriodSeconds: Int64?

    public init() {}
}

public struct ExecAction: Codable, Hashable, Sendable {
    public var command: [String]?

    public init(command: [String]) { self.command = command }
}

public struct HTTPGetAction: Codable, Hashable, Sendable {
    public var path: String?
    public var port: IntOrString
    public var host: String?
    /// "HTTP" or "HTTPS".
    public var scheme: String?
    public var httpHeaders: [HTTPHeader]?

    public init(path: String? = nil, port: IntOrString) {
        self.path = path
        self.port = port
    }
}

public struct HTTPHeader: Codable, Hashable, Sendable {
    public var name: String
    public var value: String
}

public struct TCPSocketAction: Codable, Hashable, Sendable {
    public var port: IntOrString
    public var host: String?

    public init(port: IntOrString) { self.port = port }
}

public struct GRPCAction: Codable, Hashable, Sendable {
    public var port: Int32
    public var service: String?
}
