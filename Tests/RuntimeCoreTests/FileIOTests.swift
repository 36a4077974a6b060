import Glibc
import RuntimeCore
import TestSupport
import XCTest

final class FileIOTests: XCTestCase {
    func testSameContentsComparesEveryByte() throws {
        let dir = try makeScratchDirectory("fileio")
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try FileIO.writeAtomically(dir + "/a", big)
        try FileIO.writeAtomically(dir + "/b", big)
        XCTAssertTrue(FileIO.sameContents(dir + "/a", dir + "/b"))
        var changed = big
        changed[150_000] ^= 1   // past the first chunk
        try FileIO.writeAtomically(dir + "/c", changed)
        XCTAssertFalse(FileIO.sameContents(dir + "/a", dir + "/c"))
        try FileIO.writeAtomically(dir + "/d", Array(big.dropLast()))
        XCTAssertFalse(FileIO.sameContents(dir + "/a", dir + "/d"))
        XCTAssertFalse(FileIO.sameContents(dir + "/a", dir + "/missing"))
    }

    func testCopyAtomicallyCopiesBytesAndMode() throws {
        let dir = try makeScratchDirectory("fileio")
        let bytes = (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try FileIO.writeAtomically(dir + "/source", bytes)
        try FileIO.writeAtomically(dir + "/target", [1, 2, 3])
        try FileIO.copyAtomically(from: dir + "/source", to: dir + "/target", mode: 0o755)
        XCTAssertEqual(try FileIO.read(dir + "/target"), bytes)
        var st = stat()
        XCTAssertEqual(stat(dir + "/target", &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o755)
        XCTAssertFalse(FileIO.exists(dir + "/target.tmp"))
        XCTAssertThrowsError(try FileIO.copyAtomically(from: dir + "/missing", to: dir + "/other", mode: 0o644)) {
            XCTAssertTrue("\($0)".contains("/missing"), "\($0)")
        }
        XCTAssertFalse(FileIO.exists(dir + "/other"))
    }
}
