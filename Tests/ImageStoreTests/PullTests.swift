// Pulls from a real docker-registry on 127.0.0.1 filled by skopeo from the test image.
import Foundation
@testable import ImageStore
import OCISpec
import RuntimeCore
import XCTest

final class PullTests: XCTestCase {
    /// A registry holding the test image as test/busybox:1, and an empty image index.
    private func setUp(pushAs repo: String = "test/busybox:1") throws -> (registry: String, index: ImageIndex) {
        let layout = try ImageFixtures.testOCILayout()
        let registry = try RegistryFixtures.startRegistry(self)
        try RegistryFixtures.push(layout: layout, to: "\(registry)/\(repo)")
        let index = try ImageIndex(root: try ImageFixtures.scratchDirectory(self, "pull"))
        return (registry, index)
    }

    private func options(_ registries: String..., progress: (@Sendable (PullProgress) -> Void)? = nil) -> PullOptions {
        PullOptions(insecureRegistries: Set(registries), progress: progress)
    }

    func testPullByTagThenByDigestFetchesNothingNew() async throws {
        let (registry, index) = try setUp()
        let events = Events()
        let record = try await index.pull("\(registry)/test/busybox:1", options: options(registry) { events.add($0) })
        XCTAssertEqual(record.names, ["\(registry)/test/busybox:1"])
        XCTAssertEqual(try index.inspect("\(registry)/test/busybox:1").cmd, ["sh"])
        XCTAssertEqual(index.list().map(\.id), [record.id])
        XCTAssertTrue(events.all.contains { !$0.alreadyPresent && $0.bytesDone == $0.bytesTotal && $0.bytesTotal > 100_000 },
                      "the layer's progress reaches its total")
        XCTAssertEqual(FileIO.list(index.content.ingestDirectory), [], "no ingest files left")

        // Again, by tag and then by the manifest digest: every blob is already present.
        let again = Events()
        let second = try await index.pull("\(registry)/test/busybox:1", options: options(registry) { again.add($0) })
        XCTAssertEqual(second.id, record.id)
        let byDigest = try await index.pull("\(registry)/test/busybox@\(record.manifest)", options: options(registry) { again.add($0) })
        XCTAssertEqual(byDigest.id, record.id)
        XCTAssertEqual(byDigest.manifest, record.manifest)
        XCTAssertFalse(again.all.isEmpty)
        XCTAssertTrue(again.all.allSatisfy(\.alreadyPresent), "nothing fetched on the second pull")
        XCTAssertEqual(try index.inspect("\(registry)/test/busybox@\(record.manifest)").cmd, ["sh"])
    }

    func testPullUnpacksAndTheRootfsOutlivesTheImageUntilRemoved() async throws {
        let (registry, index) = try setUp()
        let record = try await index.pull("\(registry)/test/busybox:1", options: options(registry))
        let chainIDs = SnapshotStore.chainIDs(diffIDs: try index.inspect(record.id.description).config.rootfs.diffIDs)
        XCTAssertFalse(chainIDs.isEmpty)
        XCTAssertTrue(chainIDs.allSatisfy { index.snapshots.exists(chainID: $0) }, "every layer unpacked by the pull")

        let target = try ImageFixtures.scratchDirectory(self, "rootfs")
        let details = try index.prepareRootfs(image: "\(registry)/test/busybox:1", container: "c1", target: target)
        XCTAssertEqual(details.cmd, ["sh"])
        XCTAssertTrue(FileIO.exists(target + "/bin/busybox"), "the image's files are in the mounted rootfs")
        XCTAssertThrowsError(try index.prepareRootfs(image: record.id.description, container: "c1", target: target)) {
            XCTAssertTrue("\($0)".contains("c1"), "\($0)")
        }

        // The image goes (forced): its container still stands on the snapshots.
        XCTAssertTrue(try index.remove(record.id.description, force: true))
        XCTAssertEqual(try index.collectSnapshots(), [])
        XCTAssertTrue(chainIDs.allSatisfy { index.snapshots.exists(chainID: $0) })

        try index.removeRootfs(container: "c1", target: target)
        try index.removeRootfs(container: "c1", target: target)   // twice is fine
        XCTAssertFalse(FileIO.exists(target + "/bin/busybox"))
        XCTAssertEqual(Set(try index.collectSnapshots()), Set(chainIDs))
        XCTAssertFalse(try index.collectGarbage().isEmpty)
        XCTAssertEqual(index.content.list(), [])
    }

    func testPullWithoutUnpackLeavesSnapshotsToTheFirstRootfs() async throws {
        let (registry, index) = try setUp()
        var opts = options(registry)
        opts.unpack = false
        let record = try await index.pull("\(registry)/test/busybox:1", options: opts)
        XCTAssertEqual(index.snapshots.list(), [])
        let chainIDs = try index.unpack(record.id.description)
        XCTAssertEqual(Set(index.snapshots.list()), Set(chainIDs))
    }

    func testPullByWrongDigestFailsNamingIt() async throws {
        let (registry, index) = try setUp()
        let missing = "sha256:" + String(repeating: "ab", count: 32)
        do {
            try await index.pull("\(registry)/test/busybox@\(missing)", options: options(registry))
            XCTFail("pulled a digest the registry does not have")
        } catch {
            XCTAssertTrue("\(error)".contains("manifests/\(missing)"), "\(error)")
        }
        XCTAssertEqual(index.list().count, 0)
    }

