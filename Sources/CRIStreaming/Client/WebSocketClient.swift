// Opening a stream: an HTTP/1.1 GET with a WebSocket upgrade offering subprotocols. A server
// that refuses (404 for a used token, 400 for a bad request) is reported with its status and
// the text it answered.
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// How a client reaches a streaming server: nil connects over TCP from here; a dialer returns
/// a connected stream socket of its own making (say, one made inside the network namespace the
/// server runs in), which the client then owns.
public typealias StreamDialer = @Sendable (_ host: String, _ port: Int) throws -> Int32

enum WebSocketClient {
    typealias Stream = NIOAsyncChannel<WebSocketFrame, WebSocketFrame>

    private enum Upgrade: Sendable {
        case stream(Stream, HTTPResponseHead)
        case refused(NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>)
    }

    /// Connects and upgrades; returns the stream and the subprotocol the server chose (nil if it
    /// named none).
    static func connect(_ url: StreamURL, protocols: [StreamProtocol], dialer: StreamDialer? = nil,
                        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> (Stream, StreamProtocol?) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.authority)
        headers.add(name: "Sec-WebSocket-Protocol", value: protocols.map(\.rawValue).joined(separator: ", "))
        headers.add(name: "Content-Length", value: "0")
        let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.target, headers: headers)
        let initialize: @Sendable (any Channel) -> EventLoopFuture<EventLoopFuture<Upgrade>> = { channel in
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
        let upgrade: EventLoopFuture<Upgrade>
        do {
            let bootstrap = ClientBootstrap(group: group).connectTimeout(.seconds(10))
            if let dialer {
                let fd = try dialer(url.host, url.port)
                upgrade = try await bootstrap.withConnectedSocket(fd, channelInitializer: initialize)
            } else {
                upgrade = try await bootstrap.connect(host: url.host, port: url.port, channelInitializer: initialize)
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
