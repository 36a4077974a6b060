// metav1.ObjectMeta and metav1.TypeMeta's fields: what every Kubernetes object carries.

public struct ObjectMeta: Codable, Hashable, Sendable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: KubeTime?
    public var deletionTimestamp: KubeTime?
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?

    public init() {}
    public init(name: String, namespace: String? = nil) {
        self.name = name
        self.namespace = namespace
    }
}

public struct OwnerReference: Codable, Hashable, Sendable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(apiVersion: String, kind: String, name: String, uid: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
    }
}

/// metav1.ListMeta.
public struct ListMeta: Codable, Hashable, Sendable {
    public var resourceVersion: String?
    public var `continue`: String?

    public init() {}
}

/// core/v1 LocalObjectReference: an object in the same namespace, by name.
public struct LocalObjectReference: Codable, Hashable, Sendable {
    public var name: String?

    public init(name: String? = nil) { self.name = name }
}
