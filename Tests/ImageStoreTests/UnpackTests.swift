import Glibc
import TestSupport
import XCTest
@testable import ImageStore

final class UnpackTests: XCTestCase {
    func testRoundTripOfEveryKindWithMetadata() throws {
        try requireRootForLayers()
        let dir = try makeScratchDirectory("unpack")
        try makeTar(dir + "/l.tar", """
        d('.', mode=0o755)
        d('dir', mode=0o1777, uid=1234, gid=5678, mtime=1111111111)
        f('dir/suid', b'#!/bin/sh\\n', mode=0o4755, uid=1000, gid=1000, mtime=1234567890)
        f('dir/sgid', b'', mode=0o2711)
        sym('dir/link', '/etc/passwd', uid=7, gid=8, mtime=1300000000)
        hard('dir/hard', 'dir/suid')
        add('dev/null', type=tarfile.CHRTYPE, major=1, minor=3, mode=0o666)
        add('dev/loop9', type=tarfile.BLKTYPE, major=7, minor=9, mode=0o660, gid=6)
        add('fifo', type=tarfile.FIFOTYPE, mode=0o620)
        f('x', b'xattrs', pax={'SCHILY.xattr.user.color': 'blue', 'SCHILY.xattr.trusted.skiff': 'yes'})
        f('deep/missing/parents/file', b'made')
        """)
        let fs = dir + "/layer"
        let diffID = try LayerUnpacker.unpack(blobAt: dir + "/l.tar", to: fs)
        XCTAssertEqual(diffID, try sha256OfFile(dir + "/l.tar"))

        let d = try XCTUnwrap(lstatOf(fs + "/dir"))
        XCTAssertEqual(d.st_mode & S_IFMT, S_IFDIR)
        XCTAssertEqual(d.st_mode & 0o7777, 0o1777)
        XCTAssertEqual(d.st_uid, 1234)
        XCTAssertEqual(d.st_gid, 5678)
        XCTAssertEqual(d.st_mtim.tv_sec, 1111111111, "directory mtimes survive entries created inside")

        let suid = try XCTUnwrap(lstatOf(fs + "/dir/suid"))
        XCTAssertEqual(suid.st_mode & 0o7777, 0o4755, "setuid kept after chown")
        XCTAssertEqual(suid.st_uid, 1000)
        XCTAssertEqual(suid.st_mtim.tv_sec, 1234567890)
        XCTAssertEqual(fileContents(fs + "/dir/suid"), "#!/bin/sh\n")
        XCTAssertEqual(lstatOf(fs + "/dir/sgid").map { $0.st_mode & 0o7777 }, 0o2711)

        let link = try XCTUnwrap(lstatOf(fs + "/dir/link"))
        XCTAssertEqual(link.st_mode & S_IFMT, S_IFLNK)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: fs + "/dir/link"), "/etc/passwd")
        XCTAssertEqual(link.st_uid, 7)
        XCTAssertEqual(link.st_mtim.tv_sec, 1300000000)

        let hard = try XCTUnwrap(lstatOf(fs + "/dir/hard"))
        XCTAssertEqual(hard.st_ino, suid.st_ino, "a hard link shares the inode")
        XCTAssertEqual(hard.st_nlink, 2)

        let null = try XCTUnwrap(lstatOf(fs + "/dev/null"))
        XCTAssertEqual(null.st_mode & S_IFMT, S_IFCHR)
        XCTAssertEqual(null.st_rdev, makedevice(1, 3))
        XCTAssertEqual(null.st_mode & 0o7777, 0o666)
        let loop = try XCTUnwrap(lstatOf(fs + "/dev/loop9"))
        XCTAssertEqual(loop.st_mode & S_IFMT, S_IFBLK)
        XCTAssertEqual(loop.st_rdev, makedevice(7, 9))
        XCTAssertEqual(loop.st_gid, 6)
        let fifo = try XCTUnwrap(lstatOf(fs + "/fifo"))
        XCTAssertEqual(fifo.st_mode & S_IFMT, S_IFIFO)
        XCTAssertEqual(fifo.st_mode & 0o7777, 0o620)

        XCTAssertEqual(readXattr(fs + "/x", "user.color"), Array("blue".utf8))
        XCTAssertEqual(readXattr(fs + "/x", "trusted.skiff"), Array("yes".utf8))
        XCTAssertEqual(fileContents(fs + "/deep/missing/parents/file"), "made")
        XCTAssertEqual(directoryListing(dir), ["l.tar", "layer"], "no temporary directory left")
    }

    func testGzipLayerLongNamesAndLaterEntriesReplaceEarlier() throws {
        try requireRootForLayers()
        let dir = try makeScratchDirectory("unpack")
        let long = String(repeating: "n", count: 150) + "/" + String(repeating: "m", count: 200)
        try makeTar(dir + "/l.tar.gz", format: "gnu", gzip: true, """
        f('\(long)', b'long one')
        f('again', b'first')
        f('again', b'second')
        d('was-dir'); f('was-dir/inner', b'x')
        f('was-dir', b'now a file')
        sym('was-link', '/tmp')
        d('was-link')
        """)
        let fs = dir + "/layer"
        let diffID = try LayerUnpacker.unpack(blobAt: dir + "/l.tar.gz", to: fs)
        try shell("gzip -dc '\(dir)/l.tar.gz' > '\(dir)/plain.tar'")
        XCTAssertEqual(diffID, try sha256OfFile(dir + "/plain.tar"))
        XCTAssertEqual(fileContents(fs + "/" + long), "long one")
        XCTAssertEqual(fileContents(fs + "/again"), "second")
        XCTAssertEqual(fileContents(fs + "/was-dir"), "now a file")
        XCTAssertEqual(lstatOf(fs + "/was-link").map { $0.st_mode & S_IFMT }, S_IFDIR)
    }

    func testWhiteoutsBecomeOverlayWhiteouts() throws {
        try requireRootForLayers()
        let dir = try makeScratchDirectory("unpack")
        try makeTar(dir + "/l.tar", """
        d('etc')
        f('etc/.wh.gone')
        d('opaque')
        f('opaque/.wh..wh..opq')
        f('opaque/kept', b'k')
        """)
        let fs = dir + "/layer"
        try LayerUnpacker.unpack(blobAt: dir + "/l.tar", to: fs)
        let whiteout = try XCTUnwrap(lstatOf(fs + "/etc/gone"))
        XCTAssertEqual(whiteout.st_mode & S_IFMT, S_IFCHR)
        XCTAssertEqual(whiteout.st_rdev, makedevice(0, 0))
        XCTAssertNil(lstatOf(fs + "/etc/.wh.gone"))
        XCTAssertEqual(readXattr(fs + "/opaque", "trusted.overlay.opaque"), Array("y".utf8))
        XCTAssertNil(lstatOf(fs + "/opaque/.wh..wh..opq"))
        XCTAssertEqual(fileContents(fs + "/opaque/kept"), "k")
    }

    // MARK: hostile layers

    /// Unpacks a hostile tar next to an "outside" directory: it must fail naming `entry`,
    /// leave no layer (nor temporary directory), and write nothing outside.
    private func assertRefused(_ body: String, naming entry: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try makeScratchDirectory("hostile")
        let outside = dir + "/outside"
        let work = dir + "/a/b/c"
        try shell("mkdir -p '\(outside)' '\(work)' && echo sentinel > '\(outside)/sentinel'")
        let script = body.replacingOccurrences(of: "OUTSIDE", with: outside)
        try makeTar(dir + "/l.tar", script)
        let before = try shell("cd '\(dir)' && find . -path ./a/b/c -prune -o -print | sort").stdout
        let passwd = fileContents("/etc/passwd")
        XCTAssertThrowsError(try LayerUnpacker.unpack(blobAt: dir + "/l.tar", to: work + "/layer"), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(entry), "error should name \(entry): \(error)", file: file, line: line)
        }
        XCTAssertEqual(directoryListing(work), [], "no layer, no temporary directory", file: file, line: line)
        XCTAssertEqual(try shell("cd '\(dir)' && find . -path ./a/b/c -prune -o -print | sort").stdout, before,
                       "nothing appeared outside the target", file: file, line: line)
        XCTAssertEqual(directoryListing(outside), ["sentinel"], file: file, line: line)
        XCTAssertEqual(fileContents(outside + "/sentinel"), "sentinel\n", file: file, line: line)
        XCTAssertEqual(fileContents("/etc/passwd"), passwd, file: file, line: line)
        XCTAssertNil(lstatOf("/escape"), file: file, line: line)
    }

    func testDotDotIsRefused() throws {
        try requireRootForLayers()
        try assertRefused("f('ok', b'1')\nf('../escape', b'x')", naming: "../escape")
        try assertRefused("f('dir/../../../escape', b'x')", naming: "dir/../../../escape")
    }

    func testAbsolutePathIsRefused() throws {
        try requireRootForLayers()
        try assertRefused("f('/escape', b'x')", naming: "/escape")
        try assertRefused("f('OUTSIDE/abs', b'x')", naming: "/abs")
    }

    func testEntryUnderSymlinkIsRefused() throws {
        try requireRootForLayers()
        try assertRefused("sym('evil', 'OUTSIDE')\nf('evil/file', b'x')", naming: "evil/file")
        try assertRefused("sym('evil', '../../..')\nf('evil/outside/file', b'x')", naming: "evil/outside/file")
        try assertRefused("d('d')\nsym('d/up', '..')\nsym('d/up2', 'up/..')\nf('d/up2/b/file', b'x')", naming: "d/up2/b/file")
        // A directory entry, a hard link and a device under the symlink are refused too.
        try assertRefused("sym('evil', 'OUTSIDE')\nd('evil/newdir')", naming: "evil/newdir")
        try assertRefused("f('f', b'x')\nsym('evil', 'OUTSIDE')\nhard('evil/h', 'f')", naming: "evil/h")
        try assertRefused("sym('evil', 'OUTSIDE')\nadd('evil/p', type=tarfile.FIFOTYPE)", naming: "evil/p")
        try assertRefused("sym('evil', 'OUTSIDE')\nf('evil/.wh.sentinel')", naming: "evil/.wh.sentinel")
    }

    func testHardLinkOutsideIsRefused() throws {
        try requireRootForLayers()
        try assertRefused("hard('passwd', '/etc/passwd')", naming: "passwd")
        try assertRefused("hard('x', '../../x')", naming: "../../x")
        try assertRefused("hard('s', 'OUTSIDE/sentinel')", naming: "sentinel")
        // Through a symlink in the layer to the outside file.
        try assertRefused("sym('evil', 'OUTSIDE')\nhard('h', 'evil/sentinel')", naming: "evil/sentinel")
    }

    func testSymlinksAreDataNeverFollowed() throws {
        try requireRootForLayers()
        let dir = try makeScratchDirectory("unpack")
        let outside = dir + "/outside"
        try shell("mkdir '\(outside)' && echo sentinel > '\(outside)/sentinel'")
        // A symlink to an outside file, then a regular file and a hard link to the symlink by
        // that name: the symlink is replaced or linked, the outside file untouched.
        try makeTar(dir + "/l.tar", """
        sym('a', '\(outside)/sentinel')
        hard('b', 'a')
        f('a', b'replaced')
        sym('c', '\(outside)')
        """)
        try LayerUnpacker.unpack(blobAt: dir + "/l.tar", to: dir + "/layer")
        XCTAssertEqual(fileContents(dir + "/layer/a"), "replaced")
        XCTAssertEqual(lstatOf(dir + "/layer/b").map { $0.st_mode & S_IFMT }, S_IFLNK)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/layer/c"), outside)
        XCTAssertEqual(fileContents(outside + "/sentinel"), "sentinel\n")
        XCTAssertEqual(directoryListing(outside), ["sentinel"])
    }

    func testTruncatedLayersLeaveNothing() throws {
        try requireRootForLayers()
        let dir = try makeScratchDirectory("unpack")
        try makeTar(dir + "/l.tar", """
        import os
        d('d')
        f('d/a', os.urandom(20000))
        f('d/b', os.urandom(200000))
        """)
        try shell("head -c 100000 '\(dir)/l.tar' > '\(dir)/cut.tar' && gzip -c '\(dir)/l.tar' | head -c 60000 > '\(dir)/cut.tar.gz'")
        let work = dir + "/work"
        mkdir(work, 0o755)
        XCTAssertThrowsError(try LayerUnpacker.unpack(blobAt: dir + "/cut.tar", to: work + "/layer")) { error in
            XCTAssertTrue("\(error)".contains("d/b"), "\(error)")
        }
        XCTAssertEqual(directoryListing(work), [])
        XCTAssertThrowsError(try LayerUnpacker.unpack(blobAt: dir + "/cut.tar.gz", to: work + "/layer")) { error in
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
        }
        XCTAssertEqual(directoryListing(work), [])
    }
}

