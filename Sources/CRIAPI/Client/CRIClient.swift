// The typed CRI client skiffctl and skiff-kubelet use: one async method per RPC.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

/// Calls skiff-cri over its Unix socket. Every failure is a CRIError: the server's own code and
/// message, Unavailable naming the socket when it cannot be reached, DeadlineExceeded when a
/// call outlasts `timeout`.
///
///     let cri = try CRIClient(endpoint: "unix:///run/skiff/cri.sock")
///     let pod = try await cri.runPodSandbox(RunPodSandboxRequest(config: config))
///     let pull = try await cri.withTimeout(.seconds(600)).pullImage(PullImageRequest(image: ImageSpec(image: "busybox")))
public struct CRIClient: Sendable {
    public let socketPath: String
    /// The longest one call may take (the event stream excepted).
    public var timeout: Duration
    private let http: UnixSocketHTTPClient

    /// The kubelet's default --runtime-request-timeout.
    public static let defaultTimeout: Duration = .seconds(120)

    public init(socketPath: String, timeout: Duration = CRIClient.defaultTimeout,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.socketPath = socketPath
        self.timeout = timeout
        http = UnixSocketHTTPClient(socketPath: socketPath, group: group)
    }

    /// A client for a crictl-style endpoint: "unix:///run/skiff/cri.sock" or an absolute path.
    public init(endpoint: String, timeout: Duration = CRIClient.defaultTimeout,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.init(socketPath: try CRIEndpoint(parsing: endpoint).socketPath, timeout: timeout, group: group)
    }

    /// The same client with another per-call timeout, for a call known to be slow (a pull).
    public func withTimeout(_ timeout: Duration) -> CRIClient {
        var client = self
        client.timeout = timeout
        return client
    }

    /// Calls any unary RPC; the typed methods below are this with the method filled in.
    public func call<Request, Response>(
        _ method: CRIMethod<Request, Response>, _ request: Request
    ) async throws -> Response {
        let body = try CRICodec.encode(request)
        let (status, answer) = try await withDeadline(method.name) {
            try await http.post(method.path, body: body)
        }
        guard status == 200 else { throw Self.error(status: status, body: answer) }
        do {
            return try CRICodec.decode(Response.self, from: answer)
        } catch let error as CRIError {
            throw CRIError(.internal, "\(socketPath) answered \(method.name) with a malformed response: \(error.message)")
        }
    }

    // MARK: - RuntimeService

    public func version(_ request: VersionRequest = VersionRequest()) async throws -> VersionResponse {
        try await call(CRIMethods.version, request)
    }

    public func runPodSandbox(_ request: RunPodSandboxRequest) async throws -> RunPodSandboxResponse {
        try await call(CRIMethods.runPodSandbox, request)
    }

    public func stopPodSandbox(_ request: StopPodSandboxRequest) async throws -> StopPodSandboxResponse {
        try await call(CRIMethods.stopPodSandbox, request)
    }

    public func removePodSandbox(_ request: RemovePodSandboxRequest) async throws -> RemovePodSandboxResponse {
        try await call(CRIMethods.removePodSandbox, request)
    }

    public func podSandboxStatus(_ request: PodSandboxStatusRequest) async throws -> PodSandboxStatusResponse {
        try await call(CRIMethods.podSandboxStatus, request)
    }

    public func listPodSandbox(_ request: ListPodSandboxRequest = ListPodSandboxRequest()) async throws -> ListPodSandboxResponse {
        try await call(CRIMethods.listPodSandbox, request)
    }

    public func createContainer(_ request: CreateContainerRequest) async throws -> CreateContainerResponse {
        try await call(CRIMethods.createContainer, request)
    }

    public func startContainer(_ request: StartContainerRequest) async throws -> StartContainerResponse {
        try await call(CRIMethods.startContainer, request)
    }

    public func stopContainer(_ request: StopContainerRequest) async throws -> StopContainerResponse {
        try await call(CRIMethods.stopContainer, request)
    }

    public func removeContainer(_ request: RemoveContainerRequest) async throws -> RemoveContainerResponse {
        try await call(CRIMethods.removeContainer, request)
    }

    public func listContainers(_ request: ListContainersRequest = ListContainersRequest()) async throws -> ListContainersResponse {
        try await call(CRIMethods.listContainers, request)
    }

