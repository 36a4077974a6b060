// The HTTP GET of httpGet probes and hooks: one request on a connection into the pod's network
// (PodConnection), "Connection: close", with the kubelet's User-Agent and the probe's headers;
// the status is known as soon as the headers are in. A little of the body is kept for the
// failure message, as the kubelet keeps its first 10 KiB.
import Foundation

struct ProbeHTTPResponse: Sendable {
    var statusCode: Int
    var body: String
}

enum ProbeHTTPClient {
    static let userAgent = "kube-probe/1.33"
    static let bodyLimit = 10 * 1024

    static func get(_ endpoint: PodEndpoint, path: String, headers: [(name: String, value: String)],
                    timeout: Duration) async throws -> ProbeHTTPResponse {
        let target = path.isEmpty ? "/" : (path.hasPrefix("/") ? path : "/" + path)
        let what = "Get \"http://\(endpoint)\(target)\""
        var lines = ["GET \(target) HTTP/1.1"]
        let given = Set(headers.map { $0.name.lowercased() })
        if !given.contains("host") { lines.append("Host: \(endpoint)") }
        if !given.contains("user-agent") { lines.append("User-Agent: \(userAgent)") }
        if !given.contains("accept") { lines.append("Accept: */*") }
        lines += headers.map { "\($0.name): \($0.value)" }
        lines.append("Connection: close")
        let request = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)

        return try await PodConnection.withConnection(to: endpoint, timeout: timeout) { fd, deadline in
            try PodConnection.send(fd, request, until: deadline, what: what)
            var received: [UInt8] = []
            var head: (status: Int, bodyStart: Int, length: Int?)?
            while true {
                guard let chunk = try PodConnection.receive(fd, until: deadline, what: what) else {
                    // The deadline: a response whose headers came is answered; else a timeout.
                    guard let head else {
                        throw PodConnectionError("\(what): context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
                    }
                    return response(head.status, received, from: head.bodyStart)
                }
                received += chunk
                if head == nil, let parsed = try parseHead(received, what: what) { head = parsed }
                guard let head else {
                    if chunk.isEmpty { throw PodConnectionError("\(what): EOF") }
                    continue
                }
                let body = received.count - head.bodyStart
                // A success needs no body; a failure keeps some of it for the message.
                if (200..<400).contains(head.status) || chunk.isEmpty || body >= bodyLimit || body >= (head.length ?? Int.max) {
                    return response(head.status, received, from: head.bodyStart)
                }
            }
        }
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
