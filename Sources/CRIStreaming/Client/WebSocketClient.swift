// Opening a stream: an HTTP/1.1 GET with a WebSocket upgrade offering subprotocols. A server
// that refuses (404 for a used token, 400 for a bad request) is reported with its status and
// the text it answered.
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

enum WebSocketClient {
    typealias Stream = NIOAsyncChannel<WebSocketFrame, WebSocketFrame>

    private enum Upgrade: Sendable {
        case stream(Stream, HTTPResponseHead)
        case refused(NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>)
    }

    /// Connects and upgrades; returns the stream and the subprotocol the server chose (nil if it
    /// named none).
    static func connect(_ url: StreamURL, protocols: [StreamProtocol],
                        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> (Stream, StreamProtocol?) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.authority)
        headers.add(name: "Sec-WebSocket-Protocol", value: protocols.map(\.rawValue).joined(separator: ", "))
        headers.add(name: "Content-Length", value: "0")
        let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.target, headers: headers)
        let upgrade: EventLoopFuture<Upgrade>
        do {
            upgrade = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .connect(host: url.host, port: url.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: StreamingServer.maxMessageBytes) { channel, response in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(NIOWebSocketFrameAggregator(
                                    minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 12,
                                    maxAccumulatedFrameSize: StreamingServer.maxMessageBytes))
                                return .stream(try Stream(wrappingChannelSynchronously: channel,
                                                          configuration: .init(isOutboundHalfClosureEnabled: false)), response)
                            }
                        }
                        var configuration = NIOUpgradableHTTPClientPipelineConfiguration(
                            upgradeConfiguration: NIOTypedHTTPClientUpgradeConfiguration(
                                upgradeRequestHead: request, upgraders: [upgrader],
                                notUpgradingCompletionHandler: { channel in
                                    channel.eventLoop.makeCompletedFuture { .refused(try NIOAsyncChannel(wrappingChannelSynchronously: channel)) }
                                }))
                        // The server's first frames may arrive with its 101 answer: keep them.
                        configuration.leftOverBytesStrategy = .forwardBytes
                        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration)
                    }
                }
        } catch {
            throw StreamingError("cannot connect to \(url): \(error)")
        }
        switch try await upgrade.get() {
        case .stream(let stream, let response):
            let chosen = response.headers["Sec-WebSocket-Protocol"].first.map { $0.trimmingCharacters(in: " \t") }
            guard let chosen, !chosen.isEmpty else { return (stream, nil) }
            guard let p = StreamProtocol(rawValue: chosen), protocols.contains(p) else {
                try? await stream.channel.close()
                throw StreamingError("\(url): the server chose subprotocol \(chosen), which was not offered")
            }
            return (stream, p)
        case .refused(let http):
            throw try await refusal(http, url)
        }
    }

    private static func refusal(_ http: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>, _ url: StreamURL) async throws -> StreamingError {
        try await http.executeThenClose { inbound, _ in
            var status = "no answer"
            var body = ByteBuffer()
            do {
                for try await part in inbound {
                    switch part {
                    case .head(let head): status = "\(head.status.code) \(head.status.reasonPhrase)"
                    case .body(var chunk): if body.readableBytes < 4096 { body.writeBuffer(&chunk) }
                    case .end: return StreamingError("\(url): the server refused the stream: \(status): \(String(buffer: body).trimmingCharacters(in: " \n\r"))")
                    }
                }
            } catch {}
            return StreamingError("\(url): the server refused the stream: \(status) \(String(buffer: body))")
        }
    }
}
