// Reading an import archive (an OCI layout tar or a `docker save` tar) in one pass: every
// regular file streams straight into the content store, named by the digest computed on the
// way, so each byte is read and hashed once and a large layer never sits in memory or in a
// scratch copy. Small members (JSON) are also kept in memory for parsing. The import then
// checks each needed member's computed digest against the one its manifest promises.
// Only regular files, symlinks and hard links between them matter here; unpacking layer tars
// into a rootfs is LayerUnpacker's job. Both read with TarReader.
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
        var magic: [UInt8] = [0, 0]
        if pread(fd, &magic, 2, 0) == 2 && magic == [0x1f, 0x8b] {
            throw RuntimeError("import: \(archivePath) is gzip-compressed; decompress it first (gunzip)")
        }
        do {
            try readMembers(TarReader(FileDescriptorStream(fd: fd, name: archivePath)), archivePath: archivePath,
                            content: content, session: session)
        } catch let error as RuntimeError where error.description.contains("unexpected end of archive") {
            throw RuntimeError("import: \(archivePath) is truncated (\(error))")
        }
    }

    private mutating func readMembers(_ reader: TarReader, archivePath: String, content: ContentStore,
                                      session: ImportSession) throws {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { chunk.deallocate() }
        while let entry = try reader.next() {
            let name = try ArchiveIngest.normalize(entry.path, archive: archivePath)
            switch entry.kind {
            case .regular:
                let writer = try content.writer(expected: nil, size: Int64(entry.size))
                var head: [UInt8] = []
                var kept: [UInt8]? = entry.size <= ArchiveIngest.inMemoryLimit ? [] : nil
                while true {
                    let n = try reader.read(into: chunk)
                    if n == 0 { break }
                    let bytes = Array(chunk[0..<n])
                    try writer.append(bytes)
                    if head.count < 8 { head.append(contentsOf: bytes.prefix(8 - head.count)) }
                    kept?.append(contentsOf: bytes)
                }
                let digest = try writer.commit()
                if writer.createdNew { session.noteWritten(digest) }
                members[name] = ArchiveMember(digest: digest, size: Int64(entry.size), head: head)
                if let kept { small[name] = kept }
            case .hardLink:
                links[name] = try ArchiveIngest.normalize(entry.linkTarget, archive: archivePath)
            case .symlink:
                // Relative to the symlink's directory; resolved inside the archive, never on disk.
                let link = entry.linkTarget, base = FileIO.parent(of: name)
                let joined = link.hasPrefix("/") ? link : (base == "." ? link : base + "/" + link)
                links[name] = try ArchiveIngest.normalize(joined, archive: archivePath)
            default:
                continue  // directories and anything else carry no image data
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
