// Receiving the channel protocol's messages from a WebSocket: data frames become channel
// messages, pings are answered, a close frame ends the stream (and is answered; after our own
// close the answer simply goes nowhere).
import NIOCore
import NIOWebSocket

enum MessageReader {
    /// Calls `handle` for each non-empty data message until the peer closes, the connection
    /// ends or breaks, or the task is cancelled: all of them mean the peer is gone for reading.
    static func forEach(
        _ inbound: NIOAsyncChannelInboundStream<WebSocketFrame>, writer: ChannelWriter,
        _ handle: (ChannelMessage) async -> Void
    ) async {
        do {
            for try await frame in inbound {
                switch frame.opcode {
                case .binary, .text:
                    let data = frame.unmaskedData
                    guard let message = ChannelMessage(message: data.readableBytesView) else { continue }
                    await handle(message)
                case .ping:
                    try? await writer.pong(frame.unmaskedData)
                case .connectionClose:
                    try? await writer.close()
                    return
                default:
                    continue
                }
            }
        } catch {
            return
        }
    }
}
