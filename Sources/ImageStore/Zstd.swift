// Streaming zstd decompression with libzstd (OCI's tar+zstd layers).
import CZstd
import RuntimeCore

/// Decompresses a zstd stream as it is read, through a fixed input buffer.
/// Concatenated frames are read as one stream, as `zstd -d` does.
final class ZstdStream: ByteStream {
    private let source: ByteStream
    private let name: String
    private let dctx: OpaquePointer
    private let input: UnsafeMutableRawBufferPointer
    private var inBuffer = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
    private var sourceEnded = false
    /// Whether the last decompress call ended a frame (a stream may only end between frames).
    private var atFrameBoundary = true

    init(_ source: ByteStream, name: String) throws {
        guard let dctx = ZSTD_createDCtx() else { throw RuntimeError("zstd \(name): out of memory") }
        self.source = source
        self.name = name
        self.dctx = dctx
        input = .allocate(byteCount: ZSTD_DStreamInSize(), alignment: 8)
        inBuffer.src = UnsafeRawPointer(input.baseAddress)
    }

    deinit {
        ZSTD_freeDCtx(dctx)
        input.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !buffer.isEmpty else { return 0 }
        var out = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
        while out.pos == 0 {
            if inBuffer.pos == inBuffer.size && !sourceEnded {
                let n = try source.read(into: input)
                if n == 0 { sourceEnded = true } else { inBuffer.size = n; inBuffer.pos = 0 }
            }
            if inBuffer.pos == inBuffer.size && sourceEnded {
                if atFrameBoundary { return 0 }
                throw RuntimeError("zstd \(name): unexpected end of compressed data (truncated layer)")
            }
            let rc = ZSTD_decompressStream(dctx, &out, &inBuffer)
            if ZSTD_isError(rc) != 0 {
                throw RuntimeError("zstd \(name): corrupt compressed data: \(String(cString: ZSTD_getErrorName(rc)))")
            }
            atFrameBoundary = rc == 0
        }
        return out.pos
    }
}
