// exec, attach and port-forward through the kubelet's own port, as the kubelet serves them: the
// client's upgrade request is passed on to the streaming URL the runtime's Exec, Attach or
// PortForward call gave, and once the runtime's streaming server has switched protocols, the
// bytes go both ways unchanged until either side closes. The client never needs to reach the
// runtime's streaming server, which listens on the node's loopback. A refusal from the runtime
// (a used token, an unsupported subprotocol) reaches the client as the runtime worded it.
import CRIStreaming
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

struct StreamProxy: Sendable {
    /// How to reach the runtime's streaming server (nil: TCP from here).
    let dialer: StreamDialer?
    let group: any EventLoopGroup

    /// How long the runtime's streaming server may take to answer the upgrade.
    static let answerTimeout: Duration = .seconds(30)
    /// The most of a refusal's body passed on.
    static let refusalLimit = 64 * 1024

    typealias ClientRequests = NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator
    typealias ClientWriter = NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    /// Proxies the client's upgrade `request` to `url`; `refuse` answers the client over HTTP
    /// when no stream opens. Returns when the stream is over (the client's connection is then
    /// done).
    func run(_ request: HTTPRequestHead, to url: String, client: any Channel, requests: inout ClientRequests,
             writer: ClientWriter, refuse: (KubeletResponse) async throws -> Void) async throws {
        let target: StreamURL
        let backend: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            target = try StreamURL(url)
            backend = try await connect(target)
        } catch {
            try await refuse(.problem(.internalServerError, "cannot reach the container runtime's streaming server at \(url): \(error)"))
            return
        }
        let timer = Task { [channel = backend.channel] in
            try? await Task.sleep(for: Self.answerTimeout)
            if !Task.isCancelled { channel.close(promise: nil) }
        }
        try await backend.executeThenClose { (backendIn: NIOAsyncChannelInboundStream<ByteBuffer>, backendOut: NIOAsyncChannelOutboundWriter<ByteBuffer>) in
            try await backendOut.write(ByteBuffer(string: Self.forwardedHead(request, to: target, from: client.remoteAddress)))
            var responses = backendIn.makeAsyncIterator()
            var received = ByteBuffer()
            var answer: AnswerHead?
            do {
                while answer == nil, var chunk = try await responses.next() {
                    received.writeBuffer(&chunk)
                    answer = try AnswerHead.parse(received)
                }
            } catch {
                timer.cancel()
                try await refuse(.problem(.badGateway, "the container runtime's streaming server at \(target): \(error)"))
                return
            }
            guard let answer else {
                timer.cancel()
                try await refuse(.problem(.badGateway, "the container runtime's streaming server at \(target) closed the connection without answering"))
                return
            }
            guard answer.status == 101 else {
                // Its refusal, as it answered it: the body up to its length (or the end).
                var body = received.getSlice(at: answer.length, length: received.readableBytes - answer.length) ?? ByteBuffer()
                while body.readableBytes < min(answer.contentLength ?? Self.refusalLimit, Self.refusalLimit),
                      var chunk = try? await responses.next() {
                    body.writeBuffer(&chunk)
                }
                timer.cancel()
                try await refuse(.full(status: HTTPResponseStatus(statusCode: answer.status),
                                       contentType: answer.contentType ?? "text/plain; charset=utf-8", body: Array(body.readableBytesView)))
                return
            }
            timer.cancel()
            // Switched: from here on both connections carry the stream's bytes, starting with
            // the runtime's 101 answer (and whatever came with it) as it was sent.
            try await RawBytesBridge.install(on: client)
            try await writer.write(.body(.byteBuffer(received)))
            let fromRuntime = Handover(responses)
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        while let chunk = try await fromRuntime.iterator.next() { try await writer.write(.body(.byteBuffer(chunk))) }
                    } catch {}
                    client.close(promise: nil)
                }
                do {
                    while let part = try await requests.next() {
                        if case .body(let bytes) = part { try await backendOut.write(bytes) }
                    }
                } catch {}
                backend.channel.close(promise: nil)
                await group.waitForAll()
            }
        }
    }

    private func connect(_ url: StreamURL) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let bootstrap = ClientBootstrap(group: group).connectTimeout(.seconds(10))
        let initialize: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel(wrappingChannelSynchronously: channel) }
        }
        if let dialer {
            let fd = try dialer(url.host, url.port)
            return try await bootstrap.withConnectedSocket(fd, channelInitializer: initialize)
        }
        return try await bootstrap.connect(host: url.host, port: url.port, channelInitializer: initialize)
    }

    /// The client's request as the runtime gets it: the streaming URL's path and query, the
    /// client's headers (the upgrade's among them), the runtime's Host, and X-Forwarded-For.
    static func forwardedHead(_ request: HTTPRequestHead, to url: StreamURL, from client: SocketAddress?) -> String {
        var text = "\(request.method.rawValue) \(url.target) HTTP/1.1\r\n"
        var forwardedFor: [String] = []
        for (name, value) in request.headers {
            switch name.lowercased() {
            case "host": continue
            case "x-forwarded-for": forwardedFor.append(value)
            default: text += "\(name): \(value)\r\n"
            }
        }
        if let address = client?.ipAddress { forwardedFor.append(address) }
        if !forwardedFor.isEmpty { text += "X-Forwarded-For: \(forwardedFor.joined(separator: ", "))\r\n" }
        return text + "Host: \(url.authority)\r\n\r\n"
    }

    /// Whether a request asks to switch protocols (Connection: Upgrade, with an Upgrade header).
    static func isUpgrade(_ headers: HTTPHeaders) -> Bool {
        let connection = headers["Connection"].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return connection.contains("upgrade") && !headers["Upgrade"].isEmpty
    }

    /// The runtime's answer's status line and headers.
    struct AnswerHead {
        var status: Int
        /// Bytes up to and including the blank line.
        var length: Int
        var contentType: String?
        var contentLength: Int?

        /// The head, once all of it is in `bytes`.
        static func parse(_ bytes: ByteBuffer) throws -> AnswerHead? {
            let view = bytes.readableBytesView
            guard let end = view.firstRange(of: [13, 10, 13, 10]) else {
                if view.count > 64 * 1024 { throw StreamProxyError("its answer's headers are too large") }
                return nil
            }
            let lines = String(decoding: view[view.startIndex..<end.lowerBound], as: UTF8.self).split(separator: "\r\n")
            let statusLine = lines.first.map(String.init) ?? ""
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
                throw StreamProxyError("it answered \"\(statusLine.prefix(80))\", not HTTP")
            }
            var head = AnswerHead(status: status, length: end.upperBound - view.startIndex)
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                switch line[..<colon].lowercased() {
                case "content-type": head.contentType = value
                case "content-length": head.contentLength = Int(value)
                default: break
                }
            }
            return head
        }
    }
}

struct StreamProxyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// An iterator handed from the task that made it to the one task that uses it from then on.
private final class Handover<Iterator: AsyncIteratorProtocol>: @unchecked Sendable {
    var iterator: Iterator
    init(_ iterator: Iterator) { self.iterator = iterator }
}
