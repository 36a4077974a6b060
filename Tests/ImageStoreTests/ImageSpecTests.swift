import XCTest
import OCISpec

final class ImageSpecTests: XCTestCase {
    /// A Docker-style config: capitalised execution fields, sets as {} maps, nulls, extra fields.
    func testDecodesDockerConfig() throws {
        let json = """
        {"architecture":"arm64","variant":"v8","os":"linux","os.version":"1","docker_version":"24",
         "container_config":{"Hostname":"x"},
         "config":{"User":"app","ExposedPorts":{"80/tcp":{},"53/udp":{}},"Env":["A=1"],
                   "Entrypoint":["/init"],"Cmd":null,"Volumes":{"/data":{}},"WorkingDir":"/srv",
                   "Labels":{"k":"v"},"StopSignal":"SIGQUIT"},
         "rootfs":{"type":"layers","diff_ids":["sha256:aa"]},
         "history":[{"created_by":"RUN x","empty_layer":true}]}
        """
        let c = try JSONDecoder().decode(ImageConfig.self, from: Data(json.utf8))
        XCTAssertEqual(c.architecture, "arm64")
        XCTAssertEqual(c.variant, "v8")
        XCTAssertEqual(c.osVersion, "1")
        XCTAssertEqual(c.config?.User, "app")
        XCTAssertEqual(c.config?.ExposedPorts?.keys.sorted(), ["53/udp", "80/tcp"])
        XCTAssertNil(c.config?.Cmd)
        XCTAssertEqual(c.config?.Entrypoint, ["/init"])
        XCTAssertEqual(c.config?.Volumes?.keys.sorted(), ["/data"])
        XCTAssertEqual(c.config?.StopSignal, "SIGQUIT")
        XCTAssertEqual(c.rootfs.diffIDs, ["sha256:aa"])
        XCTAssertEqual(c.history?.first?.createdBy, "RUN x")
        XCTAssertEqual(c.history?.first?.emptyLayer, true)
    }

    func testEncodesSpecFieldNames() throws {
        var p = Platform(architecture: "amd64", os: "windows")
        p.osVersion = "10.0"; p.osFeatures = ["win32k"]
        let d = Descriptor(mediaType: MediaType.ociManifest, digest: "sha256:x", size: 3, platform: p)
        let encoder = JSONEncoder(); encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(Index(manifests: [d])), as: UTF8.self)
        XCTAssertTrue(text.contains("\"os.version\":\"10.0\""), text)
        XCTAssertTrue(text.contains("\"os.features\":[\"win32k\"]"), text)
        XCTAssertTrue(text.contains("\"schemaVersion\":2"), text)
        XCTAssertTrue(text.contains("\"mediaType\":\"application\\/vnd.oci.image.index.v1+json\""), text)
        let rootfs = String(decoding: try encoder.encode(ImageConfig.RootFS(diffIDs: ["sha256:a"])), as: UTF8.self)
        XCTAssertEqual(rootfs, "{\"diff_ids\":[\"sha256:a\"],\"type\":\"layers\"}")
        XCTAssertTrue(MediaType.isIndex(MediaType.dockerManifestList))
        XCTAssertTrue(MediaType.isForeignLayer(MediaType.ociForeignLayerTarGzip))
        XCTAssertFalse(MediaType.isForeignLayer(MediaType.ociLayerTarGzip))
    }
}
