// Small shared messages: the int64/uint64 wrappers (whose presence means "set") and KeyValue.

/// An int64 whose presence matters: `runAsUser: nil` is "not set", `Int64Value(0)` is root.
public struct Int64Value: CRIMessage {
    @Field public var value: Int64

    public init() {}
    public init(_ value: Int64) { self.value = value }
}

/// A uint64 whose presence matters: stats leave out what they could not measure.
public struct UInt64Value: CRIMessage {
    @Field public var value: UInt64

    public init() {}
    public init(_ value: UInt64) { self.value = value }
}

/// One environment variable of a container.
public struct KeyValue: CRIMessage {
    @Field public var key: String
    @Field public var value: String

    public init() {}
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
