import XCTest
import OCISpec
import RuntimeCore
@testable import ImageStore

final class ImageImportTests: XCTestCase {
    /// The test layout's single manifest and its config digest (the image ID).
    private func layoutIDs(_ layout: String) throws -> (manifest: Digest, config: Digest, layer: Digest) {
        let index = try JSONDecoder().decode(Index.self, from: Data(try FileIO.read(layout + "/index.json")))
        let m = try Digest(parsing: index.manifests[0].digest)
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(try FileIO.read(m.blobPath(under: layout))))
        return (m, try Digest(parsing: manifest.config.digest), try Digest(parsing: manifest.layers[0].digest))
    }

    private func assertBusybox(_ images: ImageIndex, _ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let details = try images.inspect(text)
        XCTAssertEqual(details.cmd, ["sh"], file: file, line: line)
        XCTAssertEqual(details.entrypoint, [], file: file, line: line)
        XCTAssertTrue(details.env.contains { $0.hasPrefix("PATH=") }, "\(details.env)", file: file, line: line)
        XCTAssertEqual(details.workingDir, "/", file: file, line: line)
        XCTAssertEqual(details.user, "", file: file, line: line)
        XCTAssertEqual(details.labels, [:], file: file, line: line)
        XCTAssertEqual(details.exposedPorts, [], file: file, line: line)
        XCTAssertEqual(details.platform.os, "linux", file: file, line: line)
    }

    func testImportOCILayoutDirectoryListInspectAndReopen() throws {
        let layout = try ImageFixtures.testOCILayout()
        let root = try ImageFixtures.scratchDirectory(self)
        let ids = try layoutIDs(layout)
        let images = try ImageIndex(root: root)
        let imported = try images.importOCILayout(directory: layout, baseName: "busybox")
        XCTAssertEqual(imported.count, 1)
        XCTAssertEqual(imported[0].id, ids.config)
        XCTAssertEqual(imported[0].manifest, ids.manifest)
        XCTAssertEqual(imported[0].names, ["docker.io/library/busybox:latest"])
        XCTAssertEqual(imported[0].repoTags, ["docker.io/library/busybox:latest"])
        XCTAssertEqual(imported[0].repoDigests, ["docker.io/library/busybox@\(ids.manifest)"])
        XCTAssertEqual(Set(images.content.list()), [ids.manifest, ids.config, ids.layer])
        XCTAssertEqual(try images.content.size(ids.layer), try ImageFixtures.fileSize(ids.layer.blobPath(under: layout)))
        try assertBusybox(images, "busybox")

        // Every way a user names it finds the same image.
        for text in ["busybox:latest", "docker.io/library/busybox", ids.config.description, String(ids.config.hex.prefix(12)),
                     "busybox@\(ids.manifest)"] {
            XCTAssertEqual(try images.resolve(text).id, ids.config, text)
        }
        ImageFixtures.assertThrows(try images.resolve("busybox:other"), containing: ["busybox:other", "not found"])

        // A second open (a daemon restart) sees the same images.
        let reopened = try ImageIndex(root: root)
        XCTAssertEqual(reopened.list(), images.list())
        try assertBusybox(reopened, "busybox")
    }

    func testImportOCILayoutTar() throws {
        let layout = try ImageFixtures.testOCILayout()
        let scratch = try ImageFixtures.scratchDirectory(self)
        try ImageFixtures.runTool("tar", ["-C", layout, "-cf", scratch + "/busybox-oci.tar", "."])
        let images = try ImageIndex(root: scratch + "/store")
        let imported = try images.importOCIArchive(scratch + "/busybox-oci.tar", baseName: "localhost:5000/test/busybox")
        XCTAssertEqual(imported.map(\.id), [try layoutIDs(layout).config])
        XCTAssertEqual(imported[0].names, ["localhost:5000/test/busybox:latest"])
        XCTAssertEqual(images.content.list().count, 3, "index.json and oci-layout are not left as blobs")
        XCTAssertEqual(FileIO.list(scratch + "/store/content/ingest"), [])
        try assertBusybox(images, "localhost:5000/test/busybox")
    }

    func testImportDockerSaveArchive() throws {
        let layout = try ImageFixtures.testOCILayout()
        let scratch = try ImageFixtures.scratchDirectory(self)
        let archive = scratch + "/busybox-docker.tar"
        try ImageFixtures.runTool("skopeo", ["copy", "--quiet", "oci:\(layout):latest", "docker-archive:\(archive):busybox:latest"])
        let images = try ImageIndex(root: scratch + "/store")
        let imported = try images.importDockerArchive(archive)
        XCTAssertEqual(imported.count, 1)
        XCTAssertEqual(imported[0].id, try layoutIDs(layout).config, "the image ID is the config digest")
        XCTAssertEqual(imported[0].names, ["docker.io/library/busybox:latest"])
        try assertBusybox(images, "busybox:latest")

        // The made-up manifest points at an uncompressed layer whose digest is the diffID.
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(try images.content.read(imported[0].manifest)))
        XCTAssertEqual(manifest.mediaType, MediaType.dockerManifest)
        XCTAssertEqual(manifest.layers.map(\.mediaType), [MediaType.dockerLayerTar])
        let config = try images.inspect("busybox").config
        XCTAssertEqual(manifest.layers.map(\.digest), config.rootfs.diffIDs)
        XCTAssertEqual(Set(images.content.list()), Set([imported[0].manifest, imported[0].id] + (try manifest.layers.map { try Digest(parsing: $0.digest) })))

        // Importing again gives the same manifest digest: nothing new, nothing duplicated.
        let again = try images.importDockerArchive(archive)
        XCTAssertEqual(again.map(\.manifest), imported.map(\.manifest))
        XCTAssertEqual(images.list().count, 1)
    }

    func testTamperedLayoutBlobFailsCleanly() throws {
        let layout = try ImageFixtures.testOCILayout()
        let scratch = try ImageFixtures.scratchDirectory(self)
        try ImageFixtures.copyTree(layout, scratch + "/layout")
        let layer = try layoutIDs(layout).layer
        let path = layer.blobPath(under: scratch + "/layout")
        chmod(path, 0o644)
        var bytes = try FileIO.read(path)
        bytes[bytes.count / 2] ^= 0xff  // same size, other content
        try FileIO.writeAtomically(path, bytes)

        let images = try ImageIndex(root: scratch + "/store")
        ImageFixtures.assertThrows(try images.importOCILayout(directory: scratch + "/layout", baseName: "busybox"),
                     containing: ["digest mismatch", "expected \(layer)", "got \(Digest.of(bytes))"])
        XCTAssertEqual(images.list().count, 0)
        XCTAssertEqual(images.content.list(), [], "the manifest and config stored before the bad layer are gone too")
        XCTAssertEqual(FileIO.list(scratch + "/store/content/ingest"), [])

        // The same layout as a tar: the blob is hashed while it streams in, then refused.
        try ImageFixtures.runTool("tar", ["-C", scratch + "/layout", "-cf", scratch + "/tampered.tar", "."])
        ImageFixtures.assertThrows(try images.importOCIArchive(scratch + "/tampered.tar", baseName: "busybox"),
                     containing: ["digest mismatch", "expected \(layer)"])
        XCTAssertEqual(images.list().count, 0)
        XCTAssertEqual(images.content.list(), [])
        XCTAssertEqual(try ImageIndex(root: scratch + "/store").list().count, 0)
    }

    func testTamperedDockerArchiveLayerFailsCleanly() throws {
        let layout = try ImageFixtures.testOCILayout()
        let scratch = try ImageFixtures.scratchDirectory(self)
        try ImageFixtures.runTool("skopeo", ["copy", "--quiet", "oci:\(layout):latest", "docker-archive:\(scratch)/good.tar:busybox:latest"])
        try ImageFixtures.runTool("mkdir", [scratch + "/x"])
        try ImageFixtures.runTool("tar", ["-C", scratch + "/x", "-xf", scratch + "/good.tar"])
        let manifest = try JSONDecoder().decode([DockerArchiveEntry].self, from: Data(try FileIO.read(scratch + "/x/manifest.json")))
        let layerPath = scratch + "/x/" + manifest[0].Layers[0]
        chmod(layerPath, 0o644)
        var bytes = try FileIO.read(layerPath)
        bytes[600] ^= 0x01
        try FileIO.writeAtomically(layerPath, bytes)
        try ImageFixtures.runTool("tar", ["-C", scratch + "/x", "-cf", scratch + "/bad.tar", "."])

        let images = try ImageIndex(root: scratch + "/store")
        ImageFixtures.assertThrows(try images.importDockerArchive(scratch + "/bad.tar"), containing: ["digest mismatch", "diff_ids[0]"])
        XCTAssertEqual(images.list().count, 0)
        XCTAssertEqual(images.content.list(), [])
    }

    func testCutOffOrCompressedArchiveIsRefusedAndLeavesNothing() throws {
        let layout = try ImageFixtures.testOCILayout()
        let scratch = try ImageFixtures.scratchDirectory(self)
        try ImageFixtures.runTool("tar", ["-C", layout, "-cf", scratch + "/full.tar", "."])
        let full = try FileIO.read(scratch + "/full.tar")
        try FileIO.writeAtomically(scratch + "/cut.tar", Array(full[0..<(full.count / 2)]))
        let images = try ImageIndex(root: scratch + "/store")
        ImageFixtures.assertThrows(try images.importOCIArchive(scratch + "/cut.tar", baseName: "busybox"),
                     containing: ["cut.tar", "truncated"])
        XCTAssertEqual(images.list().count, 0)
        XCTAssertEqual(images.content.list(), [], "members read before the cut are deleted again")
        XCTAssertEqual(FileIO.list(scratch + "/store/content/ingest"), [])

        try ImageFixtures.runTool("gzip", ["-k", scratch + "/full.tar"])
        ImageFixtures.assertThrows(try images.importOCIArchive(scratch + "/full.tar.gz", baseName: "busybox"),
                     containing: ["full.tar.gz", "gzip-compressed"])
        ImageFixtures.assertThrows(try images.importOCILayout(directory: scratch, baseName: "busybox"),
                     containing: [scratch, "not an OCI image layout"])
    }

    /// An index with a decoy manifest for another architecture: only this node's is stored.
    func testIndexPicksThisPlatformsManifest() throws {
        try checkIndexPicksThisPlatformsManifest(realHasPlatform: true)
    }

    /// Without a platform in the index, the manifest's config tells its platform.
    func testIndexEntryWithoutPlatformIsJudgedByItsConfig() throws {
        try checkIndexPicksThisPlatformsManifest(realHasPlatform: false)
    }

    func testHostPlatformNames() {
        XCTAssertEqual(HostPlatform.platform(forMachine: "x86_64"), Platform(architecture: "amd64", os: "linux"))
        XCTAssertEqual(HostPlatform.platform(forMachine: "aarch64"), Platform(architecture: "arm64", os: "linux", variant: "v8"))
        let arm64 = Platform(architecture: "arm64", os: "linux", variant: "v8")
        XCTAssertTrue(HostPlatform.matches(Platform(architecture: "arm64", os: "linux"), wanted: arm64))
        XCTAssertFalse(HostPlatform.matches(Platform(architecture: "arm64", os: "linux", variant: "v7"), wanted: arm64))
        XCTAssertFalse(HostPlatform.matches(Platform(architecture: "arm64", os: "windows"), wanted: arm64))
        XCTAssertTrue(["amd64", "arm64"].contains(HostPlatform.current.architecture), "\(HostPlatform.current)")
    }

    private func checkIndexPicksThisPlatformsManifest(realHasPlatform: Bool) throws {
        let layout = try ImageFixtures.testOCILayout()
        let scratch = try ImageFixtures.scratchDirectory(self)
        let dir = scratch + "/multi"
        try ImageFixtures.copyTree(layout, dir)
        let ids = try layoutIDs(layout)
        let host = HostPlatform.current
        let other = Platform(architecture: host.architecture == "s390x" ? "ppc64le" : "s390x", os: "linux")

        func putBlob(_ bytes: [UInt8]) throws -> Descriptor {
            let d = Digest.of(bytes)
            try FileIO.writeAtomically(d.blobPath(under: dir), bytes, mode: 0o644)
            return Descriptor(mediaType: "", digest: d.description, size: Int64(bytes.count))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var realConfig = try JSONDecoder().decode(ImageConfig.self, from: Data(try FileIO.read(ids.config.blobPath(under: layout))))
        realConfig.architecture = other.architecture
        var decoyConfig = try putBlob([UInt8](try encoder.encode(realConfig)))
        decoyConfig.mediaType = MediaType.ociConfig
        var realManifest = try JSONDecoder().decode(Manifest.self, from: Data(try FileIO.read(ids.manifest.blobPath(under: layout))))
        realManifest.config = decoyConfig
        var decoy = try putBlob([UInt8](try encoder.encode(realManifest)))
        decoy.mediaType = MediaType.ociManifest; decoy.platform = other
        let real = Descriptor(mediaType: MediaType.ociManifest, digest: ids.manifest.description,
                              size: try ImageFixtures.fileSize(ids.manifest.blobPath(under: layout)), platform: realHasPlatform ? host : nil)
        var nested = try putBlob([UInt8](try encoder.encode(Index(manifests: [decoy, real]))))
        nested.mediaType = MediaType.ociIndex
        nested.annotations = [ImageAnnotation.refName: "multi"]
        try FileIO.writeAtomically(dir + "/index.json", [UInt8](try encoder.encode(Index(manifests: [nested]))), mode: 0o644)

        let images = try ImageIndex(root: scratch + "/store")
        let imported = try images.importOCILayout(directory: dir, baseName: "busybox")
        XCTAssertEqual(imported[0].names, ["docker.io/library/busybox:multi"])
        XCTAssertEqual(imported[0].id, ids.config)
        XCTAssertEqual(imported[0].manifest, ids.manifest)
        XCTAssertEqual(imported[0].target.description, nested.digest)
        XCTAssertEqual(Set(images.content.list()), [try Digest(parsing: nested.digest), ids.manifest, ids.config, ids.layer])
        XCTAssertEqual(imported[0].repoDigests, ["docker.io/library/busybox@\(nested.digest)"])
        XCTAssertEqual(try images.resolve("busybox@\(nested.digest)").id, ids.config)

        // A platform no manifest offers is an error naming it, and leaves nothing behind.
        let fresh = try ImageIndex(root: scratch + "/store2")
        ImageFixtures.assertThrows(try fresh.importOCILayout(directory: dir, baseName: "busybox",
                                               platform: Platform(architecture: "mips64", os: "linux")),
                     containing: ["no manifest for linux/mips64"])
        XCTAssertEqual(fresh.content.list(), [])
    }
}
