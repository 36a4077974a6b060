// Messages between the runtime and the processes it forks (a SOCK_SEQPACKET pair: one send,
// one message). Text keeps the protocol readable in strace: "pid 1234", "ready", "error ...".
import Glibc

struct SyncChannel {
    let fd: Int32

    /// Both ends; each side closes the one it does not use.
    static func pair() throws -> (parent: SyncChannel, child: SyncChannel) {
        var fds: [Int32] = [0, 0]
        try check(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds), "socketpair")
        return (SyncChannel(fd: fds[0]), SyncChannel(fd: fds[1]))
    }

    func send(_ message: String) throws {
        let bytes = Array(message.utf8)
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n < 0 { throw RuntimeError.system("sync: send \(message.prefix(20))") }
    }

    /// The next message, or nil when the other side has gone.
    func receive() throws -> String? {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { return nil }
                throw RuntimeError.system("sync: receive")
            }
            if n == 0 { return nil }
            return String(decoding: buffer[0..<n], as: UTF8.self)
        }
    }

    /// The next message; an "error ..." message becomes the thrown error, and so does silence.
    func next(from who: String) throws -> String {
        guard let message = try receive() else { throw RuntimeError("\(who) exited before reporting") }
        if message.hasPrefix("error ") { throw RuntimeError(String(message.dropFirst(6))) }
        return message
    }

    /// Receives a message that must be `expected` (and returns what follows it).
    func expect(_ expected: String, from who: String) throws -> String {
        let message = try next(from: who)
        guard message == expected || message.hasPrefix(expected + " ") else {
            throw RuntimeError("sync: expected \(expected) from \(who), got \(message.prefix(40))")
        }
        return message.count > expected.count ? String(message.dropFirst(expected.count + 1)) : ""
    }

    func close() { _ = Glibc.close(fd) }
}
