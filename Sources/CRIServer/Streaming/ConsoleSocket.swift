// The socket an OCI runtime hands a new terminal's master to (--console-socket): we listen,
// the runtime connects, and sends the master as SCM_RIGHTS once the process has its terminal.
import CRIAPI
import CSkiffSystem
import Glibc

/// Used by one task at a time (the exec start that made it).
final class ConsoleSocket: @unchecked Sendable {
    let path: String
    private let listener: Int32

    /// Listens at `path` (which must not exist; removed again by `close`).
    init(path: String) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw CRIError.internal("console socket path \(path) is longer than \(capacity - 1) bytes") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, byte) in path.utf8.enumerated() { buffer[i] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw CRIError.internal("console socket: \(String(cString: strerror(errno)))") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 1) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw CRIError.internal("console socket \(path): \(reason)")
        }
        self.path = path
        listener = fd
    }

    /// Waits for the runtime's connection and the master it sends; nil if `gaveUp` says to stop
    /// waiting (the runtime exited without sending one) or `timeout` passes.
    func receiveMaster(timeout: Duration, gaveUp: () -> Bool) throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        func wait(_ fd: Int32) -> Bool {
            while ContinuousClock.now < deadline && !gaveUp() {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&p, 1, 50) > 0 { return true }
            }
            return false
        }
        guard wait(listener) else { return nil }
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { throw CRIError.internal("console socket \(path): accept: \(String(cString: strerror(errno)))") }
        _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
        defer { Glibc.close(connection) }
        // The runtime connects first and sends once the process is set up: wait for that too.
        guard wait(connection) else { return nil }
        var master: Int32 = -1
        var name = [UInt8](repeating: 0, count: 256)
        let n = sk_recv_fd_with_payload(connection, &master, &name, name.count)
        guard n >= 0 else { throw CRIError.internal("console socket \(path): receive the terminal: \(String(cString: strerror(Int32(-n))))") }
        return master >= 0 ? master : nil
    }

    func close() {
        Glibc.close(listener)
        unlink(path)
    }
}
