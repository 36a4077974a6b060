// Where a command's output goes: the process's stdout and stderr (unbuffered writes, so a
// followed log or event stream shows each line as it comes), or a buffer in tests.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

public struct Console: Sendable {
    public enum Stream: Sendable { case stdout, stderr }

    private let sink: @Sendable (Stream, [UInt8]) -> Void

    public init(sink: @escaping @Sendable (Stream, [UInt8]) -> Void) {
        self.sink = sink
    }

    /// The process's file descriptors 1 and 2.
    public static let standard = Console { stream, bytes in
        writeAll(stream == .stdout ? 1 : 2, bytes)
    }

    public func write(_ text: String, to stream: Stream = .stdout) {
        sink(stream, Array(text.utf8))
    }

    public func write(bytes: [UInt8], to stream: Stream = .stdout) {
        sink(stream, bytes)
    }

    /// `text` and a newline, on stdout.
    public func line(_ text: String) {
        write(text + "\n")
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return   // a closed pipe (`skiffctl logs | head`): nothing more to say
                }
                offset += n
            }
        }
    }
}

/// A Console that keeps what is written, for tests.
public final class CapturedConsole: Sendable {
    private let buffers = Mutex<(stdout: [UInt8], stderr: [UInt8])>(([], []))

    public init() {}

    public var console: Console {
        Console { [self] stream, bytes in
            buffers.withLock {
                if stream == .stdout { $0.stdout += bytes } else { $0.stderr += bytes }
            }
        }
    }

    public var stdout: String { buffers.withLock { String(decoding: $0.stdout, as: UTF8.self) } }
    public var stderr: String { buffers.withLock { String(decoding: $0.stderr, as: UTF8.self) } }
}
