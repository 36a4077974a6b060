// A minimal HTTP/1.1 client for one POST over a Unix socket: small and quick to start, which
// matters for a short-lived CLI (AsyncHTTPClient would pull in all of Foundation and TLS).
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

/// Sends one request per connection (`Connection: close`): connecting to a Unix socket costs
/// microseconds, and no pool means nothing to keep alive or to clean up.
struct UnixSocketHTTPClient: Sendable {
    let socketPath: String
    let group: any EventLoopGroup

    private typealias Connection = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    /// POSTs `body` to `path` and returns the status and the whole response body.
    func post(_ path: String, body: Data) async throws -> (status: Int, body: Data) {
        try await post(path, body: body) { status, inbound in
            var collected = ByteBuffer()
            while let part = try await inbound.next() {
                switch part {
                case .head: break
                case .body(var chunk): collected.writeBuffer(&chunk)
                case .end: return (status, Data(collected.readableBytesView))
                }
            }
            throw CRIError(.unavailable, "\(socketPath): connection closed before the response to \(path) was complete")
        }
    }

    /// POSTs `body` to `path` and hands the response status and the rest of the response parts
    /// (body chunks, then end) to `read`.
    func post<Result: Sendable>(
        _ path: String, body: Data,
        read: (_ status: Int, _ rest: inout NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator) async throws -> Result
    ) async throws -> Result {
        let connection = try await connect()
        return try await connection.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
            head.headers.add(name: "Host", value: "localhost")
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: String(body.count))
            head.headers.add(name: "Connection", value: "close")
            try await outbound.write(contentsOf: [
                .head(head), .body(.byteBuffer(ByteBuffer(bytes: body))), .end(nil),
            ])
            var parts = inbound.makeAsyncIterator()
            guard case .head(let responseHead)? = try await parts.next() else {
                throw CRIError(.unavailable, "\(socketPath): connection closed without answering \(path)")
            }
            return try await read(Int(responseHead.status.code), &parts)
        }
    }

    private func connect() async throws -> Connection {
        do {
            return try await ClientBootstrap(group: group)
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw CRIError(.unavailable, "cannot connect to \(socketPath): \(Self.reason(error, socketPath))")
        }
    }

    /// Why a connect failed, in the words a user needs ("no such socket", "nothing listening").
    private static func reason(_ error: any Error, _ socketPath: String) -> String {
        var info = stat()
        if lstat(socketPath, &info) != 0 {
            return errno == ENOENT
                ? "no such file (is skiff-cri running, and is this its --listen path?)"
                : String(cString: strerror(errno))
        }
        if info.st_mode & S_IFMT != S_IFSOCK {
            return "not a socket"
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused (nothing listens on it: is skiff-cri running?)"
            case EACCES: return "permission denied"
            default: return String(cString: strerror(io.errnoCode))
            }
        }
        return "\(error)"
    }
}
