// `skiffctl images`: one row per tag (untagged images as <none>), as crictl lists them.
import CRIAPI

public struct ListImages: Sendable {
    /// REPOSITORY[:TAG]: only this image.
    public var filter: String?
    public var quiet = false
    public var digests = false
    public var noTrunc = false
    public var output: OutputFormat = .table

    public init() {}

    public func run(_ context: CtlContext) async throws {
        var request = ListImagesRequest()
        if let filter { request.filter.image.image = filter }
        let images = try await CtlError.during("listing images") {
            try await context.images.listImages(request).images
        }.sorted { ($0.repoTags.first ?? "~" + $0.id) < ($1.repoTags.first ?? "~" + $1.id) }
        if quiet {
            for image in images { context.console.line(image.id) }
            return
        }
        switch output {
        case .json, .yaml:
            context.console.write(try Document.text(encoding: ListImagesResponse(images: images), output))
        case .table:
            context.console.write(table(images).text)
        }
    }

    func table(_ images: [CRIAPI.Image]) -> TextTable {
        var table = TextTable(digests ? ["IMAGE", "TAG", "DIGEST", "IMAGE ID", "SIZE"] : ["IMAGE", "TAG", "IMAGE ID", "SIZE"])
        for image in images {
            let id = noTrunc ? image.id : HumanUnits.shortImageID(image.id)
            let size = HumanUnits.size(image.size)
            let digest = image.repoDigests.first.map { Self.split($0).tagOrDigest } ?? "<none>"
            let shownDigest = noTrunc || digest == "<none>" ? digest : HumanUnits.shortImageID(digest)
            let names = image.repoTags.isEmpty
                ? image.repoDigests.prefix(1).map { (Self.split($0).repository, "<none>") }
                : image.repoTags.map { (Self.split($0).repository, Self.split($0).tagOrDigest) }
            for (repository, tag) in names.isEmpty ? [("<none>", "<none>")] : names {
                table.append(digests ? [repository, tag, shownDigest, id, size] : [repository, tag, id, size])
            }
        }
        return table
    }

    /// "registry:5000/a/b:1" → ("registry:5000/a/b", "1"); "a/b@sha256:…" → ("a/b", "sha256:…").
    static func split(_ reference: String) -> (repository: String, tagOrDigest: String) {
        if let at = reference.firstIndex(of: "@") {
            return (String(reference[..<at]), String(reference[reference.index(after: at)...]))
        }
        let lastSlash = reference.lastIndex(of: "/")
        if let colon = reference.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            return (String(reference[..<colon]), String(reference[reference.index(after: colon)...]))
        }
        return (reference, "<none>")
    }
}

/// `skiffctl imagefsinfo`: the space and inodes the image store uses.
public struct ShowImageFsInfo: Sendable {
    public var output: OutputFormat = .json

    public init() {}

    public func run(_ context: CtlContext) async throws {
        let response = try await CtlError.during("image filesystem info") { try await context.images.imageFsInfo() }
        guard output == .table else {
            context.console.write(try Document.text(encoding: response, output))
            return
        }
        var table = TextTable(["MOUNTPOINT", "USED", "INODES"])
        for fs in response.imageFilesystems + response.containerFilesystems {
            table.append([fs.fsId.mountpoint, (fs.usedBytes?.value).map(HumanUnits.size) ?? "-",
                          (fs.inodesUsed?.value).map(String.init) ?? "-"])
        }
        context.console.write(table.text)
    }
}
