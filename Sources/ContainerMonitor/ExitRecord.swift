// The exit file skiff-monitor writes when the container's process has exited:
// "<exit code> <signal> <finished at, RFC3339Nano>\n", written whole (temporary file + rename).
import Glibc

public struct ExitRecord: Sendable, Equatable {
    /// The exit status, or 128 + the signal that killed the process (as a shell reports it).
    public var exitCode: Int32
    /// The signal that killed the process, 0 when it exited by itself.
    public var signal: Int32
    public var finishedAt: Timestamp

    public init(exitCode: Int32, signal: Int32, finishedAt: Timestamp) {
        self.exitCode = exitCode
        self.signal = signal
        self.finishedAt = finishedAt
    }

    public init(parsing text: String) throws {
        let line = text.hasSuffix("\n") ? text.dropLast() : Substring(text)
        let fields = line.split(separator: " ")
        guard fields.count == 3, let code = Int32(fields[0]), let signal = Int32(fields[1]),
              let finishedAt = Timestamp(rfc3339: fields[2]) else {
            throw MonitorError("not an exit record (\"<code> <signal> <time>\"): \(text.prefix(80))")
        }
        self.init(exitCode: code, signal: signal, finishedAt: finishedAt)
    }

    /// The record at `path`, or nil while the container runs (no file yet).
    public static func read(_ path: String) throws -> ExitRecord? {
        guard let bytes = try readFile(path) else { return nil }
        do {
            return try ExitRecord(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw MonitorError("exit file \(path): \(error)")
        }
    }
}

/// A small file's bytes, or nil if it does not exist.
func readFile(_ path: String) throws -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
        if errno == ENOENT { return nil }
        throw MonitorError.system("open \(path)")
    }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = Glibc.read(fd, &chunk, chunk.count)
        if n < 0 && errno == EINTR { continue }
        if n < 0 { throw MonitorError.system("read \(path)") }
        if n == 0 { return bytes }
        bytes += chunk[0..<n]
    }
}
