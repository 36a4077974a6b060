// What skiff-cri implements: one async method per ImageService RPC.

/// The CRI ImageService: list, inspect, pull and remove images, and image filesystem usage.
/// Every method has a default that answers Unimplemented, so a server implements what it
/// supports and the rest fail clearly.
public protocol ImageServiceHandler: Sendable {
    func listImages(_ request: ListImagesRequest) async throws -> ListImagesResponse
    func imageStatus(_ request: ImageStatusRequest) async throws -> ImageStatusResponse
    func pullImage(_ request: PullImageRequest) async throws -> PullImageResponse
    func removeImage(_ request: RemoveImageRequest) async throws -> RemoveImageResponse
    func imageFsInfo(_ request: ImageFsInfoRequest) async throws -> ImageFsInfoResponse
}

extension ImageServiceHandler {
    public func listImages(_ request: ListImagesRequest) async throws -> ListImagesResponse {
        throw CRIError.unimplemented("ImageService/ListImages is not implemented")
    }
    public func imageStatus(_ request: ImageStatusRequest) async throws -> ImageStatusResponse {
        throw CRIError.unimplemented("ImageService/ImageStatus is not implemented")
    }
    public func pullImage(_ request: PullImageRequest) async throws -> PullImageResponse {
        throw CRIError.unimplemented("ImageService/PullImage is not implemented")
    }
    public func removeImage(_ request: RemoveImageRequest) async throws -> RemoveImageResponse {
        throw CRIError.unimplemented("ImageService/RemoveImage is not implemented")
    }
    public func imageFsInfo(_ request: ImageFsInfoRequest) async throws -> ImageFsInfoResponse {
        throw CRIError.unimplemented("ImageService/ImageFsInfo is not implemented")
    }
}