    /// Not marked insecure: the pull speaks HTTPS, which a plain-HTTP registry cannot answer.
    func testRegistryNotMarkedInsecureIsReachedOverHTTPS() async throws {
        let (registry, index) = try setUp()
        do {
            try await index.pull("\(registry)/test/busybox:1")
            XCTFail("pulled over plain HTTP from a registry not marked insecure")
        } catch {
            XCTAssertTrue("\(error)".contains("GET https://\(registry)/v2/test/busybox/manifests/1"), "\(error)")
        }
    }

    func testConcurrentPullsShareTheWork() async throws {
        let (registry, index) = try setUp()
        let events = Events()
        let opts = options(registry) { events.add($0) }
        async let a = index.pull("\(registry)/test/busybox:1", options: opts)
        async let b = index.pull("\(registry)/test/busybox:1", options: opts)
        let (ra, rb) = try await (a, b)
        XCTAssertEqual(ra, rb)
        // The layer was downloaded once: its progress reached the end exactly once.
        let finished = events.all.filter { !$0.alreadyPresent && $0.bytesDone == $0.bytesTotal && $0.bytesTotal > 100_000 }
        XCTAssertEqual(finished.count, 1)
    }

    func testMultiPlatformIndexPicksTheHost() async throws {
        let layout = try ImageFixtures.testOCILayout()
        let multi = try ImageFixtures.scratchDirectory(self, "multi") + "/layout"
        try ImageFixtures.copyTree(layout, multi)
        let (indexDigest, hostManifest) = try MultiPlatformLayout.make(at: multi, hostPlatform: HostPlatform.current)
        let registry = try RegistryFixtures.startRegistry(self)
        try RegistryFixtures.push(layout: multi, tag: "multi", to: "\(registry)/test/multi:1", all: true)
        let index = try ImageIndex(root: try ImageFixtures.scratchDirectory(self, "pull"))
        let record = try await index.pull("\(registry)/test/multi:1", options: options(registry))
        XCTAssertEqual(record.target, indexDigest)
        XCTAssertTrue(MediaType.isIndex(record.targetMediaType))
        XCTAssertEqual(record.manifest, hostManifest)
        XCTAssertEqual(try index.inspect("\(registry)/test/multi:1").platform.architecture, HostPlatform.current.architecture)
    }

    func testTokenAuth() async throws {
        let (registry, index) = try setUp()
        let front = try RegistryFixtures.startFront(self, upstream: registry, mode: ["token", "puller", "s3cret"])
        // Without credentials the token endpoint refuses: the error says so.
        do {
            try await index.pull("\(front)/test/busybox:1", options: options(front))
            XCTFail("pulled without credentials")
        } catch {
            XCTAssertTrue("\(error)".contains("token request"), "\(error)")
        }
        var opts = options(front)
        opts.credentials[front] = RegistryCredentials(username: "puller", password: "s3cret")
        let record = try await index.pull("\(front)/test/busybox:1", options: opts)
        XCTAssertEqual(try index.inspect(record.id.description).cmd, ["sh"])
    }

    func testBasicAuth() async throws {
        let (registry, index) = try setUp()
        let front = try RegistryFixtures.startFront(self, upstream: registry, mode: ["basic", "puller", "s3cret"])
        do {
            try await index.pull("\(front)/test/busybox:1", options: options(front))
            XCTFail("pulled without credentials")
        } catch {
            XCTAssertTrue("\(error)".contains("asks for basic credentials"), "\(error)")
        }
        var opts = options(front)
        opts.credentials[front] = RegistryCredentials(username: "puller", password: "s3cret")
        let record = try await index.pull("\(front)/test/busybox:1", options: opts)
        XCTAssertEqual(try index.inspect(record.id.description).cmd, ["sh"])
    }

    func testConnectionCutMidLayerFailsCleanlyAndRetrySucceeds() async throws {
        let (registry, index) = try setUp()
        let front = try RegistryFixtures.startFront(self, upstream: registry, mode: ["cut"])
        let ref = "\(front)/test/busybox:1"
        do {
            try await index.pull(ref, options: options(front))
            XCTFail("the cut-off layer was accepted")
        } catch {
            XCTAssertTrue("\(error)".contains("blob sha256:"), "the error names the blob: \(error)")
        }
        XCTAssertEqual(index.list().count, 0)
        let layout = try ImageFixtures.testOCILayout()
        let layers = try MultiPlatformLayout.hostManifest(in: layout).manifest.layers
        for l in layers { XCTAssertFalse(index.content.exists(try Digest(parsing: l.digest)), "no half layer visible") }
        XCTAssertEqual(FileIO.list(index.content.ingestDirectory), [], "no ingest file left")

        let record = try await index.pull(ref, options: options(front))
        XCTAssertEqual(try index.inspect(record.id.description).cmd, ["sh"])
    }
}

/// Progress events collected from concurrent callbacks.
final class Events: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [PullProgress] = []
    func add(_ e: PullProgress) { lock.withLock { events.append(e) } }
    var all: [PullProgress] { lock.withLock { events } }
}
