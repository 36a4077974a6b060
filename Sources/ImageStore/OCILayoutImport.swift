// Importing images from an OCI image layout (oci-layout, index.json, blobs/sha256/...), as a
// directory or as a tar of one. Each index.json entry becomes one image: from an index (or a
// Docker manifest list) the manifest for this node's platform is chosen, and only that
// manifest's config and layers are stored. Every blob is checked against the digest and size
// its parent promised before it becomes visible; any failure removes what the import added.
import Foundation
import OCISpec
import RuntimeCore

extension ImageIndex {
    /// Imports every image listed in a layout directory's index.json. A tag-only ref name
    /// ("latest") becomes `baseName:tag`; without a base name such an image is untagged.
    @discardableResult
    public func importOCILayout(directory: String, baseName: String? = nil,
                                platform: Platform = HostPlatform.current) throws -> [ImageRecord] {
        let source = LayoutDirectory(root: directory)
        let layoutFile = joinPath(directory, "oci-layout")
        guard FileIO.exists(layoutFile) else {
            throw RuntimeError("import \(directory): not an OCI image layout (no oci-layout file)")
        }
        try LayoutImport.checkLayoutVersion(try FileIO.read(layoutFile), label: directory)
        let indexBytes = try FileIO.read(joinPath(directory, "index.json"))
        return try runImport { session in
            try LayoutImport(source: source, session: session, platform: platform)
                .importAll(indexJSON: indexBytes, baseName: baseName)
        }
    }

    /// Imports an OCI layout packed in a tar (`skopeo copy ... oci-archive:`, `podman save --format oci-archive`).
    @discardableResult
    public func importOCIArchive(_ path: String, baseName: String? = nil,
                                 platform: Platform = HostPlatform.current) throws -> [ImageRecord] {
        try runImport { session in
            let ingest = try ArchiveIngest(archivePath: path, content: content, session: session)
            let layout = try ingest.smallContents("oci-layout", archive: path)
            try LayoutImport.checkLayoutVersion(layout, label: path)
            let indexBytes = try ingest.smallContents("index.json", archive: path)
            let source = LayoutArchive(label: path, ingest: ingest)
            return try LayoutImport(source: source, session: session, platform: platform)
                .importAll(indexJSON: indexBytes, baseName: baseName)
        }
    }
}

/// Where a layout's blobs come from: a directory, or an archive already streamed into the store.
protocol LayoutBlobSource {
    var label: String { get }
    func has(_ digest: Digest) -> Bool
    /// A small blob's bytes, verified against digest and size.
    func bytes(_ digest: Digest, size: Int64) throws -> [UInt8]
    /// Makes the blob present, verified, in the content store.
    func store(_ digest: Digest, size: Int64, session: ImportSession) throws
}

struct LayoutDirectory: LayoutBlobSource {
    let root: String
    var label: String { root }

    func has(_ digest: Digest) -> Bool { FileIO.exists(digest.blobPath(under: root)) }

    func bytes(_ digest: Digest, size: Int64) throws -> [UInt8] {
        let path = digest.blobPath(under: root)
        guard FileIO.exists(path) else { throw RuntimeError("import \(root): blob \(digest) is missing from the layout") }
        let bytes = try FileIO.read(path)
        try LayoutImport.verify(bytes, digest: digest, size: size, label: root)
        return bytes
    }

    func store(_ digest: Digest, size: Int64, session: ImportSession) throws {
        let path = digest.blobPath(under: root)
        guard FileIO.exists(path) else { throw RuntimeError("import \(root): blob \(digest) is missing from the layout") }
        try session.store(fileAt: path, expected: digest, size: size, what: "import \(root): blob \(digest)")
    }
}

struct LayoutArchive: LayoutBlobSource {
    let label: String
    let ingest: ArchiveIngest

    private func memberPath(_ d: Digest) -> String { "blobs/\(Digest.algorithm)/\(d.hex)" }

    func has(_ digest: Digest) -> Bool { ingest.member(memberPath(digest)) != nil }

    /// The member was hashed as it streamed in; its name and its manifest must both agree.
    private func check(_ digest: Digest, size: Int64) throws {
        guard let (_, m) = ingest.member(memberPath(digest)) else {
            throw RuntimeError("import \(label): blob \(digest) is missing from the archive")
        }
        guard m.digest == digest else {
            throw RuntimeError("import \(label): blob \(digest): digest mismatch: expected \(digest), got \(m.digest)")
        }
        guard m.size == size else {
            throw RuntimeError("import \(label): blob \(digest): size mismatch: expected \(size), got \(m.size)")
        }
    }

    func bytes(_ digest: Digest, size: Int64) throws -> [UInt8] {
        try check(digest, size: size)
        return try ingest.smallContents(memberPath(digest), archive: label)
    }

    func store(_ digest: Digest, size: Int64, session: ImportSession) throws {
        try check(digest, size: size)  // already in the store under its computed digest
    }
}

/// The walk from index.json to stored manifests, configs and layers.
struct LayoutImport {
    let source: LayoutBlobSource
    let session: ImportSession
    let platform: Platform

    static func checkLayoutVersion(_ bytes: [UInt8], label: String) throws {
        struct LayoutFile: Decodable { var imageLayoutVersion: String }
        guard let f = try? JSONDecoder().decode(LayoutFile.self, from: Data(bytes)) else {
            throw RuntimeError("import \(label): oci-layout is not valid JSON with imageLayoutVersion")
        }
        guard f.imageLayoutVersion.hasPrefix("1.") else {
            throw RuntimeError("import \(label): unsupported imageLayoutVersion \(f.imageLayoutVersion)")
        }
    }

