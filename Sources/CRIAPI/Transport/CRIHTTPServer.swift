// Serves the CRI services as HTTP/1.1 + JSON on a Unix socket: POST /<service>/<Rpc>.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The CRI server transport: a keep-alive HTTP/1.1 server on a Unix socket that decodes each
/// request, calls the handler and encodes the answer. Errors answer with the gRPC code's HTTP
/// status and `{"code": ..., "message": ...}`. GetContainerEvents answers with a chunked
/// NDJSON stream.
///
///     let server = try await CRIHTTPServer.bind(socketPath: path, runtime: r, image: i)
///     let serving = Task { try await server.run() }
///     ...
///     server.shutdown()           // stop accepting; in-flight calls finish; streams end
///     try await serving.value
public final class CRIHTTPServer: Sendable {
    public let socketPath: String
    /// Request bodies larger than this are refused with ResourceExhausted.
    public let maxRequestBytes: Int

    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    private let listener: NIOAsyncChannel<Connection, Never>
    private let router: CRIRouter
    private let callFinished: (@Sendable () -> Void)?
    private let connections = Mutex(ConnectionTable())
    /// Opens on shutdown(): event streams end.
    private let stopping = Latch()

    private init(socketPath: String, maxRequestBytes: Int, listener: NIOAsyncChannel<Connection, Never>, router: CRIRouter,
                 callFinished: (@Sendable () -> Void)?) {
        self.callFinished = callFinished
        self.socketPath = socketPath
        self.maxRequestBytes = maxRequestBytes
        self.listener = listener
        self.router = router
    }

