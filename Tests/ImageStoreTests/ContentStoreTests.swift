import XCTest
import RuntimeCore
@testable import ImageStore

final class ContentStoreTests: XCTestCase {
    func testWriteVerifiedBlobAndReadBack() throws {
        let root = try ImageFixtures.scratchDirectory(self)
        let store = try ContentStore(root: root)
        let bytes = Array("hello blobs".utf8)
        let d = Digest.of(bytes)
        XCTAssertFalse(store.exists(d))
        XCTAssertEqual(try store.write(bytes, expected: d), d)
        XCTAssertTrue(store.exists(d))
        XCTAssertEqual(try store.read(d), bytes)
        XCTAssertEqual(try store.size(d), Int64(bytes.count))
        XCTAssertEqual(store.path(d), root + "/blobs/sha256/" + d.hex)
        XCTAssertEqual(store.list(), [d])
        XCTAssertEqual(FileIO.list(root + "/ingest"), [])
        try store.delete(d)
        XCTAssertFalse(store.exists(d))
        XCTAssertEqual(store.list(), [])
    }

    func testDigestMismatchNamesBothAndLeavesNothing() throws {
        let root = try ImageFixtures.scratchDirectory(self)
        let store = try ContentStore(root: root)
        let promised = Digest.of(Array("promised".utf8))
        let actual = Digest.of(Array("delivered".utf8))
        ImageFixtures.assertThrows(try store.write(Array("delivered".utf8), expected: promised),
                     containing: ["digest mismatch", "expected \(promised)", "got \(actual)"])
        XCTAssertEqual(store.list(), [])
        XCTAssertEqual(FileIO.list(root + "/ingest"), [])
    }

    func testStreamedFileWithWrongSizeIsRefused() throws {
        let root = try ImageFixtures.scratchDirectory(self)
        let store = try ContentStore(root: root)
        let file = root + "/source"
        let bytes = [UInt8](repeating: 7, count: 3 << 20)  // several 1 MiB chunks
        try FileIO.writeAtomically(file, bytes)
        let d = Digest.of(bytes)
        ImageFixtures.assertThrows(try store.write(fileAt: file, expected: d, size: Int64(bytes.count) - 1),
                     containing: ["larger than its expected size"])
        ImageFixtures.assertThrows(try store.write(fileAt: file, expected: d, size: Int64(bytes.count) + 1),
                     containing: ["truncated", "got \(bytes.count) bytes"])
        XCTAssertFalse(store.exists(d))
        XCTAssertEqual(FileIO.list(root + "/ingest"), [])
        XCTAssertEqual(try store.write(fileAt: file, expected: d, size: Int64(bytes.count)), d)
        XCTAssertEqual(try store.size(d), Int64(bytes.count))
    }

    /// A writer that dies mid-blob (process killed) leaves only an ingest file: the blob is not
    /// visible, and the next open of the store removes the leftover, but not a live write's file.
    func testCutOffWriteLeavesNothingVisibleAndIsCleanedOnReopen() throws {
        let root = try ImageFixtures.scratchDirectory(self)
        let full = [UInt8](repeating: 1, count: 100_000)
        let d = Digest.of(full)
        let store = try ContentStore(root: root)
        let live = try store.writer(expected: d, size: Int64(full.count))
        try live.append(Array(full[0..<40_000]))
        XCTAssertEqual(FileIO.list(root + "/ingest").count, 1)
        XCTAssertFalse(store.exists(d))
        // The crash: a process (this `sh`, gone once run returns) wrote part of the blob.
        let dead = try ImageFixtures.runTool("sh", ["-c", "echo $$"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let leftover = "\(d.hex.prefix(16))-\(dead)-42"
        try FileIO.writeAtomically(root + "/ingest/" + leftover, Array(full[0..<40_000]))
        XCTAssertEqual(FileIO.list(root + "/ingest").count, 2)

        let reopened = try ContentStore(root: root)
        XCTAssertFalse(FileIO.list(root + "/ingest").contains(leftover), "the dead writer's file is removed on open")
        XCTAssertEqual(FileIO.list(root + "/ingest").count, 1, "the live writer's file stays")
        XCTAssertFalse(reopened.exists(d))
        XCTAssertEqual(reopened.list(), [])
        // The live write still completes.
        try live.append(Array(full[40_000...]))
        XCTAssertEqual(try live.commit(), d)
        XCTAssertTrue(reopened.exists(d))
        XCTAssertEqual(FileIO.list(root + "/ingest"), [])
    }

    func testCommitWithMissingBytesIsRefused() throws {
        let root = try ImageFixtures.scratchDirectory(self)
        let store = try ContentStore(root: root)
        let full = Array("0123456789".utf8)
        let w = try store.writer(expected: Digest.of(full), size: 10)
        try w.append(Array(full[0..<4]))
        ImageFixtures.assertThrows(try w.commit(), containing: ["truncated", "got 4 bytes, expected 10"])
        XCTAssertEqual(store.list(), [])
        XCTAssertEqual(FileIO.list(root + "/ingest"), [])
    }

    func testBlobsSurviveReopenAndCorruptionIsDetected() throws {
        let root = try ImageFixtures.scratchDirectory(self)
        let bytes = Array("{\"k\":1}".utf8)
        let d = try ContentStore(root: root).write(bytes)
        let reopened = try ContentStore(root: root)
        XCTAssertTrue(reopened.exists(d))
        XCTAssertEqual(try reopened.read(d), bytes)
        // Bit rot on disk: read reports it instead of returning wrong bytes.
        chmod(reopened.path(d), 0o644)
        try FileIO.write(reopened.path(d), "{\"k\":2}")
        ImageFixtures.assertThrows(try reopened.read(d), containing: ["\(d)", "corrupt"])
    }

    func testUnexpectedDigestlessWriteIsNamedByContent() throws {
        let root = try ImageFixtures.scratchDirectory(self)
        let store = try ContentStore(root: root)
        let w = try store.writer(expected: nil)
        try w.append(Array("ab".utf8)); try w.append(Array("c".utf8))
        let d = try w.commit()
        XCTAssertEqual(d, Digest.of(Array("abc".utf8)))
        XCTAssertTrue(w.createdNew)
        let again = try store.writer(expected: nil)
        try again.append(Array("abc".utf8))
        XCTAssertEqual(try again.commit(), d)
        XCTAssertFalse(again.createdNew, "an existing blob is not re-added")
    }
}