    public func containerStatus(_ request: ContainerStatusRequest) async throws -> ContainerStatusResponse {
        try await call(CRIMethods.containerStatus, request)
    }

    public func updateContainerResources(_ request: UpdateContainerResourcesRequest) async throws -> UpdateContainerResourcesResponse {
        try await call(CRIMethods.updateContainerResources, request)
    }

    public func reopenContainerLog(_ request: ReopenContainerLogRequest) async throws -> ReopenContainerLogResponse {
        try await call(CRIMethods.reopenContainerLog, request)
    }

    public func execSync(_ request: ExecSyncRequest) async throws -> ExecSyncResponse {
        try await call(CRIMethods.execSync, request)
    }

    public func exec(_ request: ExecRequest) async throws -> ExecResponse {
        try await call(CRIMethods.exec, request)
    }

    public func attach(_ request: AttachRequest) async throws -> AttachResponse {
        try await call(CRIMethods.attach, request)
    }

    public func portForward(_ request: PortForwardRequest) async throws -> PortForwardResponse {
        try await call(CRIMethods.portForward, request)
    }

    public func containerStats(_ request: ContainerStatsRequest) async throws -> ContainerStatsResponse {
        try await call(CRIMethods.containerStats, request)
    }

    public func listContainerStats(_ request: ListContainerStatsRequest = ListContainerStatsRequest()) async throws -> ListContainerStatsResponse {
        try await call(CRIMethods.listContainerStats, request)
    }

    public func podSandboxStats(_ request: PodSandboxStatsRequest) async throws -> PodSandboxStatsResponse {
        try await call(CRIMethods.podSandboxStats, request)
    }

    public func listPodSandboxStats(_ request: ListPodSandboxStatsRequest = ListPodSandboxStatsRequest()) async throws -> ListPodSandboxStatsResponse {
        try await call(CRIMethods.listPodSandboxStats, request)
    }

    public func updateRuntimeConfig(_ request: UpdateRuntimeConfigRequest) async throws -> UpdateRuntimeConfigResponse {
        try await call(CRIMethods.updateRuntimeConfig, request)
    }

    public func status(_ request: StatusRequest = StatusRequest()) async throws -> StatusResponse {
        try await call(CRIMethods.status, request)
    }

    public func checkpointContainer(_ request: CheckpointContainerRequest) async throws -> CheckpointContainerResponse {
        try await call(CRIMethods.checkpointContainer, request)
    }

    public func listMetricDescriptors(_ request: ListMetricDescriptorsRequest = ListMetricDescriptorsRequest()) async throws -> ListMetricDescriptorsResponse {
        try await call(CRIMethods.listMetricDescriptors, request)
    }

    public func listPodSandboxMetrics(_ request: ListPodSandboxMetricsRequest = ListPodSandboxMetricsRequest()) async throws -> ListPodSandboxMetricsResponse {
        try await call(CRIMethods.listPodSandboxMetrics, request)
    }

    public func runtimeConfig(_ request: RuntimeConfigRequest = RuntimeConfigRequest()) async throws -> RuntimeConfigResponse {
        try await call(CRIMethods.runtimeConfig, request)
    }

    public func updatePodSandboxResources(_ request: UpdatePodSandboxResourcesRequest) async throws -> UpdatePodSandboxResourcesResponse {
        try await call(CRIMethods.updatePodSandboxResources, request)
    }

    /// Container lifecycle events as they happen, until the caller stops iterating (which
    /// closes the connection), the server ends the stream, or the connection fails.
    public func containerEvents(
        _ request: GetEventsRequest = GetEventsRequest()
    ) -> AsyncThrowingStream<ContainerEventResponse, any Error> {
        stream(CRIMethods.getContainerEvents, request)
    }

    // MARK: - ImageService

    public func listImages(_ request: ListImagesRequest = ListImagesRequest()) async throws -> ListImagesResponse {
        try await call(CRIMethods.listImages, request)
    }

    public func imageStatus(_ request: ImageStatusRequest) async throws -> ImageStatusResponse {
        try await call(CRIMethods.imageStatus, request)
    }

    public func pullImage(_ request: PullImageRequest) async throws -> PullImageResponse {
        try await call(CRIMethods.pullImage, request)
    }

