// Byte streams the layer code reads from: a file descriptor, a prefix put back in front of a
// stream (after sniffing magic bytes), and a tee that hashes what passes through (the diffID).
import Crypto
import Glibc
import RuntimeCore

/// A source of bytes read front to back. `read` returns 0 at the end of the stream.
public protocol ByteStream: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteStream {
    /// Fills `buffer` completely unless the stream ends first; returns how many bytes it got.
    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }

    /// Reads and drops everything left; returns how many bytes that was.
    @discardableResult
    func drain() throws -> Int {
        var total = 0
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { scratch.deallocate() }
        while true {
            let n = try read(into: scratch)
            if n == 0 { return total }
            total += n
        }
    }
}

/// Reads from a file descriptor it does not own.
public final class FileDescriptorStream: ByteStream {
    let fd: Int32
    let name: String
    public init(fd: Int32, name: String) { self.fd = fd; self.name = name }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw RuntimeError.system("read \(name)") }
        }
    }
}

/// Bytes already read (to look at magic numbers) followed by the rest of the stream.
final class PrefixedStream: ByteStream {
    private var prefix: [UInt8]
    private let rest: ByteStream
    init(prefix: [UInt8], rest: ByteStream) { self.prefix = prefix; self.rest = rest }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if prefix.isEmpty { return try rest.read(into: buffer) }
        let n = min(prefix.count, buffer.count)
        prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
        prefix.removeFirst(n)
        return n
    }
}

/// Passes a stream through while hashing it: the sha256 of an uncompressed layer is its diffID.
final class SHA256Stream: ByteStream {
    private let inner: ByteStream
    private var hasher = SHA256()
    private(set) var count = 0
    init(_ inner: ByteStream) { self.inner = inner }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        if n > 0 {
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            count += n
        }
        return n
    }

    /// "sha256:<hex>" of everything read so far.
    func digest() -> String { "sha256:" + lowercaseHex(hasher.finalize()) }
}

func lowercaseHex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xf)]) }
    return String(decoding: out, as: UTF8.self)
}

/// Reads its source in large chunks: tar headers come 512 bytes at a time, and one read(2)
/// per header would dominate unpacking a plain tar of many small files.
final class BufferedStream: ByteStream {
    private let inner: ByteStream
    private let storage: UnsafeMutableRawBufferPointer
    private var start = 0, end = 0

    init(_ inner: ByteStream, capacity: Int = 1 << 17) {
        self.inner = inner
        storage = .allocate(byteCount: capacity, alignment: 16)
    }
    deinit { storage.deallocate() }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if start == end {
            // Large reads go straight through, without a copy.
            if buffer.count >= storage.count { return try inner.read(into: buffer) }
            start = 0
            end = try inner.read(into: storage)
            if end == 0 { return 0 }
        }
        let n = min(buffer.count, end - start)
        buffer.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: n)
        start += n
        return n
    }
}
