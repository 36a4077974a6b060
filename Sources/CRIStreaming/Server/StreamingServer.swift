// The streaming server the CRI daemon runs beside its API socket (containerd's stream server,
// the kubelet's streaming server): Exec, Attach and PortForward answer with a URL here, and
// the client upgrades that URL to a WebSocket speaking Kubernetes' channel protocol.
//
//     let server = try await StreamingServer.bind(host: "127.0.0.1", port: 0)
//     let serving = Task { try await server.run() }
//     let url = try server.register(.exec(session))   // http://127.0.0.1:<port>/exec/<token>
//     ...
//     server.shutdown()
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

public final class StreamingServer: Sendable {
    /// The address it listens on and the port it got (the one asked for, or a free one for 0).
    public let host: String
    public let port: Int
    /// Where URLs point: http://<host>:<port> (IPv6 in brackets).
    public let baseURL: String

    private enum Connection: Sendable {
        case stream(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, StreamAdmission.Accepted)
        /// A request that did not upgrade, and its head.
        case http(NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, HTTPRequestHead?)
    }

    private let listener: NIOAsyncChannel<EventLoopFuture<Connection>, Never>
    private let cache: SessionCache
    private let open: OpenChannels
    private let group: any EventLoopGroup

    /// The largest message a client may send (larger ones close the stream with an error).
    public static let maxMessageBytes = 1 << 20

    private init(host: String, port: Int, listener: NIOAsyncChannel<EventLoopFuture<Connection>, Never>,
                 cache: SessionCache, open: OpenChannels, group: any EventLoopGroup) {
        self.host = host
        self.port = port
        self.baseURL = "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        self.listener = listener
        self.cache = cache
        self.open = open
        self.group = group
    }

    /// Listens on `host`:`port` (0: any free port; `port` then tells which). Tokens expire
    /// after `tokenLifetime` unused.
    public static func bind(host: String = "127.0.0.1", port: Int = 0, tokenLifetime: Duration = .seconds(60),
                            group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> StreamingServer {
        let cache = SessionCache(lifetime: tokenLifetime)
        let open = OpenChannels()
        let listener: NIOAsyncChannel<EventLoopFuture<Connection>, Never>
        do {
            listener = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        open.add(channel)
                        return try configure(channel, cache: cache)
                    }
                }
        } catch {
            throw StreamingError("streaming server: cannot listen on \(host):\(port): \(error)")
        }
        guard let bound = listener.channel.localAddress?.port else {
            try? await listener.channel.close()
            throw StreamingError("streaming server: no local port after binding \(host):\(port)")
        }
        return StreamingServer(host: host, port: bound, listener: listener, cache: cache, open: open, group: group)
    }

    /// Keeps `session` until a client opens its URL (once, within the token lifetime).
    public func register(_ session: StreamSession) throws -> String {
        baseURL + "/" + session.kind + "/" + (try cache.insert(session))
    }

    /// Serves until `shutdown()` or cancellation.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    /// Stops listening and closes every connection: streams end, exec commands are killed.
    public func shutdown() {
        listener.channel.close(promise: nil)
        open.closeAll()
    }

    // MARK: - Connections

    private static func configure(_ channel: any Channel, cache: SessionCache) throws -> EventLoopFuture<Connection> {
        // What shouldUpgrade accepted, for the upgrade handler that runs right after it.
        let accepted = NIOLockedValueBox<StreamAdmission.Accepted?>(nil)
        let requestHead = RequestHeadRecorder()
        let upgrader = NIOTypedWebSocketServerUpgrader<Connection>(
            maxFrameSize: maxMessageBytes,
            shouldUpgrade: { channel, head in
                guard case .success(let admitted) = StreamAdmission.evaluate(head, cache: cache),
                      cache.take(admitted.token) != nil else {
                    return channel.eventLoop.makeSucceededFuture(nil)   // answered as plain HTTP
                }
                accepted.withLockedValue { $0 = admitted }
                var headers = HTTPHeaders()
                if case .chosen(let p) = admitted.choice { headers.add(name: "Sec-WebSocket-Protocol", value: p.rawValue) }
                return channel.eventLoop.makeSucceededFuture(headers)
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    // Clients may fragment a message (gorilla/websocket does past its buffer size).
                    try channel.pipeline.syncOperations.addHandler(NIOWebSocketFrameAggregator(
                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 12, maxAccumulatedFrameSize: maxMessageBytes))
                    let ws = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(
                        wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                    return .stream(ws, accepted.withLockedValue { $0! })
                }
            })
        // NIO's upgradable pipeline, put together here so that the request head is seen first:
        // after a refused upgrade NIO passes none of the request on, and the answer depends on it.
        let encoder = HTTPResponseEncoder()
        let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes))
        let errors = HTTPServerProtocolErrorHandler()
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(encoder)
        try sync.addHandler(decoder)
        try sync.addHandler(errors)
        try sync.addHandler(requestHead)
        let upgradeHandler = NIOTypedHTTPServerUpgradeHandler<Connection>(
            httpEncoder: encoder, extraHTTPHandlers: [decoder, errors, requestHead],
            upgradeConfiguration: NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        .http(try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel),
                              requestHead.head)
                    }
                }))
        try sync.addHandler(upgradeHandler)
        return upgradeHandler.upgradeResultFuture
    }

    private func serve(_ connection: EventLoopFuture<Connection>) async {
        do {
            switch try await connection.get() {
            case .stream(let ws, let accepted):
                try await ws.executeThenClose { inbound, outbound in
                    let writer = ChannelWriter(outbound: outbound, isClient: false)
                    switch accepted.session {
                    case .exec(let session):
                        await ExecStream.run(session, inbound: inbound, writer: writer, streamProtocol: accepted.streamProtocol, group: group)
                    case .attach(let session):
                        await AttachStream.run(session, inbound: inbound, writer: writer, streamProtocol: accepted.streamProtocol)
                    case .portForward(let session):
                        await PortForwardStream.run(session, ports: accepted.ports, inbound: inbound, writer: writer, group: group)
                    }
                }
            case .http(let http, let head):
                try await http.executeThenClose { _, outbound in
                    let refusal: StreamAdmission.Refusal
                    switch head.map({ StreamAdmission.evaluate($0, cache: cache) }) {
                    case .failure(let r): refusal = r
                    case .success(let accepted): refusal = StreamAdmission.upgradeRequired(accepted.session.kind)
                    case nil: refusal = StreamAdmission.Refusal(status: .badRequest, message: "not an HTTP request")
                    }
                    let body = ByteBuffer(string: refusal.message + "\n")
                    let headers: HTTPHeaders = ["Content-Type": "text/plain; charset=utf-8",
                                                "Content-Length": "\(body.readableBytes)", "Connection": "close"]
                    try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: refusal.status, headers: headers)))
                    try await outbound.write(.body(.byteBuffer(body)))
                    try await outbound.write(.end(nil))
                }
            }
        } catch {
            // A connection that broke or never made sense: nothing to tell anyone.
        }
    }
}

/// Remembers the request head on its way to the upgrade handler.
final class RequestHeadRecorder: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let recorded = NIOLockedValueBox<HTTPRequestHead?>(nil)
    var head: HTTPRequestHead? { recorded.withLockedValue { $0 } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { recorded.withLockedValue { $0 = head } }
        context.fireChannelRead(data)
    }
}

/// Every accepted connection, so that shutdown can close them.
final class OpenChannels: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in self?.channels.withLock { _ = $0.removeValue(forKey: id) } }
    }

    func closeAll() {
        channels.withLock { Array($0.values) }.forEach { $0.close(promise: nil) }
    }
}
