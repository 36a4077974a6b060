// Reading an import archive (an OCI layout tar or a `docker save` tar) in one pass: every
// regular file streams straight into the content store, named by the digest computed on the
// way, so each byte is read and hashed once and a large layer never sits in memory or in a
// scratch copy. Small members (JSON) are also kept in memory for parsing. The import then
// checks each needed member's computed digest against the one its manifest promises.
// This is a reader for archives of image files only (regular files, directories, symlinks
// and hard links between them); unpacking layer tars into a rootfs is LayerUnpacker's job.
import Glibc
import RuntimeCore

struct ArchiveMember {
    var digest: Digest
    var size: Int64
    /// First bytes, to tell a gzip layer (1f 8b) from a plain tar.
    var head: [UInt8]
}

struct ArchiveIngest {
    static let inMemoryLimit = 4 << 20

    /// Regular files by normalized path.
    var members: [String: ArchiveMember] = [:]
    /// Contents of small members by normalized path.
    var small: [String: [UInt8]] = [:]
    /// Symlinks and hard links: path → normalized target path.
    var links: [String: String] = [:]

    /// Reads `archivePath`; every blob it adds to `content` is reported to `session`.
    init(archivePath: String, content: ContentStore, session: ImportSession) throws {
        let fd = open(archivePath, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw RuntimeError.system("import: open archive \(archivePath)") }
        defer { close(fd) }
        var reader = ArchiveBlockReader(fd: fd, what: archivePath)
        var paxPath: String? = nil, paxLink: String? = nil, longName: String? = nil, longLink: String? = nil
        var zeroBlocks = 0
        while true {
            guard let header = try reader.readExactly(512, allowEOF: true) else { break }
            if zeroBlocks == 0 && members.isEmpty && links.isEmpty && header.starts(with: [0x1f, 0x8b]) {
                throw RuntimeError("import: \(archivePath) is gzip-compressed; decompress it first (gunzip)")
            }
            if header.allSatisfy({ $0 == 0 }) {
                zeroBlocks += 1
                if zeroBlocks == 2 { break }
                continue
            }
            zeroBlocks = 0
            try ArchiveTarHeader.verifyChecksum(header, archive: archivePath)
            let type = header[156]
            let size = try ArchiveTarHeader.number(header[124..<136], field: "size", archive: archivePath)
            var name = longName ?? paxPath ?? ArchiveTarHeader.name(header)
            let link = longLink ?? paxLink ?? ArchiveTarHeader.string(header[157..<257])
            longName = nil; longLink = nil; paxPath = nil; paxLink = nil
            let padded = (size + 511) / 512 * 512

            switch type {
            case UInt8(ascii: "x"):  // PAX extended header for the next member
                let data = try reader.readExactly(Int(padded))!
                let records = ArchiveTarHeader.paxRecords(Array(data[0..<Int(size)]))
                paxPath = records["path"]; paxLink = records["linkpath"]
                continue
            case UInt8(ascii: "g"):
                try reader.skip(padded); continue
            case UInt8(ascii: "L"), UInt8(ascii: "K"):  // GNU long name / long link
                let data = try reader.readExactly(Int(padded))!
                let text = ArchiveTarHeader.string(data[0..<Int(size)])
                if type == UInt8(ascii: "L") { longName = text } else { longLink = text }
                continue
            default: break
            }
            name = try ArchiveIngest.normalize(name, archive: archivePath)

            switch type {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
                let writer = try content.writer(expected: nil, size: size)
                var remaining = size
                var head: [UInt8] = []
                var kept: [UInt8]? = size <= Int64(ArchiveIngest.inMemoryLimit) ? [] : nil
                while remaining > 0 {
                    let chunk = try reader.read(upTo: Int(min(remaining, 1 << 20)))
                    try writer.append(chunk)
                    if head.count < 8 { head.append(contentsOf: chunk.prefix(8 - head.count)) }
                    kept?.append(contentsOf: chunk)
                    remaining -= Int64(chunk.count)
                }
                try reader.skip(padded - size)
                let digest = try writer.commit()
                if writer.createdNew { session.noteWritten(digest) }
                members[name] = ArchiveMember(digest: digest, size: size, head: head)
                if let kept { small[name] = kept }
            case UInt8(ascii: "1"):
                links[name] = try ArchiveIngest.normalize(link, archive: archivePath)
                try reader.skip(padded)
            case UInt8(ascii: "2"):
                // Relative to the symlink's directory; resolved inside the archive, never on disk.
                let base = FileIO.parent(of: name)
                let joined = link.hasPrefix("/") ? link : (base == "." ? link : base + "/" + link)
                links[name] = try ArchiveIngest.normalize(joined, archive: archivePath)
                try reader.skip(padded)
            default:
                try reader.skip(padded)  // directories and anything else carry no image data
            }
        }
    }

