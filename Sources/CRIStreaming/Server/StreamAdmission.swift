// Whether a request may open a stream: its path names a kind and a live token, it offers a
// subprotocol the stream speaks, and (port-forward) it names valid ports. The same judgement
// serves the WebSocket upgrade and the plain-HTTP answer to a request that cannot upgrade.
import NIOHTTP1

struct StreamAdmission {
    /// A stream the server will open.
    struct Accepted: Sendable {
        var token: String
        var session: StreamSession
        var choice: StreamProtocol.Choice
        var streamProtocol: StreamProtocol
        /// Port-forward only.
        var ports: [UInt16]
    }

    /// Why a request gets no stream: the HTTP status and the text of the answer.
    struct Refusal: Error, Sendable {
        var status: HTTPResponseStatus
        var message: String
    }

    static let paths = "/exec/<token>, /attach/<token> or /portforward/<token>"

    static func evaluate(_ head: HTTPRequestHead, cache: SessionCache) -> Result<Accepted, Refusal> {
        guard head.method == .GET else {
            return .failure(Refusal(status: .methodNotAllowed, message: "streams are opened with GET and a WebSocket upgrade, not \(head.method.rawValue)"))
        }
        let (path, query) = split(head.uri)
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, ["exec", "attach", "portforward"].contains(parts[1]), !parts[2].isEmpty else {
            return .failure(Refusal(status: .notFound, message: "no stream at \(path): streams are at \(paths)"))
        }
        let kind = String(parts[1])
        let token = String(parts[2])
        guard let session = cache.peek(token), session.kind == kind else {
            return .failure(Refusal(status: .notFound, message: "stream token \(token) for \(kind) is unknown, used or expired (a token works once, within \(cache.lifetime) of the request that made it)"))
        }
        let offered = StreamProtocol.offered(in: head.headers["Sec-WebSocket-Protocol"])
        let supported = kind == "portforward" ? StreamProtocol.portForwarding : StreamProtocol.remoteCommand
        let choice = StreamProtocol.negotiate(offered: offered, supported: supported, fallback: kind == "portforward" ? .v4 : .v1)
        guard let streamProtocol = choice.streamProtocol else {
            return .failure(Refusal(status: .badRequest, message: "none of the offered WebSocket subprotocols (\(offered.joined(separator: ", "))) is spoken here; \(kind) speaks \(supported.map(\.rawValue).joined(separator: ", "))"))
        }
        var ports: [UInt16] = []
        if case .portForward(let forward) = session {
            do { ports = try ForwardedPorts.parse(query: query) } catch {
                return .failure(Refusal(status: .badRequest, message: "\(error)"))
            }
            if ports.isEmpty { ports = forward.defaultPorts }
            guard !ports.isEmpty else {
                return .failure(Refusal(status: .badRequest, message: "query parameter \"port\" is required (e.g. ?port=8080 or ?port=8080,9090)"))
            }
            guard ports.count <= 127 else {
                return .failure(Refusal(status: .badRequest, message: "at most 127 ports per stream (channels 0-253), got \(ports.count)"))
            }
        }
        return .success(Accepted(token: token, session: session, choice: choice, streamProtocol: streamProtocol, ports: ports))
    }

    /// What a request that passed `evaluate` but did not upgrade is told.
    static func upgradeRequired(_ kind: String) -> Refusal {
        Refusal(status: .badRequest, message: "\(kind) streams need a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-Version: 13, Sec-WebSocket-Key, and Sec-WebSocket-Protocol: v4.channel.k8s.io)")
    }

    static func split(_ uri: String) -> (path: String, query: String) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, "") }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }
}
