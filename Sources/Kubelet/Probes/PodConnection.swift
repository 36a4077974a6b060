// TCP connections into a pod's network, for httpGet and tcpSocket probes and hooks. The socket
// is made inside the pod's network namespace and connects from there, so the pod's IP is
// reached whether or not the kubelet shares a network with the pods (in tests the pods live in
// a namespace of their own), as it would be from the node. The blocking connect and I/O run on
// a thread of their own, bounded by the deadline, never on Swift's cooperative pool.
import Foundation
import PodNetwork

/// Where a probe connects: an address as the pod's network sees it.
struct PodEndpoint: Sendable, CustomStringConvertible {
    /// The pod's network namespace (a bind-mounted file or /proc/<pid>/ns/net).
    var networkNamespace: String
    var host: String
    var port: Int

    /// "10.88.0.5:8080", "[fd00::5]:8080": as Go prints a dial address.
    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A connection failure, worded as the kubelet's (Go's) dial errors are.
struct PodConnectionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum PodConnection {
    /// Connects to `endpoint` from inside its pod's network within `timeout`, then runs `body`
    /// on the connected socket (blocking calls are fine there: it runs on its own thread; it
    /// should honour `deadline` with `waitFor`). The socket is closed after `body`.
    static func withConnection<T: Sendable>(to endpoint: PodEndpoint, timeout: Duration,
                                            _ body: @escaping @Sendable (_ fd: Int32, _ deadline: ContinuousClock.Instant) throws -> T)
        async throws -> T {
        let deadline = ContinuousClock.now + timeout
        return try await onOwnThread {
            let fd = try connect(endpoint, deadline: deadline)
            defer { close(fd) }
            return try body(fd, deadline)
        }
    }

    /// A socket connected to `endpoint` from inside its pod's network before `deadline`; the
    /// caller owns it (non-blocking, ready to hand to NIO).
    static func connectedSocket(to endpoint: PodEndpoint, deadline: ContinuousClock.Instant) async throws -> Int32 {
        try await onOwnThread { try connect(endpoint, deadline: deadline) }
    }

    /// An IPv4 or IPv6 address rather than a name.
    static func isAddressLiteral(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        let literal = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return inet_pton(AF_INET, literal, &v4) == 1 || inet_pton(AF_INET6, literal, &v6) == 1
    }

    /// Runs blocking work on a new thread and waits for it without holding a pool thread.
    static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    private static func connect(_ endpoint: PodEndpoint, deadline: ContinuousClock.Instant) throws -> Int32 {
        let dial = "dial tcp \(endpoint)"
        var address = try socketAddress(endpoint.host, port: endpoint.port, dial: dial)
        let fd: Int32
        do {
            fd = try NetworkNamespace.socketInNamespace(path: endpoint.networkNamespace, domain: Int32(address.ss_family),
                                                        type: Int32(SOCK_STREAM.rawValue))
        } catch {
            throw PodConnectionError("\(dial): cannot enter the pod's network: \(error)")
        }
        var ok = false
        defer { if !ok { close(fd) } }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let length = socklen_t(address.ss_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        if rc < 0 {
            guard errno == EINPROGRESS else { throw PodConnectionError("\(dial): connect: \(errorText(errno))") }
            guard try waitFor(fd, events: Int16(POLLOUT), until: deadline) else { throw PodConnectionError("\(dial): i/o timeout") }
            var code: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &size)
            if code != 0 { throw PodConnectionError("\(dial): connect: \(errorText(code))") }
        }
        ok = true
        return fd
    }

    /// Waits until `fd` is ready for `events`; false at the deadline.
    static func waitFor(_ fd: Int32, events: Int16, until deadline: ContinuousClock.Instant) throws -> Bool {
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return false }
            let (seconds, attoseconds) = left.components
            let milliseconds = Int32(min(seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1, Int64(Int32.max)))
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&entry, 1, milliseconds)
            if rc < 0 {
                if errno == EINTR { continue }
                throw PodConnectionError("poll: \(errorText(errno))")
            }
            if rc > 0 { return true }
        }
    }

    /// Sends all of `bytes` before the deadline.
    static func send(_ fd: Int32, _ bytes: [UInt8], until deadline: ContinuousClock.Instant, what: String) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
            } else if n < 0 && (errno == EAGAIN || errno == EINTR) {
                guard try waitFor(fd, events: Int16(POLLOUT), until: deadline) else { throw PodConnectionError("\(what): i/o timeout") }
            } else {
                throw PodConnectionError("\(what): write: \(errorText(errno))")
            }
        }
    }

    /// Reads what is available (waiting for some until the deadline); empty at end of stream,
    /// nil at the deadline.
    static func receive(_ fd: Int32, until deadline: ContinuousClock.Instant, what: String) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n >= 0 { return Array(buffer[..<n]) }
            guard errno == EAGAIN || errno == EINTR else { throw PodConnectionError("\(what): read: \(errorText(errno))") }
            guard try waitFor(fd, events: Int16(POLLIN), until: deadline) else { return nil }
        }
    }

    /// An IPv4 or IPv6 literal as is; a name resolved (from the node, as the kubelet resolves it).
    private static func socketAddress(_ host: String, port: Int, dial: String) throws -> sockaddr_storage {
        guard (1...65535).contains(port) else { throw PodConnectionError("\(dial): invalid port \(port)") }
        var storage = sockaddr_storage()
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    $0.pointee.sin_family = sa_family_t(AF_INET)
                    $0.pointee.sin_port = in_port_t(UInt16(port).bigEndian)
                    $0.pointee.sin_addr = v4
                }
            }
            return storage
        }
        let literal = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    $0.pointee.sin6_family = sa_family_t(AF_INET6)
                    $0.pointee.sin6_port = in_port_t(UInt16(port).bigEndian)
                    $0.pointee.sin6_addr = v6
                }
            }
            return storage
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw PodConnectionError("\(dial): lookup \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        memcpy(&storage, first.pointee.ai_addr, Int(first.pointee.ai_addrlen))
        return storage
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)).lowercased() }
}
