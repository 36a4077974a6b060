// core/v1 Pod and PodList.

public struct Pod: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: PodSpec
    public var status: PodStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PodSpec = PodSpec(), status: PodStatus? = nil) {
        apiVersion = "v1"
        kind = "Pod"
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decodeIfPresent(PodSpec.self, forKey: .spec) ?? PodSpec()
        status = try c.decodeIfPresent(PodStatus.self, forKey: .status)
    }

    public var name: String { metadata.name ?? "" }
    public var namespace: String { metadata.namespace ?? "default" }
    public var uid: String { metadata.uid ?? "" }
}

public struct PodList: Codable, Hashable, Sendable {
    public var apiVersion: String = "v1"
    public var kind: String = "PodList"
    public var metadata: ListMeta = ListMeta()
    public var items: [Pod]

    public init(items: [Pod]) { self.items = items }
}
