import Glibc
import TestSupport
import XCTest
@testable import ImageStore

final class SnapshotTests: XCTestCase {
    func testChainIDsFollowTheImageSpec() throws {
        let a = "sha256:" + String(repeating: "a", count: 64)
        let b = "sha256:" + String(repeating: "b", count: 64)
        let c = "sha256:" + String(repeating: "c", count: 64)
        let ids = SnapshotStore.chainIDs(diffIDs: [a, b, c])
        // Independent computation: sha256 of "<previous chain id> <diffID>" by sha256sum.
        let ab = "sha256:" + String(try shell("printf '%s' '\(a) \(b)' | sha256sum").stdout.prefix(64))
        let abc = "sha256:" + String(try shell("printf '%s' '\(ab) \(c)' | sha256sum").stdout.prefix(64))
        XCTAssertEqual(ids, [a, ab, abc])
        XCTAssertEqual(SnapshotStore.chainIDs(diffIDs: []), [])
    }

    /// Three layers: a shared base, and one top layer for each of two images.
    private func makeLayers(_ dir: String) throws -> (base: LayerBlob, top1: LayerBlob, top2: LayerBlob) {
        try makeTar(dir + "/base.tar.gz", gzip: true, "d('etc')\nf('etc/os', b'base')")
        try makeTar(dir + "/top1.tar", "f('one', b'1')")
        try makeTar(dir + "/top2.tar", "f('two', b'2')")
        try shell("gzip -dc '\(dir)/base.tar.gz' > '\(dir)/base.tar'")
        return (LayerBlob(path: dir + "/base.tar.gz", diffID: try sha256OfFile(dir + "/base.tar")),
                LayerBlob(path: dir + "/top1.tar", diffID: try sha256OfFile(dir + "/top1.tar")),
                LayerBlob(path: dir + "/top2.tar", diffID: try sha256OfFile(dir + "/top2.tar")))
    }

    func testImagesSharingABaseLayerShareItsSnapshot() throws {
        try requireRootForLayers()
        let dir = try makeScratchDirectory("snap")
        let layers = try makeLayers(dir)
        let store = try SnapshotStore(root: dir + "/store")
        let image1 = try store.prepare(layers: [layers.base, layers.top1])
        let image2 = try store.prepare(layers: [layers.base, layers.top2])
        XCTAssertEqual(image1[0], layers.base.diffID, "the base layer's chain ID is its diffID")
        XCTAssertEqual(image1[0], image2[0])
        XCTAssertNotEqual(image1[1], image2[1])
        XCTAssertEqual(Set(store.list()), Set(image1 + image2))
        XCTAssertEqual(directoryListing(dir + "/store/snapshots").count, 3, "one directory for the shared base")
        XCTAssertEqual(fileContents(try store.layerPath(chainID: image1[0]) + "/etc/os"), "base")
        XCTAssertEqual(fileContents(try store.layerPath(chainID: image2[1]) + "/two"), "2")

        // Preparing again unpacks nothing: a marker in the snapshot survives.
        try shell("touch '\(try store.layerPath(chainID: image1[0]))/marker'")
        XCTAssertEqual(try store.prepare(layers: [layers.base, layers.top1]), image1)
        XCTAssertNotNil(lstatOf(try store.layerPath(chainID: image1[0]) + "/marker"))

        try store.remove(chainID: image2[1])
        XCTAssertFalse(store.exists(chainID: image2[1]))
        XCTAssertEqual(directoryListing(dir + "/store/snapshots").count, 2)
        try store.remove(chainID: image2[1])   // removing what is gone is fine
    }

    func testWrongDiffIDLeavesNoSnapshot() throws {
        try requireRootForLayers()
        let dir = try makeScratchDirectory("snap")
        let layers = try makeLayers(dir)
        let store = try SnapshotStore(root: dir + "/store")
        let wrong = LayerBlob(path: layers.top1.path, diffID: layers.top2.diffID)
        XCTAssertThrowsError(try store.prepare(layers: [layers.base, wrong])) { error in
            XCTAssertTrue("\(error)".contains("diffID"), "\(error)")
            XCTAssertTrue("\(error)".contains(layers.top1.path), "\(error)")
        }
        XCTAssertEqual(store.list(), [layers.base.diffID], "the verified base stays, the bad layer does not")
        XCTAssertEqual(directoryListing(dir + "/store/snapshots").count, 1, "no temporary directory left")
    }

    func testTruncatedLayerLeavesNoSnapshot() throws {
        try requireRootForLayers()
        let dir = try makeScratchDirectory("snap")
        try makeTar(dir + "/l.tar.gz", gzip: true, "import os\nf('big', os.urandom(300000))")
        try shell("head -c 100000 '\(dir)/l.tar.gz' > '\(dir)/cut.tar.gz'")
        let store = try SnapshotStore(root: dir + "/store")
        XCTAssertThrowsError(try store.prepare(layers: [LayerBlob(path: dir + "/cut.tar.gz", diffID: "sha256:" + String(repeating: "0", count: 64))]))
        XCTAssertEqual(directoryListing(dir + "/store/snapshots"), [])
    }

    func testInterruptedUnpacksAreCleanedUpOnOpen() throws {
        try requireRootForLayers()
        let dir = try makeScratchDirectory("snap")
        let layers = try makeLayers(dir)
        let chainIDs = try SnapshotStore(root: dir + "/store").prepare(layers: [layers.base])
        // What a crash mid-unpack and mid-removal leaves behind (a process that is gone, or a
        // name no process makes); and an unpack under way in a live process (here: this one),
        // which a second process opening the store (a pull process) must leave alone.
        let dead = try Command.start("/bin/true", [])
        _ = Command.wait(dead, timeout: 10)
        let live = "\(dir)/store/snapshots/.tmp-\(getpid())-abc-123456"
        try shell("mkdir -p '\(dir)/store/snapshots/.tmp-\(dead)-abc-123456/fs/etc' '\(dir)/store/snapshots/.tmp-remove-def-654321/fs' '\(live)/fs'")
        let store = try SnapshotStore(root: dir + "/store")
        XCTAssertEqual(directoryListing(dir + "/store/snapshots"), [String(chainIDs[0].dropFirst(7)), ".tmp-\(getpid())-abc-123456"].sorted())
        XCTAssertEqual(store.list(), chainIDs)
    }

    func testDigestsMustBeSHA256Hex() throws {
        XCTAssertThrowsError(try SnapshotStore.hex("sha256:../../etc"))
        XCTAssertThrowsError(try SnapshotStore.hex("md5:" + String(repeating: "a", count: 64)))
        XCTAssertEqual(try SnapshotStore.hex("sha256:" + String(repeating: "a", count: 64)), String(repeating: "a", count: 64))
    }
}
