// A streaming tar reader: ustar headers, GNU long names and links (`././@LongLink`), PAX
// extended headers (path, linkpath, size, uid, gid, mtime, SCHILY.xattr.*, LIBARCHIVE.xattr.*).
// It reads one 512-byte block at a time from any ByteStream and never holds a whole entry.
import RuntimeCore

public struct TarEntry: Sendable {
    public enum Kind: Equatable, Sendable {
        case regular, hardLink, symlink, characterDevice, blockDevice, directory, fifo
    }
    public var kind: Kind
    public var path: String
    public var linkTarget: String
    public var size: Int
    public var mode: UInt32
    public var uid: Int
    public var gid: Int
    /// Seconds and nanoseconds since the epoch.
    public var mtime: (seconds: Int, nanoseconds: Int)
    public var deviceMajor: UInt32
    public var deviceMinor: UInt32
    /// Extended attributes by full name ("user.foo", "security.capability").
    public var xattrs: [String: [UInt8]]
}

public final class TarReader {
    private let stream: ByteStream
    /// Bytes of the current entry's data not yet read, and the padding after it.
    private var remaining = 0
    private var padding = 0
    private var current = ""
    private var globalPax: [String: [UInt8]] = [:]
    private var ended = false

    public init(_ stream: ByteStream) { self.stream = stream }

    /// The next entry, or nil at the end of the archive. Skips what is left of the previous one.
    public func next() throws -> TarEntry? {
        if ended { return nil }
        try skipRest()
        var longName: String?
        var longLink: String?
        var pax: [String: [UInt8]] = [:]
        var block = [UInt8](repeating: 0, count: 512)
        while true {
            let n = try block.withUnsafeMutableBytes { try stream.readFully(into: $0) }
            // A stream may end right after the last entry without the two zero blocks.
            if n == 0 { ended = true; return nil }
            if n < 512 { throw RuntimeError("tar: unexpected end of archive in a header after \(describe(current))") }
            if block.allSatisfy({ $0 == 0 }) { ended = true; return nil }
            let header = TarHeader(block)
            guard header.checksumMatches else {
                throw RuntimeError("tar: invalid header checksum after \(describe(current)) (not a tar, or corrupt)")
            }
            let size = try header.number(124, 12, field: "size")
            switch header.typeflag {
            case UInt8(ascii: "L"):
                longName = cString(try readMetadata(size, what: "GNU long name"))
            case UInt8(ascii: "K"):
                longLink = cString(try readMetadata(size, what: "GNU long link"))
            case UInt8(ascii: "x"):
                pax.merge(try parsePax(try readMetadata(size, what: "PAX header")), uniquingKeysWith: { $1 })
            case UInt8(ascii: "g"):
                globalPax.merge(try parsePax(try readMetadata(size, what: "PAX global header")), uniquingKeysWith: { $1 })
            default:
                var entry = try header.entry()
                let records = globalPax.merging(pax, uniquingKeysWith: { $1 })
                if let longName { entry.path = longName }
                if let longLink { entry.linkTarget = longLink }
                try apply(records, to: &entry)
                current = entry.path
                // Only regular files carry data (a hard link's size is the target's, not ours).
                remaining = (entry.kind == .regular) ? entry.size : 0
                if entry.kind != .regular { entry.size = 0 }
                padding = (512 - remaining % 512) % 512
                return entry
            }
        }
    }