    /// Follows links (bounded) to the regular file a path names.
    func member(_ path: String) -> (path: String, member: ArchiveMember)? {
        guard var p = try? ArchiveIngest.normalize(path, archive: "") else { return nil }
        for _ in 0..<16 {
            if let m = members[p] { return (p, m) }
            guard let next = links[p] else { return nil }
            p = next
        }
        return nil
    }

    func smallContents(_ path: String, archive: String) throws -> [UInt8] {
        guard let (p, _) = member(path) else { throw RuntimeError("import \(archive): no file \(path) in the archive") }
        guard let bytes = small[p] else { throw RuntimeError("import \(archive): \(path) is too large to be metadata") }
        return bytes
    }

    /// "./a//b/" → "a/b"; ".." that would leave the archive is an error.
    static func normalize(_ path: String, archive: String) throws -> String {
        var parts: [Substring] = []
        for c in path.split(separator: "/") {
            if c == "." { continue }
            if c == ".." {
                guard !parts.isEmpty else { throw RuntimeError("import \(archive): path \(path) leaves the archive") }
                parts.removeLast(); continue
            }
            parts.append(c)
        }
        return parts.joined(separator: "/")
    }
}

/// Buffered reads from a file descriptor, for the tar walk. (Private: TarReader.swift, the
/// layer unpacker's reader, is the general one; this one only feeds the import.)
private struct ArchiveBlockReader {
    let fd: Int32
    let what: String
    private var buffer: [UInt8] = []
    private var start = 0

    init(fd: Int32, what: String) { self.fd = fd; self.what = what }

    private mutating func fill() throws -> Bool {
        if start < buffer.count { return true }
        buffer = [UInt8](repeating: 0, count: 1 << 20); start = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw RuntimeError.system("import: read \(what)") }
            buffer.removeSubrange(n...)
            return n > 0
        }
    }

    /// Up to `count` bytes (at least one); EOF is an error: the archive is cut off.
    mutating func read(upTo count: Int) throws -> [UInt8] {
        guard try fill() else { throw RuntimeError("import: archive \(what) is truncated") }
        let n = min(count, buffer.count - start)
        defer { start += n }
        return Array(buffer[start..<start + n])
    }

    mutating func readExactly(_ count: Int, allowEOF: Bool = false) throws -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            if !(try fill()) {
                if allowEOF && out.isEmpty { return nil }
                throw RuntimeError("import: archive \(what) is truncated")
            }
            let n = min(count - out.count, buffer.count - start)
            out.append(contentsOf: buffer[start..<start + n]); start += n
        }
        return out
    }

    mutating func skip(_ count: Int64) throws {
        var left = count
        while left > 0 {
            let chunk = try read(upTo: Int(min(left, 1 << 20)))
            left -= Int64(chunk.count)
        }
    }
}

/// The ustar header fields the import needs.
private enum ArchiveTarHeader {
    static func string<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    static func name(_ h: [UInt8]) -> String {
        let name = string(h[0..<100])
        let magic = string(h[257..<263])
        let prefix = magic.hasPrefix("ustar") ? string(h[345..<500]) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// Octal, or base-256 when the high bit is set (GNU, for sizes over 8 GiB).
    static func number(_ field: ArraySlice<UInt8>, field label: String, archive: String) throws -> Int64 {
        if let first = field.first, first & 0x80 != 0 {
            var v: Int64 = Int64(first & 0x7f)
            for b in field.dropFirst() { v = v << 8 | Int64(b) }
            return v
        }
        let text = string(field).trimmingSpaces
        if text.isEmpty { return 0 }
        guard let v = Int64(text, radix: 8) else { throw RuntimeError("import: archive \(archive): bad tar \(label) field \"\(text)\"") }
        return v
    }

    static func verifyChecksum(_ h: [UInt8], archive: String) throws {
        let stored = try number(h[148..<156], field: "checksum", archive: archive)
        var sum: Int64 = 0
        for (i, b) in h.enumerated() { sum += (148..<156).contains(i) ? 32 : Int64(b) }
        guard sum == stored else { throw RuntimeError("import: \(archive) is not a tar archive (header checksum mismatch)") }
    }

    /// "<len> key=value\n" records.
    static func paxRecords(_ data: [UInt8]) -> [String: String] {
        var out: [String: String] = [:]
        var i = 0
        while i < data.count {
            guard let space = data[i...].firstIndex(of: 0x20), let len = Int(string(data[i..<space])), len > 0,
                  i + len <= data.count else { break }
            let record = data[(space + 1)..<(i + len - 1)]
            if let eq = record.firstIndex(of: UInt8(ascii: "=")) {
                out[string(record[..<eq])] = String(decoding: record[(eq + 1)...], as: UTF8.self)
            }
            i += len
        }
        return out
    }
}

private extension String {
    var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
