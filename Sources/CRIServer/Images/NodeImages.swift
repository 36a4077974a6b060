// The CRI ImageService over the image store: pull (unpacked as it arrives), list, status,
// remove (refused while a container uses the image), and the store's filesystem usage.
import CRIAPI
import Foundation
import ImageStore
import OCISpec

public final class NodeImages: Sendable {
    let index: ImageIndex
    let insecureRegistries: Set<String>
    /// Whether some container uses an image (its ID), so RemoveImage can refuse.
    let inUse: @Sendable (String) -> Bool
    /// Where pulls fetch (nil: in this process).
    let fetcher: ImageFetcher?

    public init(index: ImageIndex, insecureRegistries: Set<String>, fetchCommand: [String]? = nil,
                inUse: @escaping @Sendable (String) -> Bool) {
        self.index = index
        self.insecureRegistries = insecureRegistries
        self.inUse = inUse
        fetcher = fetchCommand.map { command in
            let process = FetchProcess(command: command, root: index.root)
            return { try await process.fetch($0, options: $1) }
        }
    }

    public func pullImage(_ request: PullImageRequest) async throws -> PullImageResponse {
        let name = request.image.image
        guard !name.isEmpty else { throw CRIError.invalidArgument("pull: image is empty") }
        var options = PullOptions(insecureRegistries: insecureRegistries)
        if let auth = request.auth, let credentials = try Self.credentials(auth) {
            let host = (try? ImageReference(parsing: name))?.domain ?? ""
            options.credentials[auth.serverAddress.isEmpty ? host : Self.host(auth.serverAddress)] = credentials
        }
        let record: ImageRecord
        do { record = try await index.pull(name, options: options, fetcher: fetcher) } catch {
            throw CRIError.internal("pull \(name): \(error)")
        }
        var response = PullImageResponse()
        response.imageRef = record.id.description
        return response
    }

    public func listImages(_ request: ListImagesRequest) async throws -> ListImagesResponse {
        var response = ListImagesResponse()
        let filter = request.filter.image.image
        var records = index.list()
        if !filter.isEmpty {
            guard let match = try? index.resolve(filter) else { return response }
            records = records.filter { $0.id == match.id }
        }
        response.images = records.map { image($0, details: try? index.inspect($0.id.description)) }
        return response
    }

    /// A missing image is not an error: the response has no image (as CRI says).
    public func imageStatus(_ request: ImageStatusRequest) async throws -> ImageStatusResponse {
        var response = ImageStatusResponse()
        guard let details = try? index.inspect(request.image.image) else { return response }
        response.image = image(details.record, details: details)
        if request.verbose {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            response.info = ["info": String(decoding: try encoder.encode(details.config), as: UTF8.self)]
        }
        return response
    }

    public func removeImage(_ request: RemoveImageRequest) async throws -> RemoveImageResponse {
        let name = request.image.image
        guard (try? index.resolve(name)) != nil else { return RemoveImageResponse() }   // removing a missing image is fine
        do {
            let record = try index.resolve(name)
            // CRI removes the image, every name of it: the kubelet's image GC means it.
            if inUse(record.id.description) {
                throw CRIError.failedPrecondition("image \(name) (\(record.id)) is in use by a container")
            }
            try index.remove(record.id.description)
            _ = try? index.collectSnapshots()
            _ = try? index.collectGarbage()
        } catch let e as CRIError { throw e } catch {
            throw CRIError.internal("remove image \(name): \(error)")
        }
        return RemoveImageResponse()
    }

    public func imageFsInfo(_ request: ImageFsInfoRequest) async throws -> ImageFsInfoResponse {
        let usage = try await Blocking.run { [index] in try ImageStore.FilesystemUsage.of(index.root) }
        var fs = CRIAPI.FilesystemUsage()
        fs.timestamp = NodeRuntime.now()
        fs.fsId.mountpoint = usage.mountpoint
        fs.usedBytes = UInt64Value(usage.usedBytes)
        fs.inodesUsed = UInt64Value(usage.inodesUsed)
        var response = ImageFsInfoResponse()
        response.imageFilesystems = [fs]
        return response
    }

    func image(_ r: ImageRecord, details: ImageDetails?) -> CRIAPI.Image {
        var i = CRIAPI.Image()
        i.id = r.id.description
        i.repoTags = r.repoTags
        i.repoDigests = r.repoDigests
        i.size = UInt64(max(0, r.size))
        i.spec.image = r.id.description
        if let user = details?.user, !user.isEmpty {
            let first = String(user.split(separator: ":").first ?? "")
            if let uid = Int64(first) { i.uid = Int64Value(uid) } else { i.username = first }
        }
        return i
    }

    /// username/password, or "auth" (base64 of "user:password"); tokens are not supported.
    static func credentials(_ auth: AuthConfig) throws -> RegistryCredentials? {
        if !auth.username.isEmpty { return RegistryCredentials(username: auth.username, password: auth.password) }
        if !auth.auth.isEmpty {
            guard let data = Data(base64Encoded: auth.auth), let text = String(data: data, encoding: .utf8),
                  let colon = text.firstIndex(of: ":") else {
                throw CRIError.invalidArgument("pull: auth.auth is not base64 of \"user:password\"")
            }
            return RegistryCredentials(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
        }
        if !auth.identityToken.isEmpty || !auth.registryToken.isEmpty {
            throw CRIError.unimplemented("pull: identity and registry tokens are not supported; pass a username and password")
        }
        return nil
    }

    static func host(_ address: String) -> String {
        var a = Substring(address)
        for scheme in ["https://", "http://"] where a.hasPrefix(scheme) { a = a.dropFirst(scheme.count) }
        return String(a.split(separator: "/").first ?? "")
    }
}
