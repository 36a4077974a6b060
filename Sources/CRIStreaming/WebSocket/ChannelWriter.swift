// Sending the channel protocol's messages on a WebSocket: one binary frame per message,
// masked when we are the client (RFC 6455 requires it of clients, and Go servers check).
import NIOCore
import NIOWebSocket

struct ChannelWriter: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>
    let isClient: Bool

    private var maskKey: WebSocketMaskingKey? { isClient ? .random() : nil }

    /// [channel][payload] as one binary frame.
    func send(_ channel: UInt8, _ payload: ByteBuffer) async throws {
        var frame = ByteBuffer()
        frame.reserveCapacity(payload.readableBytes + 1)
        frame.writeInteger(channel)
        frame.writeImmutableBuffer(payload)
        try await outbound.write(WebSocketFrame(fin: true, opcode: .binary, maskKey: maskKey, data: frame))
    }

    func send(_ channel: UInt8, _ payload: [UInt8]) async throws {
        try await send(channel, ByteBuffer(bytes: payload))
    }

    func send(_ channel: StreamChannel, _ payload: [UInt8]) async throws {
        try await send(channel.rawValue, ByteBuffer(bytes: payload))
    }

    func pong(_ data: ByteBuffer) async throws {
        try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: maskKey, data: data))
    }

    /// A close frame with `code`; the connection is over for sending after it.
    func close(_ code: WebSocketErrorCode = .normalClosure) async throws {
        var data = ByteBuffer()
        data.write(webSocketErrorCode: code)
        try await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: maskKey, data: data))
    }
}
