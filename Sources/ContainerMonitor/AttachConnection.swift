// A client of the monitor's attach socket: the container's output as it is printed, and a way
// to its stdin. Each message from the monitor is [1 = stdout | 2 = stderr][bytes]; each message
// to it is stdin bytes. The connection ends (read returns nil) when the container has exited.
import Glibc

/// Sendable so that one task can read while another writes (a socket allows that); `close`
/// must not race the other calls.
public final class AttachConnection: @unchecked Sendable {
    public struct Output: Sendable, Equatable {
        public var stream: ContainerStream
        public var bytes: [UInt8]
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// The largest stdin message the monitor takes; longer writes are split.
    public static let maximumMessage = 8192

    public let fileDescriptor: Int32
    private var closed = false

    public init(socketPath: String) throws {
        fileDescriptor = try UnixSocket.connect(to: socketPath)
    }

    deinit { close() }

    /// The next chunk of output; nil when the monitor closed the connection (the container
    /// exited). Throws if `timeout` passes first.
    public func read(timeout: Duration? = nil) throws -> Output? {
        var buffer = [UInt8](repeating: 0, count: Self.maximumMessage + 1)
        while true {
            guard try UnixSocket.waitReadable(fileDescriptor, timeout: timeout) else {
                throw MonitorError("no output from the attach socket within \(timeout!)")
            }
            let n = recv(fileDescriptor, &buffer, buffer.count, 0)
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if n < 0 { throw MonitorError.system("read from the attach socket") }
            if n == 0 { return nil }
            guard let stream = ContainerStream(attachID: buffer[0]) else {
                throw MonitorError("attach message for unknown stream \(buffer[0])")
            }
            return Output(stream: stream, bytes: Array(buffer[1..<n]))
        }
    }

    /// Sends `bytes` to the container's stdin (dropped by the monitor if it was started without
    /// --stdin, or once stdin was closed).
    public func write(_ bytes: some Collection<UInt8>) throws {
        let all = Array(bytes)
        var start = 0
        while start < all.count {
            let end = min(start + Self.maximumMessage, all.count)
            let sent = all[start..<end].withUnsafeBytes { send(fileDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 { throw MonitorError.system("write to the attach socket") }
            start = end
        }
    }

    public func write(_ text: String) throws { try write(Array(text.utf8)) }

    /// Ends this client's input; with --stdin-once the monitor then closes the container's stdin.
    /// Output keeps coming.
    public func closeStdin() throws {
        if shutdown(fileDescriptor, Int32(SHUT_WR)) < 0 { throw MonitorError.system("shutdown the attach socket") }
    }

    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fileDescriptor)
    }
}
