// The state of a container as the runtime-spec's `state` operation reports it.

public struct State: Codable, Sendable, Equatable {
    public var ociVersion: String
    public var id: String
    public var status: Status
    public var pid: Int32?
    public var bundle: String
    public var annotations: [String: String]?

    public init(ociVersion: String = specVersion, id: String, status: Status, pid: Int32?, bundle: String,
                annotations: [String: String]?) {
        self.ociVersion = ociVersion; self.id = id; self.status = status; self.pid = pid
        self.bundle = bundle; self.annotations = annotations
    }

    public enum Status: String, Codable, Sendable {
        case creating, created, running, stopped, paused
    }
}

/// The runtime-spec version this runtime implements.
public let specVersion = "1.2.0"
