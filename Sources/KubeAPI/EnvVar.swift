// core/v1 EnvVar, EnvVarSource and EnvFromSource: a container's environment.

public struct EnvVar: Codable, Hashable, Sendable {
    public var name: String
    public var value: String?
    public var valueFrom: EnvVarSource?

    public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

public struct EnvVarSource: Codable, Hashable, Sendable {
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var configMapKeyRef: ConfigMapKeySelector?
    public var secretKeyRef: SecretKeySelector?

    public init() {}
}

/// A field of the pod, by path: "metadata.name", "status.podIP", "metadata.labels['app']".
public struct ObjectFieldSelector: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var fieldPath: String

    public init(fieldPath: String) { self.fieldPath = fieldPath }
}

/// A container's request or limit: "limits.cpu", "requests.memory", divided by `divisor`.
public struct ResourceFieldSelector: Codable, Hashable, Sendable {
    public var containerName: String?
    public var resource: String
    public var divisor: Quantity?

    public init(resource: String, containerName: String? = nil, divisor: Quantity? = nil) {
        self.resource = resource
        self.containerName = containerName
        self.divisor = divisor
    }
}

public struct ConfigMapKeySelector: Codable, Hashable, Sendable {
    public var name: String?
    public var key: String
    public var optional: Bool?

    public init(name: String, key: String) {
        self.name = name
        self.key = key
    }
}

public struct SecretKeySelector: Codable, Hashable, Sendable {
    public var name: String?
    public var key: String
    public var optional: Bool?

    public init(name: String, key: String) {
        self.name = name
        self.key = key
    }
}

public struct EnvFromSource: Codable, Hashable, Sendable {
    public var prefix: String?
    public var configMapRef: ConfigMapEnvSource?
    public var secretRef: SecretEnvSource?

    public init() {}
}

public struct ConfigMapEnvSource: Codable, Hashable, Sendable {
    public var name: String?
    public var optional: Bool?

    public init(name: String) { self.name = name }
}

public struct SecretEnvSource: Codable, Hashable, Sendable {
    public var name: String?
    public var optional: Bool?

    public init(name: String) { self.name = name }
}
