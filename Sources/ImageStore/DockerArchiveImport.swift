// Importing a `docker save` archive (manifest.json naming each image's config, tags and layer
// tars). Such an archive has no registry manifest, so one is made: a Docker schema 2 manifest
// over the stored config and layers, encoded with sorted keys so that importing the same
// archive twice gives the same manifest digest. The image ID is the config's digest, as docker's.
// Layers are checked against the config's diff_ids (an uncompressed layer's digest is its
// diffID); a compressed layer's diffID is checked when it is unpacked.
import Foundation
import OCISpec
import RuntimeCore

extension ImageIndex {
    @discardableResult
    public func importDockerArchive(_ path: String) throws -> [ImageRecord] {
        try runImport { session in
            let ingest = try ArchiveIngest(archivePath: path, content: content, session: session)
            let manifestBytes = try ingest.smallContents("manifest.json", archive: path)
            let entries: [DockerArchiveEntry]
            do { entries = try JSONDecoder().decode([DockerArchiveEntry].self, from: Data(manifestBytes)) } catch {
                throw RuntimeError("import \(path): manifest.json does not decode: \(error)")
            }
            guard !entries.isEmpty else { throw RuntimeError("import \(path): manifest.json lists no images") }
            return try entries.map { try DockerArchiveImport(label: path, ingest: ingest, session: session).importImage($0) }
        }
    }
}

/// One element of a docker-save manifest.json.
struct DockerArchiveEntry: Decodable {
    var Config: String
    var RepoTags: [String]?
    var Layers: [String]
}

struct DockerArchiveImport {
    let label: String
    let ingest: ArchiveIngest
    let session: ImportSession

    func importImage(_ entry: DockerArchiveEntry) throws -> ImageRecord {
        guard let (_, configMember) = ingest.member(entry.Config) else {
            throw RuntimeError("import \(label): config \(entry.Config) is missing from the archive")
        }
        try checkNamedDigest(entry.Config, configMember, what: "config")
        let configBytes = try ingest.smallContents(entry.Config, archive: label)
        let config: ImageConfig
        do { config = try JSONDecoder().decode(ImageConfig.self, from: Data(configBytes)) } catch {
            throw RuntimeError("import \(label): config \(entry.Config) does not decode: \(error)")
        }
        guard config.rootfs.diffIDs.count == entry.Layers.count else {
            throw RuntimeError("import \(label): \(entry.Config) lists \(config.rootfs.diffIDs.count) diff_ids but manifest.json has \(entry.Layers.count) layers")
        }

        var layers: [Descriptor] = []
        for (i, layerPath) in entry.Layers.enumerated() {
            guard let (_, m) = ingest.member(layerPath) else {
                throw RuntimeError("import \(label): layer \(layerPath) is missing from the archive")
            }
            let mediaType: String
            if m.head.starts(with: [0x1f, 0x8b]) {
                mediaType = MediaType.dockerLayerTarGzip
                try checkNamedDigest(layerPath, m, what: "layer")
            } else if m.head.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) {
                mediaType = MediaType.ociLayerTarZstd
                try checkNamedDigest(layerPath, m, what: "layer")
            } else {
                mediaType = MediaType.dockerLayerTar
                let diffID = config.rootfs.diffIDs[i]
                guard diffID == m.digest.description else {
                    throw RuntimeError("import \(label): layer \(layerPath): digest mismatch: expected \(diffID) (diff_ids[\(i)]), got \(m.digest)")
                }
            }
            layers.append(Descriptor(mediaType: mediaType, digest: m.digest.description, size: m.size))
        }

        let manifest = Manifest(mediaType: MediaType.dockerManifest,
                                config: Descriptor(mediaType: MediaType.dockerConfig,
                                                   digest: configMember.digest.description, size: configMember.size),
                                layers: layers)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let manifestBytes = [UInt8](try encoder.encode(manifest))
        let manifestDigest = try session.store(manifestBytes)

        var names: [String] = []
        for tag in entry.RepoTags ?? [] {
            do { names.append(try ImageReference(parsing: tag).description) } catch {
                throw RuntimeError("import \(label): RepoTags: \(error)")
            }
        }
        let size = Int64(manifestBytes.count) + configMember.size + layers.reduce(0) { $0 + $1.size }
        return ImageRecord(id: configMember.digest, target: manifestDigest, targetMediaType: MediaType.dockerManifest,
                           manifest: manifestDigest, names: names, size: size, importedAt: ImageIndex.now())
    }

    /// Members named after a digest ("<hex>.json", "blobs/sha256/<hex>") must hash to it.
    private func checkNamedDigest(_ path: String, _ m: ArchiveMember, what: String) throws {
        var base = Substring(path.split(separator: "/").last ?? "")
        for ext in [".json", ".tar.gz", ".tar"] where base.hasSuffix(ext) { base = base.dropLast(ext.count); break }
        guard base.utf8.count == 64, let named = try? Digest(parsing: "\(Digest.algorithm):\(base)") else { return }
        guard named == m.digest else {
            throw RuntimeError("import \(label): \(what) \(path): digest mismatch: expected \(named), got \(m.digest)")
        }
    }
}
