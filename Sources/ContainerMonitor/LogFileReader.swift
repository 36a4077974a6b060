// Reads a CRI log file as it grows: the complete lines since the last read, holding back a
// line still being written. Notices a rotated or reopened file (another inode, or a shorter
// one) and starts over at its beginning.
#if canImport(Glibc)
import Glibc
#endif

public final class LogFileReader {
    public let path: String
    private var fd: Int32 = -1
    private var inode: ino_t = 0
    private var offset: off_t = 0
    private var partialLine: [UInt8] = []

    /// Opens `path`; an error names the file.
    public init(path: String) throws {
        self.path = path
        guard open() else {
            throw MonitorError.system("reading log \(path)")
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    private func open() -> Bool {
        let opened = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard opened >= 0 else { return false }
        if fd >= 0 { close(fd) }
        fd = opened
        var info = stat()
        fstat(fd, &info)
        inode = info.st_ino
        offset = 0
        partialLine = []
        return true
    }

    /// The log records written since the last call (lines that do not parse are skipped:
    /// a log is read while it is written, and nothing should stop the rest from showing).
    public func readRecords() -> [CRILogLine] {
        readLines().compactMap { try? CRILogLine(parsing: $0) }
    }

    /// The complete lines (without their newline) written since the last call.
    public func readLines() -> [[UInt8]] {
        reopenIfReplaced()
        var lines: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            offset += off_t(n)
            var start = 0
            for i in 0..<n where buffer[i] == UInt8(ascii: "\n") {
                partialLine += buffer[start..<i]
                lines.append(partialLine)
                partialLine = []
                start = i + 1
            }
            partialLine += buffer[start..<n]
        }
        return lines
    }

    /// A log rotated under us (renamed away and recreated, or truncated) is read anew.
    private func reopenIfReplaced() {
        var info = stat()
        if stat(path, &info) == 0 {
            if info.st_ino != inode {
                _ = open()
            } else if info.st_size < offset {
                offset = 0
                partialLine = []
            }
        }
    }
}
