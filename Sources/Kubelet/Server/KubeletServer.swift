// The kubelet's HTTP API (port 10250, loopback by default): plain HTTP/1.1 with swift-nio,
// keep-alive, read-only apart from the exec, attach and port-forward streams it proxies from
// the container runtime. No authentication: it is meant for the node itself; bind it elsewhere
// only behind something that authenticates.
//
//     let server = try await KubeletServer.bind(kubelet: kubelet)   // settings.address, settings.port
//     let serving = Task { try await server.run() }
//     ...
//     serving.cancel()
import CRIStreaming
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

public final class KubeletServer: Sendable {
    public let host: String
    /// The port it listens on (the one asked for, or the one it got for 0).
    public let port: Int

    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    private let listener: NIOAsyncChannel<Connection, Never>
    private let routes: KubeletRoutes
    private let proxy: StreamProxy

    private init(host: String, port: Int, listener: NIOAsyncChannel<Connection, Never>, routes: KubeletRoutes, proxy: StreamProxy) {
        self.host = host
        self.port = port
        self.listener = listener
        self.routes = routes
        self.proxy = proxy
    }

    /// Listens on `host`:`port` (default: the kubelet's --address and --port; port 0 takes a
    /// free one). `streamDialer` reaches the runtime's streaming server where plain TCP from
    /// here cannot (nil: TCP, the runtime being on the same node and network).
    public static func bind(kubelet: Kubelet, host: String? = nil, port: Int? = nil, streamDialer: StreamDialer? = nil,
                            group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> KubeletServer {
        let host = host ?? kubelet.settings.address
        let port = port ?? kubelet.settings.port
        let listener: NIOAsyncChannel<Connection, Never>
        do {
            listener = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 128)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw KubeletError.setup("the kubelet API cannot listen on \(host):\(port): \(error)")
        }
        let bound = listener.channel.localAddress?.port ?? port
        return KubeletServer(host: host, port: bound, listener: listener, routes: KubeletRoutes(kubelet: kubelet),
                             proxy: StreamProxy(dialer: streamDialer, group: group))
    }

    /// Serves until the task is cancelled; then every connection closes.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    private func serve(_ connection: Connection) async {
        let channel = connection.channel
        do {
            try await connection.executeThenClose { inbound, outbound in
                var requests = inbound.makeAsyncIterator()
                var head: HTTPRequestHead?
                while let part = try await requests.next() {
                    switch part {
                    case .head(let h):
                        head = h
                    case .body:
                        continue   // the API reads no bodies
                    case .end:
                        guard let request = head else { continue }
                        head = nil
                        let response = await routes.respond(to: KubeletRequest(method: request.method, uri: request.uri,
                                                                               isUpgrade: StreamProxy.isUpgrade(request.headers)))
                        if case .upgrade(let url) = response {
                            // The connection is the stream's from here on, or closes after a refusal.
                            try await proxy.run(request, to: url, client: channel, requests: &requests, writer: outbound) { refusal in
                                var closing = request
                                closing.headers.replaceOrAdd(name: "Connection", value: "close")
                                _ = try await write(refusal, for: closing, to: outbound, channel: channel)
                            }
                            return
                        }
                        let keepAlive = try await write(response, for: request, to: outbound, channel: channel)
                        if !keepAlive { return }
                    }
                }
            }
        } catch {
            // The client went away or sent garbage: that connection is done, the server is not.
        }
    }

    /// Writes the response; whether the connection may serve another request.
    private func write(_ response: KubeletResponse, for request: HTTPRequestHead,
                       to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, channel: any Channel) async throws -> Bool {
        var headers = HTTPHeaders()
        switch response {
        case .full(let status, let contentType, let body, let extra):
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Content-Length", value: String(body.count))
            for (name, value) in extra { headers.add(name: name, value: value) }
            headers.add(name: "Connection", value: request.isKeepAlive ? "keep-alive" : "close")
            try await outbound.write(contentsOf: [
                .head(HTTPResponseHead(version: request.version, status: status, headers: headers)),
                .body(.byteBuffer(ByteBuffer(bytes: body))),
                .end(nil),
            ])
            return request.isKeepAlive
        case .stream(let contentType, let produce):
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Transfer-Encoding", value: "chunked")
            headers.add(name: "Connection", value: "close")
            try await outbound.write(.head(HTTPResponseHead(version: request.version, status: .ok, headers: headers)))
            // Until the stream ends or the client leaves, whichever is first.
            let finished = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    do {
                        try await produce { bytes in try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
                        return true
                    } catch {
                        return false
                    }
                }
                group.addTask {
                    // Polled (closeFuture cannot be cancelled): a client gone is noticed within 0.2 s.
                    while channel.isActive && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(200)) }
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if finished { try await outbound.write(.end(nil)) }
            return false
        case .upgrade:
            // serve() hands these to the stream proxy; nothing else answers with one.
            return try await write(.problem(.internalServerError, "a stream cannot be answered here"), for: request, to: outbound, channel: channel)
        }
    }
}
