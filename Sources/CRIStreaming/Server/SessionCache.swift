// The sessions waiting for their client, by token, as the kubelet's streaming request cache:
// a token is random, used once, and expires when unused for its lifetime (a minute by default).
import Synchronization

final class SessionCache: Sendable {
    /// More waiting sessions than this are refused (a client that never comes must not grow us).
    static let capacity = 1000

    private struct Entry {
        var session: StreamSession
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    let lifetime: Duration

    init(lifetime: Duration) { self.lifetime = lifetime }

    /// Stores `session` under a new token.
    func insert(_ session: StreamSession) throws -> String {
        try entries.withLock { entries in
            let now = ContinuousClock.now
            entries = entries.filter { $0.value.expires > now }
            guard entries.count < Self.capacity else {
                throw StreamingError("too many streams waiting for their client (\(Self.capacity))")
            }
            var token = Self.newToken()
            while entries[token] != nil { token = Self.newToken() }
            entries[token] = Entry(session: session, expires: now + lifetime)
            return token
        }
    }

    /// The session for `token`, removed so that no one else gets it; nil if unknown or expired.
    func take(_ token: String) -> StreamSession? {
        entries.withLock { entries in
            guard let entry = entries.removeValue(forKey: token), entry.expires > .now else { return nil }
            return entry.session
        }
    }

    /// The session for `token` without using it up.
    func peek(_ token: String) -> StreamSession? {
        entries.withLock { entries in
            guard let entry = entries[token], entry.expires > .now else { return nil }
            return entry.session
        }
    }

    /// 16 random bytes, URL-safe base64 without padding (22 characters).
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        var bits = 0
        var value = 0
        for byte in bytes {
            value = value << 8 | Int(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(alphabet[(value >> bits) & 63])
            }
        }
        if bits > 0 { out.append(alphabet[(value << (6 - bits)) & 63]) }
        return String(decoding: out, as: UTF8.self)
    }
}
