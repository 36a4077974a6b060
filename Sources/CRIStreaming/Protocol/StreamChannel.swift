// The channels of an exec or attach stream: each WebSocket message's first byte names one.

public enum StreamChannel: UInt8, Sendable, CaseIterable {
    case stdin = 0
    case stdout = 1
    case stderr = 2
    /// Server to client: how the command ended (see StreamStatus), or an error's text (v1).
    case error = 3
    /// Client to server: a new terminal size, JSON {"Width": w, "Height": h}.
    case resize = 4
    /// v5 only, client to server: [255, n] closes channel n (n = 0 ends the command's stdin).
    case close = 255
}

/// One WebSocket message of the channel protocol: [channel][payload].
public struct ChannelMessage: Sendable, Equatable {
    public var channel: UInt8
    public var payload: [UInt8]

    public init(channel: UInt8, payload: [UInt8]) {
        self.channel = channel
        self.payload = payload
    }

    public init(_ channel: StreamChannel, _ payload: [UInt8]) {
        self.init(channel: channel.rawValue, payload: payload)
    }

    /// Splits a received message; nil for an empty one (Kubernetes ignores those).
    public init?(message: some Collection<UInt8>) {
        guard let first = message.first else { return nil }
        channel = first
        payload = Array(message.dropFirst())
    }

    public var bytes: [UInt8] { [channel] + payload }
}
