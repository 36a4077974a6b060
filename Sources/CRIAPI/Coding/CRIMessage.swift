// What every CRI message type is: a Codable value with an empty form that is its zero value.

/// A CRI request, response or nested message. `init()` gives the message with every field at
/// its zero value; decoding fills in what the JSON has.
public protocol CRIMessage: ProtoValue {
    init()
}

extension CRIMessage {
    public static var protoDefault: Self { Self() }

    /// Builds a message by mutating an empty one, the way generated protobuf code does:
    /// `PodSandboxConfig.with { $0.metadata.name = "web"; $0.hostname = "web" }`.
    public static func with(_ populate: (inout Self) throws -> Void) rethrows -> Self {
        var message = Self()
        try populate(&message)
        return message
    }
}
