// core/v1 PodSpec and the pod-level types it holds.

public struct PodSpec: Codable, Hashable, Sendable {
    public var volumes: [Volume]?
    public var initContainers: [Container]?
    public var containers: [Container]
    public var restartPolicy: RestartPolicy?
    public var terminationGracePeriodSeconds: Int64?
    public var activeDeadlineSeconds: Int64?
    public var dnsPolicy: DNSPolicy?
    public var nodeSelector: [String: String]?
    public var serviceAccountName: String?
    public var serviceAccount: String?
    public var automountServiceAccountToken: Bool?
    public var nodeName: String?
    public var hostNetwork: Bool?
    public var hostPID: Bool?
    public var hostIPC: Bool?
    public var shareProcessNamespace: Bool?
    public var securityContext: PodSecurityContext?
    public var imagePullSecrets: [LocalObjectReference]?
    public var hostname: String?
    public var subdomain: String?
    public var schedulerName: String?
    public var tolerations: [Toleration]?
    public var hostAliases: [HostAlias]?
    public var priorityClassName: String?
    public var priority: Int32?
    public var dnsConfig: PodDNSConfig?
    public var readinessGates: [PodReadinessGate]?
    public var runtimeClassName: String?
    public var enableServiceLinks: Bool?
    public var overhead: [String: Quantity]?
    public var setHostnameAsFQDN: Bool?
    public var hostUsers: Bool?

    public init(containers: [Container] = []) { self.containers = containers }
}

public struct RestartPolicy: StringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let always: RestartPolicy = "Always"
    public static let onFailure: RestartPolicy = "OnFailure"
    public static let never: RestartPolicy = "Never"
}

public struct DNSPolicy: StringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let clusterFirst: DNSPolicy = "ClusterFirst"
    public static let clusterFirstWithHostNet: DNSPolicy = "ClusterFirstWithHostNet"
    public static let `default`: DNSPolicy = "Default"
    public static let none: DNSPolicy = "None"
}

public struct PodDNSConfig: Codable, Hashable, Sendable {
    public var nameservers: [String]?
    public var searches: [String]?
    public var options: [PodDNSConfigOption]?

    public init() {}
}

public struct PodDNSConfigOption: Codable, Hashable, Sendable {
    public var name: String?
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// An /etc/hosts entry added to every container of the pod.
public struct HostAlias: Codable, Hashable, Sendable {
    public var ip: String
    public var hostnames: [String]?

    public init(ip: String, hostnames: [String]) {
        self.ip = ip
        self.hostnames = hostnames
    }
}

public struct PodReadinessGate: Codable, Hashable, Sendable {
    public var conditionType: String
}

public struct Toleration: Codable, Hashable, Sendable {
    public var key: String?
    public var `operator`: String?
    public var value: String?
    public var effect: String?
    public var tolerationSeconds: Int64?

    public init() {}
}

public struct PodSecurityContext: Codable, Hashable, Sendable {
    public var seLinuxOptions: SELinuxOptions?
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var supplementalGroups: [Int64]?
    public var supplementalGroupsPolicy: String?
    public var fsGroup: Int64?
    public var fsGroupChangePolicy: String?
    public var sysctls: [Sysctl]?
    public var seccompProfile: SeccompProfile?
    public var appArmorProfile: AppArmorProfile?

    public init() {}
}

public struct Sysctl: Codable, Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
