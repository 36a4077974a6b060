// core/v1 Container and what it holds: ports, volume mounts, lifecycle hooks.

public struct Container: Codable, Hashable, Sendable {
    public var name: String
    public var image: String?
    public var command: [String]?
    public var args: [String]?
    public var workingDir: String?
    public var ports: [ContainerPort]?
    public var envFrom: [EnvFromSource]?
    public var env: [EnvVar]?
    public var resources: ResourceRequirements?
    /// Only for init containers: Always makes it a sidecar.
    public var restartPolicy: RestartPolicy?
    public var volumeMounts: [VolumeMount]?
    public var livenessProbe: Probe?
    public var readinessProbe: Probe?
    public var startupProbe: Probe?
    public var lifecycle: Lifecycle?
    public var terminationMessagePath: String?
    public var terminationMessagePolicy: TerminationMessagePolicy?
    public var imagePullPolicy: PullPolicy?
    public var securityContext: SecurityContext?
    public var stdin: Bool?
    public var stdinOnce: Bool?
    public var tty: Bool?

    public init(name: String, image: String? = nil) {
        self.name = name
        self.image = image
    }
}

public struct PullPolicy: StringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let always: PullPolicy = "Always"
    public static let ifNotPresent: PullPolicy = "IfNotPresent"
    public static let never: PullPolicy = "Never"
}

public struct TerminationMessagePolicy: StringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let file: TerminationMessagePolicy = "File"
    public static let fallbackToLogsOnError: TerminationMessagePolicy = "FallbackToLogsOnError"
}

public struct PortProtocol: StringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let tcp: PortProtocol = "TCP"
    public static let udp: PortProtocol = "UDP"
    public static let sctp: PortProtocol = "SCTP"
}

public struct ContainerPort: Codable, Hashable, Sendable {
    public var name: String?
    public var hostPort: Int32?
    public var containerPort: Int32
    public var `protocol`: PortProtocol?
    public var hostIP: String?

    public init(containerPort: Int32, hostPort: Int32? = nil) {
        self.containerPort = containerPort
        self.hostPort = hostPort
    }
}

public struct VolumeMount: Codable, Hashable, Sendable {
    public var name: String
    public var readOnly: Bool?
    public var mountPath: String
    public var subPath: String?
    public var mountPropagation: String?
    public var subPathExpr: String?
    public var recursiveReadOnly: String?

    public init(name: String, mountPath: String, readOnly: Bool? = nil) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
    }
}

public struct Lifecycle: Codable, Hashable, Sendable {
    public var postStart: LifecycleHandler?
    public var preStop: LifecycleHandler?
    public var stopSignal: String?

    public init() {}
}

public struct LifecycleHandler: Codable, Hashable, Sendable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var sleep: SleepAction?

    public init() {}
}

public struct SleepAction: Codable, Hashable, Sendable {
    public var seconds: Int64
}

public struct ResourceRequirements: Codable, Hashable, Sendable {
    public var limits: [String: Quantity]?
    public var requests: [String: Quantity]?

    public init(limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil) {
        self.limits = limits
        self.requests = requests
    }
}
