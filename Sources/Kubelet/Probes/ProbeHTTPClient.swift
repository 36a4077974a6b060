// The HTTP GET of httpGet probes and hooks: one request on a connection into the pod's network
// (PodConnection), "Connection: close", with the kubelet's User-Agent and the probe's headers;
// the status is known as soon as the headers are in. A little of the body is kept for the
// failure message, as the kubelet keeps its first 10 KiB. scheme HTTPS speaks TLS over the same
// connection (swift-nio-ssl) and, as the kubelet's prober, does not verify the certificate: a
// pod's certificate is its own business, and the node has nothing to check it against.
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

struct ProbeHTTPResponse: Sendable {
    var statusCode: Int
    var body: String
}

enum ProbeHTTPClient {
    static let userAgent = "kube-probe/1.33"
    static let bodyLimit = 10 * 1024

    static func get(_ endpoint: PodEndpoint, secure: Bool = false, path: String, headers: [(name: String, value: String)],
                    timeout: Duration) async throws -> ProbeHTTPResponse {
        let target = path.isEmpty ? "/" : (path.hasPrefix("/") ? path : "/" + path)
        let what = "Get \"\(secure ? "https" : "http")://\(endpoint)\(target)\""
        var lines = ["GET \(target) HTTP/1.1"]
        let given = Set(headers.map { $0.name.lowercased() })
        if !given.contains("host") { lines.append("Host: \(endpoint)") }
        if !given.contains("user-agent") { lines.append("User-Agent: \(userAgent)") }
        if !given.contains("accept") { lines.append("Accept: */*") }
        lines += headers.map { "\($0.name): \($0.value)" }
        lines.append("Connection: close")
        let request = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        do {
            if secure { return try await getOverTLS(endpoint, request: request, timeout: timeout, what: what) }
            return try await getOverTCP(endpoint, request: request, timeout: timeout, what: what)
        } catch let error as PodConnectionError where error.description.hasPrefix("dial ") {
            // As Go words it: the request, then why the connection failed.
            throw PodConnectionError("\(what): \(error)")
        }
    }

    private static func getOverTCP(_ endpoint: PodEndpoint, request: [UInt8], timeout: Duration, what: String) async throws -> ProbeHTTPResponse {
        try await PodConnection.withConnection(to: endpoint, timeout: timeout) { fd, deadline in
            try PodConnection.send(fd, request, until: deadline, what: what)
            var reader = ResponseReader(what: what)
            while true {
                // nil: the deadline; a response whose headers came is answered, else a timeout.
                guard let chunk = try PodConnection.receive(fd, until: deadline, what: what) else { return try reader.atDeadline() }
                if let response = try reader.add(chunk) { return response }
            }
        }
    }

    /// TLS for every HTTPS probe: no certificate verification (InsecureSkipVerify, as the kubelet).
    private static let tlsContext: Result<NIOSSLContext, any Error> = Result {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return try NIOSSLContext(configuration: configuration)
    }

    /// The request over TLS on a connection made inside the pod's network, then handed to NIO.
    private static func getOverTLS(_ endpoint: PodEndpoint, request: [UInt8], timeout: Duration, what: String) async throws -> ProbeHTTPResponse {
        let deadline = ContinuousClock.now + timeout
        let context: NIOSSLContext
        do { context = try tlsContext.get() } catch { throw PodConnectionError("\(what): TLS is not available: \(error)") }
        // As Go's client: the server name (SNI) is the host when it is a name, none for an address.
        let serverName = PodConnection.isAddressLiteral(endpoint.host) ? nil : endpoint.host
        let fd = try await PodConnection.connectedSocket(to: endpoint, deadline: deadline)
        let connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).withConnectedSocket(fd) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: serverName))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        } catch {
            throw PodConnectionError("\(what): TLS: \(error)")
        }
        // At the deadline the connection is closed, which ends the reading below.
        let timer = Task { [channel = connection.channel] in
            try? await Task.sleep(until: deadline)
            if !Task.isCancelled { channel.close(promise: nil) }
        }
        defer { timer.cancel() }
        var reader = ResponseReader(what: what)
        do {
            return try await connection.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(bytes: request))
                for try await buffer in inbound {
                    if let response = try reader.add(Array(buffer.readableBytesView)) { return response }
                }
                return try ContinuousClock.now >= deadline ? reader.atDeadline() : reader.atEnd()
            }
        } catch let error as PodConnectionError {
            throw error
        } catch {
            // A server that closes without TLS's close_notify, after answering: the answer stands.
            if ContinuousClock.now >= deadline { return try reader.atDeadline() }
            if let response = reader.partial { return response }
            throw PodConnectionError("\(what): TLS: \(error)")
        }
    }

    /// Collects a response's bytes until its status (and, for a failure, some body) is in.
    struct ResponseReader {
        let what: String
        private var received: [UInt8] = []
        private var head: (status: Int, bodyStart: Int, length: Int?)?

        init(what: String) { self.what = what }

        /// Takes bytes read (empty: the end of the stream); the response once it is known.
        mutating func add(_ chunk: [UInt8]) throws -> ProbeHTTPResponse? {
            received += chunk
            if head == nil, let parsed = try parseHead(received, what: what) { head = parsed }
            guard let head else {
                if chunk.isEmpty { throw PodConnectionError("\(what): EOF") }
                return nil
            }
            let body = received.count - head.bodyStart
            // A success needs no body; a failure keeps some of it for the message.
            if (200..<400).contains(head.status) || chunk.isEmpty || body >= bodyLimit || body >= (head.length ?? Int.max) {
                return response(head.status, received, from: head.bodyStart)
            }
            return nil
        }

        /// The stream ended.
        mutating func atEnd() throws -> ProbeHTTPResponse {
            try add([]) ?? { throw PodConnectionError("\(what): EOF") }()
        }

        /// The time ran out: a response whose headers came is answered, else it is a timeout.
        func atDeadline() throws -> ProbeHTTPResponse {
            guard let partial else {
                throw PodConnectionError("\(what): context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
            }
            return partial
        }

        /// What came so far, if the headers did.
        var partial: ProbeHTTPResponse? { head.map { response($0.status, received, from: $0.bodyStart) } }
    }

    private static func response(_ status: Int, _ bytes: [UInt8], from start: Int) -> ProbeHTTPResponse {
        let body = bytes.count > start ? Array(bytes[start..<min(bytes.count, start + bodyLimit)]) : []
        return ProbeHTTPResponse(statusCode: status, body: String(decoding: body, as: UTF8.self))
    }

    /// The status code, where the body starts, and Content-Length; nil until the headers are in.
    /// Lines may end with a bare LF (CGI scripts behind busybox httpd send them), as Go accepts.
    private static func parseHead(_ bytes: [UInt8], what: String) throws -> (status: Int, bodyStart: Int, length: Int?)? {
        var end: (index: Int, separator: Int)?
        for i in bytes.indices where bytes[i] == 10 {
            if i + 1 < bytes.count, bytes[i + 1] == 10 { end = (i, 2); break }
            if i + 2 < bytes.count, bytes[i + 1] == 13, bytes[i + 2] == 10 { end = (i, 3); break }
        }
        guard let (index, separator) = end else {
            if bytes.count > 64 * 1024 { throw PodConnectionError("\(what): response headers too large") }
            return nil
        }
        let text = String(decoding: bytes[..<index], as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"), let status = Int(statusParts[1]) else {
            throw PodConnectionError("\(what): malformed HTTP response \"\(lines[0].prefix(80))\"")
        }
        var length: Int?
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces))
            }
        }
        return (status, index + separator, length)
    }
}
