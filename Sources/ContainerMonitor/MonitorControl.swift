// Requests to a running monitor over its control socket: one request per connection, answered
// with "ok" or "error <text>".
import Glibc

public struct MonitorControl: Sendable {
    public let socketPath: String
    public var timeout: Duration = .seconds(10)

    public init(socketPath: String) { self.socketPath = socketPath }

    /// Reopens the log path, after the daemon renamed the log file away (ReopenContainerLog);
    /// on return, new output goes to the new file.
    public func reopenLog() throws { try request("reopen") }

    /// Sets the container terminal's window size (an error if it has no terminal).
    public func resize(rows: UInt16, columns: UInt16) throws { try request("resize \(rows) \(columns)") }

    func request(_ text: String) throws {
        let fd = try UnixSocket.connect(to: socketPath)
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else {
            throw MonitorError.system("send \(text) to \(socketPath)")
        }
        guard try UnixSocket.waitReadable(fd, timeout: timeout) else {
            throw MonitorError("no answer to \(text) from \(socketPath) within \(timeout)")
        }
        var reply = [UInt8](repeating: 0, count: 8192)
        let n = recv(fd, &reply, reply.count, 0)
        guard n > 0 else { throw MonitorError("the monitor closed \(socketPath) without answering \(text)") }
        let answer = String(decoding: reply[0..<n], as: UTF8.self)
        if answer == "ok" { return }
        throw MonitorError(answer.hasPrefix("error ") ? String(answer.dropFirst(6)) : "unexpected answer \(answer)")
    }
}