    /// Reads the current entry's data; 0 at its end. Fails if the archive ends early.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if remaining == 0 || buffer.isEmpty { return 0 }
        let want = min(buffer.count, remaining)
        let n = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
        if n == 0 { throw RuntimeError("tar: unexpected end of archive in the data of \(describe(current))") }
        remaining -= n
        return n
    }

    /// After the end-of-archive blocks: the rest of the stream (zero padding), read so that a
    /// hash over the stream covers all of it.
    public func drainTrailer() throws { try stream.drain() }

    private func skipRest() throws {
        var left = remaining + padding
        remaining = 0; padding = 0
        guard left > 0 else { return }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { scratch.deallocate() }
        while left > 0 {
            let n = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<min(left, scratch.count)]))
            if n == 0 { throw RuntimeError("tar: unexpected end of archive in the data of \(describe(current))") }
            left -= n
        }
    }

    /// The data of a metadata entry (long name, PAX records), with its padding.
    private func readMetadata(_ size: Int, what: String) throws -> [UInt8] {
        guard size >= 0 && size <= 1 << 20 else { throw RuntimeError("tar: \(what) of \(size) bytes is too large") }
        let padded = (size + 511) / 512 * 512
        var data = [UInt8](repeating: 0, count: padded)
        let n = try data.withUnsafeMutableBytes { try stream.readFully(into: $0) }
        if n < padded { throw RuntimeError("tar: unexpected end of archive in a \(what) after \(describe(current))") }
        return Array(data[0..<size])
    }

    private func describe(_ name: String) -> String { name.isEmpty ? "the start" : "entry \"\(name)\"" }
}

/// PAX records: "<length> <key>=<value>\n", values are raw bytes (xattr values may be binary).
func parsePax(_ data: [UInt8]) throws -> [String: [UInt8]] {
    var records: [String: [UInt8]] = [:]
    var i = 0
    while i < data.count {
        guard let space = data[i...].firstIndex(of: UInt8(ascii: " ")),
              let length = Int(String(decoding: data[i..<space], as: UTF8.self)),
              length > 0, i + length <= data.count, data[i + length - 1] == UInt8(ascii: "\n"),
              let equals = data[(space + 1)..<(i + length)].firstIndex(of: UInt8(ascii: "="))
        else { throw RuntimeError("tar: malformed PAX record at offset \(i)") }
        let key = String(decoding: data[(space + 1)..<equals], as: UTF8.self)
        records[key] = Array(data[(equals + 1)..<(i + length - 1)])
        i += length
    }
    return records
}

private func apply(_ records: [String: [UInt8]], to entry: inout TarEntry) throws {
    for (key, value) in records {
        let text = String(decoding: value, as: UTF8.self)
        func integer() throws -> Int {
            guard let v = Int(text) else { throw RuntimeError("tar: PAX \(key)=\(text) of \"\(entry.path)\" is not a number") }
            return v
        }
        switch key {
        case "path": entry.path = text
        case "linkpath": entry.linkTarget = text
        case "size": entry.size = try integer()
        case "uid": entry.uid = try integer()
        case "gid": entry.gid = try integer()
        case "mtime": entry.mtime = try paxTime(text, key: key)
        default:
            if key.hasPrefix("SCHILY.xattr.") {
                entry.xattrs[String(key.dropFirst("SCHILY.xattr.".count))] = value
            } else if key.hasPrefix("LIBARCHIVE.xattr.") {
                // libarchive URL-encodes the name and base64-encodes the value.
                let name = percentDecoded(String(key.dropFirst("LIBARCHIVE.xattr.".count)))
                guard let decoded = base64Decoded(value) else {
                    throw RuntimeError("tar: PAX \(key) of \"\(entry.path)\" is not base64")
                }
                entry.xattrs[name] = decoded
            }
        }
    }
}

/// "1234567890.123456789" (or negative) → seconds and nanoseconds.
private func paxTime(_ text: String, key: String) throws -> (seconds: Int, nanoseconds: Int) {
    let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    guard let seconds = Int(parts[0]) else { throw RuntimeError("tar: PAX \(key)=\(text) is not a time") }
    var nanos = 0
    if parts.count == 2 {
        let digits = String(parts[1].prefix(9)).padding(toLength: 9, withPad: "0")
        guard let n = Int(digits) else { throw RuntimeError("tar: PAX \(key)=\(text) is not a time") }
        nanos = n
    }
    return (seconds, nanos)
}

private extension String {
    func padding(toLength length: Int, withPad pad: Character) -> String {
        count >= length ? self : self + String(repeating: pad, count: length - count)
    }
}

