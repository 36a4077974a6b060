import XCTest
import OCISpec
import RuntimeCore
@testable import ImageStore

final class ImageIndexTests: XCTestCase {
    private func importBusybox(_ root: String) throws -> (ImageIndex, ImageRecord) {
        let images = try ImageIndex(root: root)
        let record = try images.importOCILayout(directory: try ImageFixtures.testOCILayout(), baseName: "busybox")[0]
        return (images, record)
    }

    func testTagAndRemoveByName() throws {
        let (images, record) = try importBusybox(try ImageFixtures.scratchDirectory(self))
        let ref = try images.tag("busybox", as: "localhost:5000/team/box:v1")
        XCTAssertEqual(ref.description, "localhost:5000/team/box:v1")
        XCTAssertEqual(try images.resolve("localhost:5000/team/box:v1").id, record.id)
        XCTAssertEqual(images.list()[0].names.sorted(), ["docker.io/library/busybox:latest", "localhost:5000/team/box:v1"])
        ImageFixtures.assertThrows(try images.tag("busybox", as: "Bad/Name"), containing: ["Bad/Name", "lowercase"])
        ImageFixtures.assertThrows(try images.tag("nothere", as: "x:y"), containing: ["nothere", "not found"])

        // Removing one of two names untags; the image stays.
        XCTAssertFalse(try images.remove("busybox"))
        ImageFixtures.assertThrows(try images.resolve("busybox"), containing: ["not found"])
        XCTAssertEqual(images.list().map(\.names), [["localhost:5000/team/box:v1"]])
        XCTAssertEqual(try ImageIndex(root: images.root).list().map(\.names), [["localhost:5000/team/box:v1"]])
        // Removing the last name removes the image.
        XCTAssertTrue(try images.remove("localhost:5000/team/box:v1"))
        XCTAssertEqual(images.list().count, 0)
        XCTAssertEqual(try ImageIndex(root: images.root).list().count, 0)
    }

    func testRemoveRefusesInUseUnlessForced() throws {
        let (images, record) = try importBusybox(try ImageFixtures.scratchDirectory(self))
        var used: Set<Digest> = [record.id]
        ImageFixtures.assertThrows(try images.remove("busybox", isInUse: { used.contains($0) }),
                     containing: ["busybox", "\(record.id)", "in use"])
        ImageFixtures.assertThrows(try images.remove(record.id.description, isInUse: { used.contains($0) }), containing: ["in use"])
        XCTAssertEqual(images.list().count, 1)
        XCTAssertTrue(try images.remove(record.id.description, force: true, isInUse: { used.contains($0) }))
        XCTAssertEqual(images.list().count, 0)

        let (again, r2) = try importBusybox(images.root)
        used = []
        XCTAssertTrue(try again.remove(String(r2.id.hex.prefix(12)), isInUse: { used.contains($0) }))
        XCTAssertEqual(again.list().count, 0)
    }

    func testGarbageCollectionKeepsReferencedBlobsOnly() throws {
        let (images, record) = try importBusybox(try ImageFixtures.scratchDirectory(self))
        let kept = Set(images.content.list())
        XCTAssertEqual(kept.count, 3)
        let stray = try images.content.write(Array("nobody points at me".utf8))
        XCTAssertEqual(try images.collectGarbage(), [stray])
        XCTAssertEqual(Set(images.content.list()), kept)
        XCTAssertTrue(kept.contains(record.id) && kept.contains(record.manifest))

        // Untagging keeps the blobs while the image exists; removing the image frees them.
        try images.tag("busybox", as: "other:1")
        XCTAssertFalse(try images.remove("busybox"))
        XCTAssertEqual(try images.collectGarbage(), [])
        XCTAssertTrue(try images.remove("other:1"))
        XCTAssertEqual(Set(try images.collectGarbage()), kept)
        XCTAssertEqual(images.content.list(), [])
    }

    func testNameMovesToTheNewerImage() throws {
        let scratch = try ImageFixtures.scratchDirectory(self)
        let (images, first) = try importBusybox(scratch + "/store")
        // A second image: the same layer under a config with another label.
        let layout = try ImageFixtures.testOCILayout()
        try ImageFixtures.copyTree(layout, scratch + "/v2")
        var config = try JSONDecoder().decode(ImageConfig.self, from: Data(try images.content.read(first.id)))
        config.config?.Labels = ["version": "2"]
        config.config?.ExposedPorts = ["80/tcp": EmptyObject()]
        config.config?.Entrypoint = ["/bin/sh", "-c"]
        config.config?.User = "1000:1000"
        let encoder = JSONEncoder(); encoder.outputFormatting = .sortedKeys
        let configBytes = [UInt8](try encoder.encode(config))
        let configDigest = Digest.of(configBytes)
        try FileIO.writeAtomically(configDigest.blobPath(under: scratch + "/v2"), configBytes, mode: 0o644)
        var manifest = try JSONDecoder().decode(Manifest.self, from: Data(try images.content.read(first.manifest)))
        manifest.config = Descriptor(mediaType: MediaType.ociConfig, digest: configDigest.description, size: Int64(configBytes.count))
        let manifestBytes = [UInt8](try encoder.encode(manifest))
        let manifestDigest = Digest.of(manifestBytes)
        try FileIO.writeAtomically(manifestDigest.blobPath(under: scratch + "/v2"), manifestBytes, mode: 0o644)
        let index = Index(manifests: [Descriptor(mediaType: MediaType.ociManifest, digest: manifestDigest.description,
                                                 size: Int64(manifestBytes.count), annotations: [ImageAnnotation.refName: "latest"])])
        try FileIO.writeAtomically(scratch + "/v2/index.json", [UInt8](try encoder.encode(index)), mode: 0o644)

        let second = try images.importOCILayout(directory: scratch + "/v2", baseName: "busybox")[0]
        XCTAssertEqual(second.id, configDigest)
        XCTAssertEqual(try images.resolve("busybox").id, configDigest)
        let details = try images.inspect("busybox")
        XCTAssertEqual(details.labels, ["version": "2"])
        XCTAssertEqual(details.exposedPorts, ["80/tcp"])
        XCTAssertEqual(details.entrypoint, ["/bin/sh", "-c"])
        XCTAssertEqual(details.user, "1000:1000")
        // The old image stays, untagged (a container may still use it), until removed by ID.
        XCTAssertEqual(try images.resolve(first.id.description).names, [])
        XCTAssertEqual(images.list().count, 2)
        XCTAssertTrue(try images.remove(first.id.description))
        let freed = try images.collectGarbage()
        XCTAssertEqual(Set(freed), [first.id, first.manifest], "the shared layer stays")
    }
}
