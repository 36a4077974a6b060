// Streaming gzip decompression with zlib, and sniffing a layer's compression by its magic
// bytes (media types lie, or are absent for `docker save` tars).
import CZlib
import RuntimeCore

/// Inflates a gzip stream as it is read: a fixed input buffer, no whole-layer buffering.
/// Concatenated gzip members (what `pigz` and some registries produce) are read as one stream.
final class GzipStream: ByteStream {
    private let source: ByteStream
    private let name: String
    // z_stream must not move after inflateInit (zlib keeps a pointer back to it): heap-allocate it.
    private let zs: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var sourceEnded = false
    private var finished = false

    init(_ source: ByteStream, name: String) throws {
        self.source = source
        self.name = name
        zs = .allocate(capacity: 1)
        zs.initialize(to: z_stream())
        input = .allocate(byteCount: 65536, alignment: 8)
        let rc = czlib_inflate_init_gzip(zs)
        if rc != Z_OK {
            zs.deallocate(); input.deallocate()
            throw RuntimeError("gzip \(name): inflateInit failed (\(rc))")
        }
    }

    deinit {
        inflateEnd(zs)
        zs.deallocate()
        input.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if finished || buffer.isEmpty { return 0 }
        zs.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        zs.pointee.avail_out = uInt(min(buffer.count, Int(UInt32.max)))
        while zs.pointee.avail_out == buffer.count {
            if zs.pointee.avail_in == 0 && !sourceEnded {
                let n = try source.read(into: input)
                if n == 0 { sourceEnded = true } else {
                    zs.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    zs.pointee.avail_in = uInt(n)
                }
            }
            if zs.pointee.avail_in == 0 && sourceEnded {
                throw RuntimeError("gzip \(name): unexpected end of compressed data (truncated layer)")
            }
            let rc = inflate(zs, Z_NO_FLUSH)
            if rc == Z_STREAM_END {
                if try !nextMember() { finished = true; break }
            } else if rc != Z_OK && rc != Z_BUF_ERROR {
                let message = zs.pointee.msg.map { String(cString: $0) } ?? "error \(rc)"
                throw RuntimeError("gzip \(name): corrupt compressed data: \(message)")
            }
        }
        return buffer.count - Int(zs.pointee.avail_out)
    }

    /// After one gzip member ends: true (and the inflater reset) when another member follows.
    private func nextMember() throws -> Bool {
        if zs.pointee.avail_in == 0 && !sourceEnded {
            let n = try source.read(into: input)
            if n == 0 { sourceEnded = true } else {
                zs.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                zs.pointee.avail_in = uInt(n)
            }
        }
        guard zs.pointee.avail_in > 0 else { return false }
        inflateReset(zs)
        return true
    }
}

/// How a layer blob is compressed, from its first bytes.
public enum LayerCompression: Equatable, Sendable {
    case none, gzip, zstd

    static func detect(_ magic: [UInt8]) -> LayerCompression {
        if magic.count >= 2 && magic[0] == 0x1f && magic[1] == 0x8b { return .gzip }
        if magic.count >= 4 && magic[0...3] == [0x28, 0xb5, 0x2f, 0xfd] { return .zstd }
        return .none
    }

    /// The uncompressed tar stream of a layer blob, whatever its compression.
    static func decompressing(_ blob: ByteStream, name: String) throws -> (ByteStream, LayerCompression) {
        var magic = [UInt8](repeating: 0, count: 4)
        let n = try magic.withUnsafeMutableBytes { try blob.readFully(into: $0) }
        magic.removeLast(4 - n)
        let stream = PrefixedStream(prefix: magic, rest: blob)
        switch detect(magic) {
        case .gzip: return (try GzipStream(stream, name: name), .gzip)
        case .zstd: return (try ZstdStream(stream, name: name), .zstd)
        case .none: return (stream, .none)
        }
    }
}
