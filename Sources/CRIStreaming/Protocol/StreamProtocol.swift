// The WebSocket subprotocols of Kubernetes' streaming API (Sec-WebSocket-Protocol), and which
// one a server picks from a client's offer. All frame the same way (a leading channel byte);
// they differ in what the error channel carries and whether stdin can be half-closed.

public enum StreamProtocol: String, Sendable, CaseIterable {
    /// v5: v4 plus a close message (channel 255) that half-closes one channel, e.g. stdin.
    case v5 = "v5.channel.k8s.io"
    /// v4: the error channel carries a JSON metav1.Status, also on success (the exit code).
    case v4 = "v4.channel.k8s.io"
    /// The first version: the error channel carries only an error's text; no status on success.
    case v1 = "channel.k8s.io"
    /// The port-forward name; over WebSocket it frames as v4 (data channel 2i, error 2i+1).
    case portForward = "portforward.k8s.io"

    /// Whether channel 3 carries a JSON status (v4, v5) rather than plain error text (v1).
    public var sendsStatus: Bool { self == .v4 || self == .v5 }

    /// Whether a client may half-close a channel with a close message on channel 255.
    public var supportsClose: Bool { self == .v5 }

    /// What exec and attach accept, in the order the client's preference is checked against.
    public static let remoteCommand: [StreamProtocol] = [.v5, .v4, .v1]
    /// What port-forward accepts.
    public static let portForwarding: [StreamProtocol] = [.v4, .portForward, .v1]

    /// The names a client offered, from every Sec-WebSocket-Protocol header (comma-separated).
    public static func offered(in headerValues: [String]) -> [String] {
        headerValues.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: " \t") }
            .filter { !$0.isEmpty }
    }

    /// The first protocol the client offered that is `supported`, as Kubernetes' wsstream picks.
    /// A client that offers none gets `fallback` (wsstream's "" protocol, framed as v1/v4 binary).
    public enum Choice: Equatable, Sendable {
        case chosen(StreamProtocol)
        /// The client offered no protocol at all: answer without the header.
        case unnamed(StreamProtocol)
        /// The client offered only protocols this server does not speak.
        case unsupported(offered: [String])

        public var streamProtocol: StreamProtocol? {
            switch self {
            case .chosen(let p), .unnamed(let p): return p
            case .unsupported: return nil
            }
        }
    }

    public static func negotiate(offered: [String], supported: [StreamProtocol], fallback: StreamProtocol) -> Choice {
        if offered.isEmpty { return .unnamed(fallback) }
        for name in offered {
            if let p = StreamProtocol(rawValue: name), supported.contains(p) { return .chosen(p) }
        }
        return .unsupported(offered: offered)
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s = s.dropFirst() }
        while let c = s.last, set.contains(c) { s = s.dropLast() }
        return String(s)
    }
}
