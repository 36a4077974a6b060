// Reading a local descriptor (the user's stdin: a terminal, a pipe or a file, which NIO cannot
// all take and must not make non-blocking under the shell) on a thread of its own, one chunk
// at a time: the next read waits until the chunk before was sent, so a big file is not read
// into memory ahead of a slow connection. `stop` ends it whatever the descriptor is doing.
import CSkiffSystem
import Dispatch
import Glibc
import Synchronization

final class DescriptorReader: Sendable {
    let chunks: AsyncStream<[UInt8]>
    private let continuation: AsyncStream<[UInt8]>.Continuation
    private let taken = DispatchSemaphore(value: 0)
    private let wake: (read: Int32, write: Int32)
    private let stopped = Atomic(false)

    static let chunkSize = 32 * 1024

    /// Starts reading `fd` (not closed here).
    init(_ fd: Int32) throws {
        var fds: [Int32] = [0, 0]
        guard sk_pipe2(&fds, O_CLOEXEC) == 0 else { throw StreamingError("pipe: \(String(cString: strerror(errno)))") }
        wake = (fds[0], fds[1])
        (chunks, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        let thread = Thread(reader: self, fd: fd)
        thread.start()
    }

    deinit {
        close(wake.read)
        close(wake.write)
    }

    /// The consumer took the last chunk: the next may be read.
    func chunkSent() { taken.signal() }

    /// Ends the stream; the thread exits without reading more.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        taken.signal()
        continuation.finish()
    }

    fileprivate func loop(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        while !stopped.load(ordering: .relaxed) {
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, -1)
            if ready < 0 { if errno == EINTR { continue } else { break } }
            if fds[1].revents != 0 { break }
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if n <= 0 { break }
            continuation.yield(Array(buffer[0..<n]))
            taken.wait()
        }
        continuation.finish()
    }

    private final class Thread: @unchecked Sendable {
        let reader: DescriptorReader
        let fd: Int32
        init(reader: DescriptorReader, fd: Int32) { self.reader = reader; self.fd = fd }
        func start() {
            let context = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            if pthread_create(&thread, nil, { context in
                let me = Unmanaged<Thread>.fromOpaque(context!).takeRetainedValue()
                me.reader.loop(me.fd)
                return nil
            }, context) == 0 {
                pthread_detach(thread)
            } else {
                Unmanaged<Thread>.fromOpaque(context).release()
                reader.continuation.finish()
            }
        }
    }
}

/// Writes all of `bytes` to `fd`, waiting when it is non-blocking and full.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws {
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            if errno == EAGAIN {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, -1)
                continue
            }
            throw StreamingError("write to descriptor \(fd): \(String(cString: strerror(errno)))")
        }
        offset += n
    }
}
