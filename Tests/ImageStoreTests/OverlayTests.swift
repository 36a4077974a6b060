import Foundation
import Glibc
import OCISpec
import TestSupport
import XCTest
@testable import ImageStore

final class OverlayTests: XCTestCase {
    /// Mounts a container rootfs and registers its unmount (teardown blocks run last-first, so
    /// before the scratch directory is removed), whatever the test does next.
    private func mount(_ store: SnapshotStore, _ container: String, _ chainIDs: [String], at target: String) throws {
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        addTeardownBlock { try? OverlayMount.unmount(target) }
        try store.mountRootfs(container: container, chainIDs: chainIDs, target: target)
    }

    func testWhiteoutsHideLowerFilesInAMountedOverlay() throws {
        try requireRootForLayers()
        let dir = try makeScratchDirectory("overlay")
        try makeTar(dir + "/lower.tar", """
        d('etc'); f('etc/keep', b'kept'); f('etc/gone', b'should be hidden')
        d('opaque'); f('opaque/old1', b'x'); d('opaque/olddir'); f('opaque/olddir/f', b'y')
        """)
        try makeTar(dir + "/upper.tar", """
        d('etc'); f('etc/.wh.gone')
        d('opaque'); f('opaque/.wh..wh..opq'); f('opaque/new', b'new')
        """)
        let store = try SnapshotStore(root: dir + "/store")
        let chainIDs = try store.prepare(layers: [
            LayerBlob(path: dir + "/lower.tar", diffID: try sha256OfFile(dir + "/lower.tar")),
            LayerBlob(path: dir + "/upper.tar", diffID: try sha256OfFile(dir + "/upper.tar")),
        ])
        let target = dir + "/rootfs"
        try mount(store, "c1", chainIDs, at: target)
        XCTAssertTrue(isMounted(target))
        XCTAssertEqual(fileContents(target + "/etc/keep"), "kept")
        XCTAssertNil(lstatOf(target + "/etc/gone"), "the whiteout hides the lower file")
        XCTAssertEqual(directoryListing(target + "/etc"), ["keep"])
        XCTAssertEqual(directoryListing(target + "/opaque"), ["new"], "the opaque directory hides all lower entries")
        // The lower layer still has them: the layers are not changed by the mount.
        XCTAssertEqual(fileContents(try store.layerPath(chainID: chainIDs[0]) + "/etc/gone"), "should be hidden")

        // Writes go to the container's upperdir.
        try "written".write(toFile: target + "/etc/new", atomically: false, encoding: .utf8)
        XCTAssertEqual(fileContents(try store.upperDirectory(container: "c1") + "/etc/new"), "written")
        XCTAssertNil(lstatOf(try store.layerPath(chainID: chainIDs[1]) + "/etc/new"))

        XCTAssertThrowsError(try store.mountRootfs(container: "c1", chainIDs: chainIDs, target: dir + "/other"),
                             "a second rootfs for the same container is refused")
        try store.removeRootfs(container: "c1", target: target)
        XCTAssertFalse(isMounted(target))
        XCTAssertNil(lstatOf(dir + "/store/containers/c1"))
        XCTAssertEqual(directoryListing(target), [])
    }

    func testMountingAnUnpreparedSnapshotFails() throws {
        try requireRootForLayers()
        let dir = try makeScratchDirectory("overlay")
        let store = try SnapshotStore(root: dir + "/store")
        try FileManager.default.createDirectory(atPath: dir + "/rootfs", withIntermediateDirectories: true)
        XCTAssertThrowsError(try store.mountRootfs(container: "c", chainIDs: ["sha256:" + String(repeating: "1", count: 64)],
                                                   target: dir + "/rootfs")) { error in
            XCTAssertTrue("\(error)".contains("not prepared"), "\(error)")
        }
        XCTAssertFalse(isMounted(dir + "/rootfs"))
        XCTAssertEqual(directoryListing(dir + "/store/containers"), [])
    }

    /// The busybox test image as one layer, mounted as a container's rootfs, run by skiff-runtime.
    func testRunAContainerOnAnOverlayRootfs() throws {
        try requireRootForLayers()
        guard FileManager.default.fileExists(atPath: busyboxImageTar) else {
            throw XCTSkip("no test image tar at \(busyboxImageTar): run rootfs/build (./hack/test does)")
        }
        guard FileManager.default.isExecutableFile(atPath: skiffRuntimeBinary) else {
            throw XCTSkip("no skiff-runtime at \(skiffRuntimeBinary): swift build --product skiff-runtime")
        }
        let dir = try makeScratchDirectory("overlay")
        let store = try SnapshotStore(root: dir + "/store")
        let chainIDs = try store.prepare(layers: [LayerBlob(path: busyboxImageTar, diffID: try sha256OfFile(busyboxImageTar))])
        let layer = try store.layerPath(chainID: chainIDs[0])
        XCTAssertNotNil(lstatOf(layer + "/bin/busybox"))

        let bundle = dir + "/bundle"
        let target = bundle + "/rootfs"
        try mount(store, "busybox-1", chainIDs, at: target)
        var spec = containerSpec(args: ["sh", "-c", "echo from-container > /written && cat /etc/hostname 2>/dev/null; id -u; ls /bin/busybox"])
        spec.root = Root(path: target, readonly: false)
        let encoder = JSONEncoder()
        try encoder.encode(spec).write(to: URL(fileURLWithPath: bundle + "/config.json"))

        let state = dir + "/state"
        let id = "imagestore-\(getpid())"
        addTeardownBlock { _ = try? Command.run(skiffRuntimeBinary, ["--root", state, "delete", "--force", id]) }
        let result = try Command.run(skiffRuntimeBinary, ["--root", state, "run", "--bundle", bundle, id], timeout: 60)
        XCTAssertEqual(result.status, 0, result.summary)
        XCTAssertTrue(result.stdout.contains("0\n/bin/busybox"), result.summary)

        let upper = try store.upperDirectory(container: "busybox-1")
        XCTAssertEqual(fileContents(upper + "/written"), "from-container\n", "the write landed in the upperdir")
        XCTAssertNil(lstatOf(layer + "/written"), "not in the shared layer")

        try store.removeRootfs(container: "busybox-1", target: target)
        XCTAssertFalse(isMounted(target))
        XCTAssertNil(lstatOf(upper))
        XCTAssertEqual(store.list(), chainIDs, "the layer stays for the next container")
    }
}

private let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The busybox test image as a plain tar ($SKIFF_TEST_IMAGE_TAR, else rootfs/out/busybox.tar).
let busyboxImageTar = ProcessInfo.processInfo.environment["SKIFF_TEST_IMAGE_TAR"] ?? repoRoot + "/rootfs/out/busybox.tar"

/// The skiff-runtime under test: $SKIFF_RUNTIME, else the debug build.
let skiffRuntimeBinary = ProcessInfo.processInfo.environment["SKIFF_RUNTIME"] ?? repoRoot + "/.build/debug/skiff-runtime"

/// runc's `spec` default without a terminal (as the runtime's own tests use).
func containerSpec(args: [String]) -> Spec { TestSpec.busybox(args: args) }
