// An exec or attach stream on the server: the client's stdin and resizes go to the command,
// its output comes back on channels 1 and 2, and its end is reported on channel 3, after which
// the server closes the WebSocket. A client that leaves first abandons the command (exec kills
// it; attach just disconnects), as containerd does when its stream's context ends.
import NIOCore
import NIOWebSocket

/// The command's side of the stream, as exec and attach provide it.
struct CommandEndpoints: Sendable {
    /// Sends the command's output until it has no more.
    var pumpOutput: @Sendable (_ send: @escaping @Sendable (StreamChannel, ByteBuffer) async throws -> Void) async -> Void
    var writeStdin: @Sendable (ByteBuffer) async -> Void
    var closeStdin: @Sendable () async -> Void
    var resize: @Sendable (TerminalSize) async -> Void
    /// How it ended; called once its output is done (exec waits for the exit here).
    var outcome: @Sendable () async -> StreamStatus
    /// The client left before the end.
    var abandon: @Sendable () async -> Void
}

enum CommandStream {
    /// How long a finished stream waits for the client to answer its close frame.
    static let closeGrace: Duration = .seconds(2)

    private enum Event: Sendable {
        case clientLeft
        case finished(StreamStatus)
    }

    /// The readiness message: an empty message on the lowest channel the client reads, so that
    /// it knows the stream is up (the kubelet sends the same).
    static func sendReady(_ writer: ChannelWriter, _ options: StreamOptions) async throws {
        let channel: StreamChannel = options.stdout ? .stdout : options.stderr ? .stderr : .error
        try await writer.send(channel, [])
    }

    /// Reports `status` the way `streamProtocol` does, then sends a close frame.
    static func finish(_ writer: ChannelWriter, _ streamProtocol: StreamProtocol, _ status: StreamStatus) async {
        if streamProtocol.sendsStatus {
            try? await writer.send(.error, status.encoded())
        } else if !status.isSuccess {
            try? await writer.send(.error, Array((status.message ?? "error").utf8))
        }
        try? await writer.close()
    }

    /// Runs the stream until the command ends or the client leaves.
    static func run(inbound: NIOAsyncChannelInboundStream<WebSocketFrame>, writer: ChannelWriter,
                    streamProtocol: StreamProtocol, options: StreamOptions, endpoints: CommandEndpoints) async {
        let wanted: Set<StreamChannel> = Set([options.stdout ? .stdout : nil, options.stderr && !options.tty ? .stderr : nil].compactMap { $0 })
        await withTaskGroup(of: Event.self) { group in
            group.addTask {
                await MessageReader.forEach(inbound, writer: writer) { message in
                    switch message.channel {
                    case StreamChannel.stdin.rawValue where options.stdin:
                        await endpoints.writeStdin(ByteBuffer(bytes: message.payload))
                    case StreamChannel.resize.rawValue where options.tty:
                        for size in TerminalSize.decodeAll(message.payload) { await endpoints.resize(size) }
                    case StreamChannel.close.rawValue where streamProtocol.supportsClose:
                        if message.payload.first == StreamChannel.stdin.rawValue { await endpoints.closeStdin() }
                    default:
                        break   // a channel this stream does not read: ignored, as wsstream does
                    }
                }
                return .clientLeft
            }
            group.addTask {
                await endpoints.pumpOutput { channel, bytes in
                    guard wanted.contains(channel) else { return }
                    try await writer.send(channel.rawValue, bytes)
                }
                return .finished(await endpoints.outcome())
            }
            switch await group.next()! {
            case .clientLeft:
                await endpoints.abandon()
                group.cancelAll()
            case .finished(let status):
                await finish(writer, streamProtocol, status)
                writer.outbound.finish()
                // Wait for the client's close (or its leaving): closing the socket under data
                // it has not read yet could reset the connection and lose our last messages.
                group.addTask {
                    try? await Task.sleep(for: closeGrace)
                    return .clientLeft
                }
                _ = await group.next()
                group.cancelAll()
            }
        }
    }
}
