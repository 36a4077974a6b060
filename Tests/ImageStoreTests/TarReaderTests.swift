import Glibc
import TestSupport
import XCTest
@testable import ImageStore

final class TarReaderTests: XCTestCase {
    /// Every entry of a tar file, with the data of regular files.
    private func readAll(_ path: String) throws -> [(TarEntry, [UInt8])] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TestFailure("open \(path)") }
        defer { close(fd) }
        let (stream, _) = try LayerCompression.decompressing(FileDescriptorStream(fd: fd, name: path), name: path)
        let reader = TarReader(stream)
        var out: [(TarEntry, [UInt8])] = []
        var buffer = [UInt8](repeating: 0, count: 7)   // small on purpose: data spans many reads
        while let entry = try reader.next() {
            var data: [UInt8] = []
            while true {
                let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
                if n == 0 { break }
                data += buffer[0..<n]
            }
            out.append((entry, data))
        }
        return out
    }

    func testUstarEntriesOfEveryKind() throws {
        let dir = try makeScratchDirectory("tar")
        try makeTar(dir + "/l.tar", format: "ustar", """
        d('dir', mode=0o1777, uid=12, gid=34)
        f('dir/file', b'hello world', mode=0o4755, mtime=1234567890)
        sym('dir/link', '../target')
        hard('dir/hard', 'dir/file')
        add('dev/null', type=tarfile.CHRTYPE, major=1, minor=3, mode=0o666)
        add('dev/loop', type=tarfile.BLKTYPE, major=7, minor=1)
        add('pipe', type=tarfile.FIFOTYPE)
        f('p' * 90 + '/' + 'n' * 60, b'split by ustar prefix')
        """)
        let entries = try readAll(dir + "/l.tar")
        XCTAssertEqual(entries.map(\.0.path), ["dir", "dir/file", "dir/link", "dir/hard", "dev/null", "dev/loop", "pipe",
                                               String(repeating: "p", count: 90) + "/" + String(repeating: "n", count: 60)])
        XCTAssertEqual(entries.map(\.0.kind), [.directory, .regular, .symlink, .hardLink, .characterDevice, .blockDevice, .fifo, .regular])
        XCTAssertEqual(entries[0].0.mode, 0o1777)
        XCTAssertEqual(entries[0].0.uid, 12)
        XCTAssertEqual(entries[0].0.gid, 34)
        XCTAssertEqual(entries[1].0.mode, 0o4755)
        XCTAssertEqual(entries[1].0.mtime.seconds, 1234567890)
        XCTAssertEqual(String(decoding: entries[1].1, as: UTF8.self), "hello world")
        XCTAssertEqual(entries[2].0.linkTarget, "../target")
        XCTAssertEqual(entries[3].0.linkTarget, "dir/file")
        XCTAssertEqual(entries[4].0.deviceMajor, 1)
        XCTAssertEqual(entries[4].0.deviceMinor, 3)
        XCTAssertEqual(entries[5].0.deviceMajor, 7)
        XCTAssertEqual(String(decoding: entries[7].1, as: UTF8.self), "split by ustar prefix")
    }

    func testGNULongNamesAndLinks() throws {
        let dir = try makeScratchDirectory("tar")
        let long = String(repeating: "a", count: 120) + "/" + String(repeating: "b", count: 130)
        try makeTar(dir + "/l.tar", format: "gnu", """
        f('\(long)', b'long')
        sym('s', '\(long)')
        hard('h' * 150, '\(long)')
        """)
        let entries = try readAll(dir + "/l.tar")
        XCTAssertEqual(entries.count, 3)
        XCTAssertEqual(entries[0].0.path, long)
        XCTAssertEqual(entries[0].1, Array("long".utf8))
        XCTAssertEqual(entries[1].0.linkTarget, long)
        XCTAssertEqual(entries[2].0.path, String(repeating: "h", count: 150))
        XCTAssertEqual(entries[2].0.linkTarget, long)
    }

    func testPAXHeaders() throws {
        let dir = try makeScratchDirectory("tar")
        let long = String(repeating: "x", count: 200)
        try makeTar(dir + "/l.tar", format: "pax", """
        f('\(long)', b'data', uid=3000000, gid=4000000, mtime=1500000000.25,
          pax={'SCHILY.xattr.user.one': '1', 'SCHILY.xattr.security.capability': 'cap',
               'LIBARCHIVE.xattr.user.two%3Dx': base64.b64encode(b'two').decode()})
        sym('link', 'y' * 300)
        t.addfile(tarfile.TarInfo('global-ok'))
        """)
        let entries = try readAll(dir + "/l.tar")
        XCTAssertEqual(entries.count, 3)
        let e = entries[0].0
        XCTAssertEqual(e.path, long)
        XCTAssertEqual(e.uid, 3000000)
        XCTAssertEqual(e.gid, 4000000)
        XCTAssertEqual(e.mtime.seconds, 1500000000)
        XCTAssertEqual(e.mtime.nanoseconds, 250000000)
        XCTAssertEqual(e.xattrs["user.one"], Array("1".utf8))
        XCTAssertEqual(e.xattrs["security.capability"], Array("cap".utf8))
        XCTAssertEqual(e.xattrs["user.two=x"], Array("two".utf8))
        XCTAssertEqual(entries[0].1, Array("data".utf8))
        XCTAssertEqual(entries[1].0.linkTarget, String(repeating: "y", count: 300))
        XCTAssertEqual(entries[2].0.path, "global-ok")
    }

    func testGzipStreamAndDiffID() throws {
        let dir = try makeScratchDirectory("tar")
        try makeTar(dir + "/l.tar.gz", gzip: true, """
        import os
        f('big', os.urandom(3 * 1024 * 1024 + 17))
        f('small', b'x')
        """)
        let entries = try readAll(dir + "/l.tar.gz")
        XCTAssertEqual(entries.map(\.0.path), ["big", "small"])
        XCTAssertEqual(entries[0].1.count, 3 * 1024 * 1024 + 17)
        // The diffID is the sha256 of the uncompressed stream.
        try shell("gzip -dc '\(dir)/l.tar.gz' > '\(dir)/l.tar'")
        let target = dir + "/fs"
        mkdir(target, 0o755)
        let diffID = try LayerUnpacker.apply(blobAt: dir + "/l.tar.gz", into: target)
        XCTAssertEqual(diffID, try sha256OfFile(dir + "/l.tar"))
    }

    func testTruncatedAndCorruptArchivesFail() throws {
        let dir = try makeScratchDirectory("tar")
        try makeTar(dir + "/l.tar", """
        import os
        f('file', os.urandom(100000))
        """)
        try shell("head -c 50000 '\(dir)/l.tar' > '\(dir)/cut.tar'")
        XCTAssertThrowsError(try readAll(dir + "/cut.tar")) { error in
            XCTAssertTrue("\(error)".contains("unexpected end of archive"), "\(error)")
            XCTAssertTrue("\(error)".contains("file"), "\(error)")
        }
        try shell("gzip -c '\(dir)/l.tar' | head -c 30000 > '\(dir)/cut.tar.gz'")
        XCTAssertThrowsError(try readAll(dir + "/cut.tar.gz")) { error in
            XCTAssertTrue("\(error)".contains("gzip"), "\(error)")
        }
        try shell("head -c 1024 /dev/urandom > '\(dir)/noise'")
        XCTAssertThrowsError(try readAll(dir + "/noise")) { error in
            XCTAssertTrue("\(error)".contains("checksum"), "\(error)")
        }
    }

    func testZstdStreamsMultipleFramesAndDiffID() throws {
        let dir = try makeScratchDirectory("tar")
        try makeTar(dir + "/l.tar", """
        import os
        f('big', os.urandom(2 * 1024 * 1024 + 5))
        f('small', b'x')
        """)
        // Two frames back to back: a reader must go on past the first.
        try shell("head -c 700000 '\(dir)/l.tar' | zstd -q -c > '\(dir)/l.tar.zst'")
        try shell("tail -c +700001 '\(dir)/l.tar' | zstd -q -c >> '\(dir)/l.tar.zst'")
        let entries = try readAll(dir + "/l.tar.zst")
        XCTAssertEqual(entries.map(\.0.path), ["big", "small"])
        XCTAssertEqual(entries[0].1.count, 2 * 1024 * 1024 + 5)
        let target = dir + "/fs"
        mkdir(target, 0o755)
        let diffID = try LayerUnpacker.apply(blobAt: dir + "/l.tar.zst", into: target)
        XCTAssertEqual(diffID, try sha256OfFile(dir + "/l.tar"))
    }

    func testTruncatedAndCorruptZstdFail() throws {
        let dir = try makeScratchDirectory("tar")
        try makeTar(dir + "/l.tar", """
        import os
        f('file', os.urandom(300000))
        """)
        try shell("zstd -q -c '\(dir)/l.tar' | head -c 100000 > '\(dir)/cut.tar.zst'")
        XCTAssertThrowsError(try readAll(dir + "/cut.tar.zst")) { error in
            XCTAssertTrue("\(error)".contains("zstd") && "\(error)".contains("truncated"), "\(error)")
        }
        try shell("{ printf '\\050\\265\\057\\375'; head -c 200 /dev/zero | tr '\\000' '\\377'; } > '\(dir)/bad.zst'")
        XCTAssertThrowsError(try readAll(dir + "/bad.zst")) { error in
            XCTAssertTrue("\(error)".contains("zstd") && "\(error)".contains("corrupt"), "\(error)")
        }
    }
}