func makedevice(_ major: UInt32, _ minor: UInt32) -> dev_t {
    dev_t((UInt64(major & 0xfffff000) << 32) | (UInt64(major & 0xfff) << 8)
          | (UInt64(minor & 0xffffff00) << 12) | UInt64(minor & 0xff))
}

final class UnpackRootTests: XCTestCase {
    func testLayerRootIsTheRootEntryOr0755AndAufsMetadataIsSkipped() throws {
        try requireRootForLayers()
        let dir = try makeScratchDirectory("unpack")
        try makeTar(dir + "/plain.tar", "f('.wh..wh.plnk/123.456', b'aufs')\nd('.wh..wh.plnk')\nf('file', b'x')")
        try makeTar(dir + "/rooted.tar", "d('./', mode=0o750, uid=5, gid=6)\nf('file', b'x')")
        try LayerUnpacker.unpack(blobAt: dir + "/plain.tar", to: dir + "/plain")
        try LayerUnpacker.unpack(blobAt: dir + "/rooted.tar", to: dir + "/rooted")
        XCTAssertEqual(lstatOf(dir + "/plain").map { $0.st_mode & 0o7777 }, 0o755)
        XCTAssertEqual(directoryListing(dir + "/plain"), ["file"], "aufs metadata is not unpacked")
        let root = try XCTUnwrap(lstatOf(dir + "/rooted"))
        XCTAssertEqual(root.st_mode & 0o7777, 0o750)
        XCTAssertEqual(root.st_uid, 5)
        XCTAssertEqual(root.st_gid, 6)
    }

    func testSymlinkXattrs() throws {
        try requireRootForLayers()
        let dir = try makeScratchDirectory("unpack")
        try makeTar(dir + "/l.tar", "sym('l', 'target', pax={'SCHILY.xattr.trusted.t': 'v', 'SCHILY.xattr.user.u': 'skipped'})")
        try LayerUnpacker.unpack(blobAt: dir + "/l.tar", to: dir + "/fs")
        XCTAssertEqual(readXattr(dir + "/fs/l", "trusted.t"), Array("v".utf8))
        XCTAssertNil(readXattr(dir + "/fs/l", "user.u"), "Linux allows no user.* xattrs on symlinks")
    }
}