private func percentDecoded(_ s: String) -> String {
    var out: [UInt8] = []
    let bytes = Array(s.utf8)
    var i = 0
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
           let v = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
            out.append(v); i += 3
        } else { out.append(bytes[i]); i += 1 }
    }
    return String(decoding: out, as: UTF8.self)
}

private func base64Decoded(_ input: [UInt8]) -> [UInt8]? {
    var out: [UInt8] = []
    var accumulator: UInt32 = 0
    var bits = 0
    for c in input {
        let v: UInt32
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"): v = 62
        case UInt8(ascii: "/"): v = 63
        case UInt8(ascii: "="), UInt8(ascii: "\n"): continue
        default: return nil
        }
        accumulator = (accumulator << 6) | v
        bits += 6
        if bits >= 8 { bits -= 8; out.append(UInt8((accumulator >> UInt32(bits)) & 0xff)) }
    }
    return out
}

private func cString(_ bytes: [UInt8]) -> String {
    String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
}

/// One 512-byte header block.
private struct TarHeader {
    let block: [UInt8]
    init(_ block: [UInt8]) { self.block = block }

    var typeflag: UInt8 { block[156] }

    var checksumMatches: Bool {
        guard let stored = try? number(148, 8, field: "checksum") else { return false }
        var unsigned = 0, signed = 0
        for (i, b) in block.enumerated() {
            let v = (148..<156).contains(i) ? 0x20 : b
            unsigned += Int(v); signed += Int(Int8(bitPattern: v))
        }
        return stored == unsigned || stored == signed
    }

    func string(_ offset: Int, _ length: Int) -> String { cString(Array(block[offset..<(offset + length)])) }

    /// Octal, NUL/space terminated, or GNU base-256 (high bit of the first byte set).
    func number(_ offset: Int, _ length: Int, field: String) throws -> Int {
        let bytes = block[offset..<(offset + length)]
        if let first = bytes.first, first & 0x80 != 0 {
            guard first & 0x40 == 0 else { throw RuntimeError("tar: negative base-256 \(field) in \"\(name)\"") }
            var v = Int(first & 0x3f)
            for b in bytes.dropFirst() {
                guard v < (Int.max >> 8) else { throw RuntimeError("tar: \(field) of \"\(name)\" overflows") }
                v = v << 8 | Int(b)
            }
            return v
        }
        let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self).trimmingSpaces()
        if text.isEmpty { return 0 }
        guard let v = Int(text, radix: 8) else { throw RuntimeError("tar: bad \(field) field in the header of \"\(name)\"") }
        return v
    }

    var isUstar: Bool { Array(block[257..<263]) == Array("ustar\0".utf8) }

    var name: String {
        let base = string(0, 100)
        let prefix = isUstar ? string(345, 155) : ""
        return prefix.isEmpty ? base : prefix + "/" + base
    }

    func entry() throws -> TarEntry {
        let kind: TarEntry.Kind
        switch typeflag {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .regular
        case UInt8(ascii: "1"): kind = .hardLink
        case UInt8(ascii: "2"): kind = .symlink
        case UInt8(ascii: "3"): kind = .characterDevice
        case UInt8(ascii: "4"): kind = .blockDevice
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        default:
            throw RuntimeError("tar: entry \"\(name)\" has unsupported type '\(String(decoding: [typeflag], as: UTF8.self))'")
        }
        var path = name
        // Old tars mark directories only by a trailing slash on a regular entry.
        let isOldDirectory = kind == .regular && path.hasSuffix("/")
        if path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return TarEntry(
            kind: isOldDirectory ? .directory : kind, path: path, linkTarget: string(157, 100),
            size: try number(124, 12, field: "size"), mode: UInt32(try number(100, 8, field: "mode") & 0o7777),
            uid: try number(108, 8, field: "uid"), gid: try number(116, 8, field: "gid"),
            mtime: (try number(136, 12, field: "mtime"), 0),
            deviceMajor: UInt32(truncatingIfNeeded: try number(329, 8, field: "devmajor")),
            deviceMinor: UInt32(truncatingIfNeeded: try number(337, 8, field: "devminor")),
            xattrs: [:])
    }
}

private extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
