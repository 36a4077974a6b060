// A streaming URL as Exec/Attach/PortForward return it: http://host:port/path?query (ws://
// accepted too). TLS is not spoken: the daemon's streaming server is plain HTTP on loopback.

public struct StreamURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// The path and query, as sent in the request line.
    public var target: String

    public init(_ text: String) throws {
        var rest = Substring(text)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) } else if rest.hasPrefix("ws://") { rest = rest.dropFirst(5) } else {
            throw StreamingError("stream URL \(text): only http:// and ws:// are supported")
        }
        let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<slash]
        target = slash == rest.endIndex ? "/" : String(rest[slash...])
        if target.hasPrefix("?") { target = "/" + target }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw StreamingError("stream URL \(text): unterminated [IPv6] host") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? try Self.port(after.dropFirst(), text) : 80
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = try Self.port(authority[authority.index(after: colon)...], text)
        } else {
            host = String(authority)
            port = 80
        }
        guard !host.isEmpty else { throw StreamingError("stream URL \(text): no host") }
    }

    private static func port(_ text: Substring, _ url: String) throws -> Int {
        guard let port = Int(text), (1...65535).contains(port) else { throw StreamingError("stream URL \(url): bad port \"\(text)\"") }
        return port
    }

    /// The Host header's value.
    public var authority: String { (host.contains(":") ? "[\(host)]" : host) + (port == 80 ? "" : ":\(port)") }

    public var description: String { "http://" + authority + target }

    /// This URL with `name=value` added to its query.
    public func adding(query name: String, _ value: String) -> StreamURL {
        var copy = self
        copy.target += (target.contains("?") ? "&" : "?") + name + "=" + value
        return copy
    }
}