    static func verify(_ bytes: [UInt8], digest: Digest, size: Int64?, label: String) throws {
        let actual = Digest.of(bytes)
        guard actual == digest else {
            throw RuntimeError("import \(label): blob \(digest): digest mismatch: expected \(digest), got \(actual)")
        }
        if let size, Int64(bytes.count) != size {
            throw RuntimeError("import \(label): blob \(digest): size mismatch: expected \(size), got \(bytes.count)")
        }
    }

    func importAll(indexJSON: [UInt8], baseName: String?) throws -> [ImageRecord] {
        let index: Index
        do { index = try JSONDecoder().decode(Index.self, from: Data(indexJSON)) } catch {
            throw RuntimeError("import \(source.label): index.json does not decode: \(error)")
        }
        guard !index.manifests.isEmpty else { throw RuntimeError("import \(source.label): index.json lists no images") }
        return try index.manifests.map { entry in
            try importImage(entry, names: try LayoutImport.names(for: entry, baseName: baseName, label: source.label))
        }
    }

    /// containerd's full-name annotation wins; a ref name with '/', ':' or '@' is a full
    /// reference; otherwise it is a tag for `baseName`.
    static func names(for entry: Descriptor, baseName: String?, label: String) throws -> [String] {
        let a = entry.annotations ?? [:]
        if let full = a[ImageAnnotation.containerdImageName] { return [try ImageReference(parsing: full).description] }
        guard let refName = a[ImageAnnotation.refName] else {
            return try baseName.map { [try ImageReference(parsing: $0).description] } ?? []
        }
        if refName.contains("/") || refName.contains(":") || refName.contains("@") {
            return [try ImageReference(parsing: refName).description]
        }
        guard let baseName else { return [] }
        let base = try ImageReference(parsing: baseName)
        return [try base.withTag(refName).description]
    }

    func importImage(_ entry: Descriptor, names: [String]) throws -> ImageRecord {
        let target = try parse(entry.digest)
        var current = entry
        var size: Int64 = 0
        // Indexes may nest (an index of indexes); a few levels is plenty.
        for _ in 0..<4 {
            let digest = try parse(current.digest)
            let bytes = try source.bytes(digest, size: current.size)
            let probe = try? JSONDecoder().decode(MediaTypeProbe.self, from: Data(bytes))
            let mediaType = probe?.mediaType ?? current.mediaType
            if MediaType.isIndex(mediaType) || (probe?.manifests != nil && !MediaType.isManifest(mediaType)) {
                let index = try decode(Index.self, bytes, what: "index \(digest)")
                try source.store(digest, size: current.size, session: session)
                size += current.size
                current = try choose(from: index, digest: digest)
                continue
            }
            let manifest = try decode(Manifest.self, bytes, what: "manifest \(digest)")
            try source.store(digest, size: current.size, session: session)
            size += current.size
            let configDigest = try parse(manifest.config.digest)
            let configBytes = try source.bytes(configDigest, size: manifest.config.size)
            let config = try decode(ImageConfig.self, configBytes, what: "config \(configDigest)")
            guard config.rootfs.diffIDs.count == manifest.layers.count else {
                throw RuntimeError("import \(source.label): manifest \(digest) has \(manifest.layers.count) layers but its config lists \(config.rootfs.diffIDs.count) diff_ids")
            }
            try source.store(configDigest, size: manifest.config.size, session: session)
            size += manifest.config.size
            for layer in manifest.layers {
                let d = try parse(layer.digest)
                // Foreign layers may be left out of a layout: they are fetched from their URLs.
                if MediaType.isForeignLayer(layer.mediaType) && !source.has(d) { continue }
                try source.store(d, size: layer.size, session: session)
                size += layer.size
            }
            return ImageRecord(id: configDigest, target: target, targetMediaType: entry.mediaType, manifest: digest,
                               names: names, size: size, importedAt: ImageIndex.now())
        }
        throw RuntimeError("import \(source.label): image \(entry.digest): indexes nested too deeply")
    }

    /// The manifest for `platform`: an exact variant match first, then any that matches;
    /// entries without a platform are judged by their config.
    private func choose(from index: Index, digest: Digest) throws -> Descriptor {
        let withPlatform = index.manifests.filter { d in d.platform.map { HostPlatform.matches($0, wanted: platform) } ?? false }
        if let exact = withPlatform.first(where: { $0.platform?.variant == platform.variant }) { return exact }
        if let any = withPlatform.first { return any }
        for d in index.manifests where d.platform == nil && MediaType.isManifest(d.mediaType) {
            guard let md = try? parse(d.digest), let mb = try? source.bytes(md, size: d.size),
                  let m = try? JSONDecoder().decode(Manifest.self, from: Data(mb)),
                  let cd = try? parse(m.config.digest), let cb = try? source.bytes(cd, size: m.config.size),
                  let c = try? JSONDecoder().decode(ImageConfig.self, from: Data(cb)) else { continue }
            if HostPlatform.matches(Platform(architecture: c.architecture, os: c.os, variant: c.variant), wanted: platform) { return d }
        }
        let want = [platform.os, platform.architecture, platform.variant].compactMap { $0 }.joined(separator: "/")
        throw RuntimeError("import \(source.label): index \(digest) has no manifest for \(want)")
    }

    private func parse(_ text: String) throws -> Digest {
        do { return try Digest(parsing: text) } catch { throw RuntimeError("import \(source.label): \(error)") }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], what: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(bytes)) } catch {
            throw RuntimeError("import \(source.label): \(what) does not decode: \(error)")
        }
    }
}