    /// Listens on `socketPath`: creates its directory if missing, replaces a stale socket left
    /// by an earlier run, and sets the socket's mode (0660: root and the socket's group).
    /// `callFinished` runs after each unary call is answered.
    public static func bind(
        socketPath: String,
        runtime: some RuntimeServiceHandler,
        image: some ImageServiceHandler,
        socketMode: mode_t = 0o660,
        maxRequestBytes: Int = 16 << 20,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        callFinished: (@Sendable () -> Void)? = nil
    ) async throws -> CRIHTTPServer {
        let directory = String(socketPath[..<(socketPath.lastIndex(of: "/") ?? socketPath.startIndex)])
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw CRIError(.internal, "cannot create the socket's directory \(directory): \(error)")
            }
        }
        let listener: NIOAsyncChannel<Connection, Never>
        do {
            listener = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // No pipelining assistance: it stops reading while a response is pending, and
                        // then a client that leaves mid-call goes unnoticed (serve() answers requests
                        // in order anyway). withErrorHandling: unparsable HTTP gets a 400, then close.
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                            withPipeliningAssistance: false, withErrorHandling: true)
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw CRIError(.unavailable, "cannot listen on unix socket \(socketPath): \(error)")
        }
        guard chmod(socketPath, socketMode) == 0 else {
            let reason = String(cString: strerror(errno))
            try? await listener.channel.close()
            throw CRIError(.internal, "chmod \(String(socketMode, radix: 8)) \(socketPath): \(reason)")
        }
        return CRIHTTPServer(
            socketPath: socketPath, maxRequestBytes: maxRequestBytes, listener: listener,
            router: CRIRouter(runtime: runtime, image: image), callFinished: callFinished)
    }

    /// Serves until `shutdown()` (then waits for the calls in flight) or until the calling task
    /// is cancelled (then closes every connection at once). Removes the socket file at the end.
    /// Call it once.
    public func run() async throws {
        defer { removeSocketFile() }
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    /// Stops accepting connections and closes idle ones; a call in progress finishes and its
    /// connection then closes; event streams end (their chunked response is completed).
    /// `run()` returns when the last connection is gone.
    public func shutdown() {
        let idle = connections.withLock { table in
            table.shuttingDown = true
            return table.idleChannels
        }
        listener.channel.close(promise: nil)
        idle.forEach { $0.close(promise: nil) }
        stopping.open()
    }

    // MARK: - One connection

    private func serve(_ connection: Connection) async {
        let id = connections.withLock { $0.add(connection.channel) }
        defer { connections.withLock { $0.remove(id) } }
        // So that a call stops when its client goes away (NIO keeps reading while a handler
        // runs, so it sees the peer's EOF and closes the channel).
        let closed = Latch()
        connection.channel.closeFuture.whenComplete { _ in closed.open() }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var request: (head: HTTPRequestHead, body: ByteBuffer, tooLarge: Bool)?
                for try await part in inbound {
                    switch part {
                    case .head(let head):
                        _ = connections.withLock { $0.setBusy(id, true) }
                        request = (head, ByteBuffer(), false)
                    case .body(var chunk):
                        guard request != nil else { continue }
                        if request!.body.readableBytes + chunk.readableBytes > maxRequestBytes {
                            request!.tooLarge = true
                            request!.body.clear()
                        } else if !request!.tooLarge {
                            request!.body.writeBuffer(&chunk)
                        }
                    case .end:
                        guard let (head, body, tooLarge) = request else { continue }
                        request = nil
                        let keepAlive = try await respond(
                            to: head, body: body, tooLarge: tooLarge, closed: closed, outbound: outbound)
                        let shuttingDown = connections.withLock { $0.setBusy(id, false) }
                        if !keepAlive || shuttingDown { return }
                    }
                }
            }
        } catch {
            // The peer went away or sent garbage; that connection is done, the server is not.
        }
    }

    /// Answers one request; returns whether the connection may stay open.
    private func respond(
        to head: HTTPRequestHead, body: ByteBuffer, tooLarge: Bool, closed: Latch,
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws -> Bool {
        let keepAlive = head.isKeepAlive && !tooLarge && !connections.withLock { $0.shuttingDown }
        let path = String(head.uri.prefix { $0 != "?" })
        let reply = Reply(version: head.version, keepAlive: keepAlive, outbound: outbound)

        guard let route = router.route(for: path) else {
            try await reply.error(CRIError(.unimplemented, """
                unknown RPC \(path): CRI calls are POST /\(CRIService.runtime.rawValue)/<Rpc> \
                or POST /\(CRIService.image.rawValue)/<Rpc>
                """), status: .notFound)
            return keepAlive
        }
        guard head.method == .POST else {
            try await reply.error(
                CRIError(.unimplemented, "\(head.method) \(path): CRI calls are POST requests"),
                status: .methodNotAllowed)
            return keepAlive
        }
        guard !tooLarge else {
            try await reply.error(CRIError(
                .resourceExhausted, "request body larger than \(maxRequestBytes) bytes"))
            return false
        }
        // An empty body is the empty message, so `curl -X POST .../Version` works.
        let json = body.readableBytes == 0 ? Data("{}".utf8) : Data(body.readableBytesView)

        switch route {
        case .unary(let call):
            let answer: Data?
            defer { callFinished?() }
            do {
                answer = try await Self.untilClosed(closed) { try await call(json) }
            } catch {
                try await reply.error(Self.criError(error))
                return keepAlive
            }
            guard let answer else { return false }  // the client left; the handler was cancelled
            try await reply.json(answer)
            return keepAlive

        case .stream(let open):
            let stream: CRIRouter.EncodedStream
            do {
                stream = try await open(json)
            } catch {
                try await reply.error(Self.criError(error))
                return keepAlive
            }
            try await serveStream(stream, reply: reply, closed: closed)
            return false
        }
    }

    /// Sends a stream as chunked NDJSON until it ends, the client leaves, or the server shuts
    /// down. A stream that fails ends with a line {"error": {"code": ..., "message": ...}}.
    private func serveStream(_ stream: CRIRouter.EncodedStream, reply: Reply, closed: Latch) async throws {
        try await reply.streamHead()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await stream.forEach { line in try await reply.streamLine(line) }
                } catch is CancellationError {
                } catch {
                    let line = try? CRICodec.encode(StreamErrorLine(error: CRIErrorBody(Self.criError(error))))
                    if let line { try? await reply.streamLine(line) }
                }
            }
            group.addTask { await closed.wait() }
            group.addTask { await self.stopping.wait() }
            await group.next()
            group.cancelAll()
        }
        if !closed.isOpen {
            try? await reply.streamEnd()
        }
    }

    /// Runs `call` and returns its result, or cancels it and returns nil if the connection
    /// closes first.
    private static func untilClosed(
        _ closed: Latch, _ call: @escaping @Sendable () async throws -> Data
    ) async throws -> Data? {
        try await withThrowingTaskGroup(of: Data?.self) { group in
            group.addTask { try await call() }
            group.addTask {
                await closed.wait()
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private static func criError(_ error: any Error) -> CRIError {
        switch error {
        case let error as CRIError: return error
        case is CancellationError: return CRIError(.canceled, "the call was canceled")
        default: return CRIError(.internal, "\(error)")
        }
    }

    private func removeSocketFile() {
        var info = stat()
        if lstat(socketPath, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK {
            unlink(socketPath)
        }
    }
}

/// The line that ends an event stream that failed.
struct StreamErrorLine: Codable {
    var error: CRIErrorBody
}

/// Writes the response to one request.
private struct Reply: Sendable {
    let version: HTTPVersion
    let keepAlive: Bool
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    func json(_ body: Data, status: HTTPResponseStatus = .ok) async throws {
        var bytes = ByteBuffer(bytes: body)
        bytes.writeString("\n")
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(bytes.readableBytes))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        try await outbound.write(contentsOf: [
            .head(HTTPResponseHead(version: version, status: status, headers: headers)),
            .body(.byteBuffer(bytes)),
            .end(nil),
        ])
    }

    func error(_ error: CRIError, status: HTTPResponseStatus? = nil) async throws {
        let body = try CRICodec.encode(CRIErrorBody(error))
        try await json(body, status: status ?? HTTPResponseStatus(statusCode: error.code.httpStatus))
    }

    func streamHead() async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/x-ndjson")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Connection", value: "close")
        try await outbound.write(.head(HTTPResponseHead(version: version, status: .ok, headers: headers)))
    }

    func streamLine(_ line: Data) async throws {
        var bytes = ByteBuffer(bytes: line)
        bytes.writeString("\n")
        try await outbound.write(.body(.byteBuffer(bytes)))
    }

    func streamEnd() async throws {
        try await outbound.write(.end(nil))
    }
}

/// The server's open connections, so that shutdown can close the idle ones.
private struct ConnectionTable {
    struct Entry {
        let channel: any Channel
        var busy = false
    }

    var shuttingDown = false
    private var nextID = 0
    private var entries: [Int: Entry] = [:]

    mutating func add(_ channel: any Channel) -> Int {
        nextID += 1
        entries[nextID] = Entry(channel: channel)
        if shuttingDown { channel.close(promise: nil) }
        return nextID
    }

    mutating func remove(_ id: Int) {
        entries[id] = nil
    }

    /// Returns whether the server is shutting down (so a connection that just went idle closes).
    @discardableResult
    mutating func setBusy(_ id: Int, _ busy: Bool) -> Bool {
        entries[id]?.busy = busy
        return shuttingDown
    }

    var idleChannels: [any Channel] { entries.values.filter { !$0.busy }.map(\.channel) }
}
