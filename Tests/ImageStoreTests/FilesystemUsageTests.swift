import Foundation
import ImageStore
import XCTest

final class FilesystemUsageTests: XCTestCase {
    func testCountsBytesAndInodesOncePerInode() throws {
        let root = NSTemporaryDirectory() + "skiff-usage-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root + "/a", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let empty = try FilesystemUsage.of(root)
        XCTAssertEqual(empty.inodesUsed, 2, "the root and one directory")
        try Data(repeating: 7, count: 1 << 20).write(to: URL(fileURLWithPath: root + "/a/blob"))
        try FileManager.default.linkItem(atPath: root + "/a/blob", toPath: root + "/a/link")
        let used = try FilesystemUsage.of(root)
        XCTAssertEqual(used.inodesUsed, 3, "a hard link is the same inode")
        XCTAssertGreaterThanOrEqual(used.usedBytes - empty.usedBytes, 1 << 20)
        XCTAssertLessThan(used.usedBytes - empty.usedBytes, 2 << 20, "counted once, not per link")
        XCTAssertEqual(used.mountpoint, root)
        XCTAssertThrowsError(try FilesystemUsage.of(root + "/missing"))
    }
}