    public func removeImage(_ request: RemoveImageRequest) async throws -> RemoveImageResponse {
        try await call(CRIMethods.removeImage, request)
    }

    public func imageFsInfo(_ request: ImageFsInfoRequest = ImageFsInfoRequest()) async throws -> ImageFsInfoResponse {
        try await call(CRIMethods.imageFsInfo, request)
    }

    // MARK: - Plumbing

    /// Any server-streaming RPC, as an AsyncThrowingStream of its responses.
    public func stream<Request, Response>(
        _ method: CRIStreamMethod<Request, Response>, _ request: Request
    ) -> AsyncThrowingStream<Response, any Error> {
        let (responses, continuation) = AsyncThrowingStream<Response, any Error>.makeStream()
        let task = Task { [http, socketPath] in
            do {
                let body = try CRICodec.encode(request)
                try await http.post(method.path, body: body) { status, parts in
                    guard status == 200 else {
                        var answer = ByteBuffer()
                        while let part = try await parts.next() {
                            if case .body(var chunk) = part { answer.writeBuffer(&chunk) }
                        }
                        throw Self.error(status: status, body: Data(answer.readableBytesView))
                    }
                    var lines = NDJSONLines()
                    while let part = try await parts.next() {
                        switch part {
                        case .head: break
                        case .body(let chunk):
                            for line in lines.append(chunk) {
                                continuation.yield(try Self.decodeStreamLine(Response.self, line, method.name, socketPath))
                            }
                        case .end:
                            return
                        }
                    }
                    throw CRIError(.unavailable, "\(socketPath): \(method.name) stream ended without its final chunk")
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: Self.streamError(error, method.name, socketPath))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return responses
    }

    private static func decodeStreamLine<Response: Decodable>(
        _ type: Response.Type, _ line: Data, _ name: String, _ socketPath: String
    ) throws -> Response {
        if let failure = try? CRICodec.decode(StreamErrorLine.self, from: line) {
            throw failure.error.error
        }
        do {
            return try CRICodec.decode(Response.self, from: line)
        } catch let error as CRIError {
            throw CRIError(.internal, "\(socketPath) sent a malformed \(name) event: \(error.message)")
        }
    }

    private static func streamError(_ error: any Error, _ name: String, _ socketPath: String) -> any Error {
        switch error {
        case is CRIError, is CancellationError: return error
        default: return CRIError(.unavailable, "\(socketPath): \(name) stream failed: \(error)")
        }
    }

    /// Runs `body`, or fails with DeadlineExceeded once `timeout` has passed (cancelling it,
    /// which closes its connection).
    private func withDeadline<T: Sendable>(
        _ name: String, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let timeout = self.timeout
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            // The first child to finish decides: the call's result, or nil from the timer.
            guard let value = try await group.next()! else {
                throw CRIError(.deadlineExceeded, "\(name) on \(socketPath): no answer within \(timeout)")
            }
            return value
        }
    }

    /// The CRIError an error response stands for: the server's {"code", "message"}, or for a
    /// body that is not one (not skiff-cri answering?), a code from the HTTP status.
    private static func error(status: Int, body: Data) -> CRIError {
        if let answer = try? CRICodec.decode(CRIErrorBody.self, from: body) {
            return answer.error
        }
        // gRPC's mapping for HTTP statuses without a gRPC status.
        let code: CRIError.Code
        switch status {
        case 400: code = .internal
        case 401: code = .unauthenticated
        case 403: code = .permissionDenied
        case 404: code = .unimplemented
        case 429, 502, 503, 504: code = .unavailable
        default: code = .unknown
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return CRIError(code, "HTTP \(status): \(text)")
    }
}

/// Splits a chunked body into lines (NDJSON); chunk and line boundaries need not agree.
struct NDJSONLines {
    private var pending = ByteBuffer()

    /// The complete, non-empty lines that `chunk` finishes.
    mutating func append(_ chunk: ByteBuffer) -> [Data] {
        var chunk = chunk
        pending.writeBuffer(&chunk)
        var lines: [Data] = []
        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - pending.readerIndex
            let line = pending.readSlice(length: length)!
            pending.moveReaderIndex(forwardBy: 1)
            if line.readableBytes > 0 { lines.append(Data(line.readableBytesView)) }
        }
        pending.discardReadBytes()
        return lines
    }
}
