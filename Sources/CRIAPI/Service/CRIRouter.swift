// Maps each RPC path to its handler method, with the JSON decoding and encoding around it.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The RPC table the HTTP server dispatches on: path → a call on JSON bodies.
struct CRIRouter: Sendable {
    enum Route: Sendable {
        /// Request JSON in, response JSON out.
        case unary(@Sendable (Data) async throws -> Data)
        /// Request JSON in; a stream of response JSON lines out. Throwing before the stream is
        /// returned is an ordinary error response.
        case stream(@Sendable (Data) async throws -> EncodedStream)
    }

    /// A handler's response sequence, already encoded: `forEach` sends each message to `emit`.
    struct EncodedStream: Sendable {
        let forEach: @Sendable (_ emit: @Sendable (Data) async throws -> Void) async throws -> Void
    }

    private(set) var routes: [String: Route] = [:]

    init(runtime: some RuntimeServiceHandler, image: some ImageServiceHandler) {
        add(CRIMethods.version) { try await runtime.version($0) }
        add(CRIMethods.runPodSandbox) { try await runtime.runPodSandbox($0) }
        add(CRIMethods.stopPodSandbox) { try await runtime.stopPodSandbox($0) }
        add(CRIMethods.removePodSandbox) { try await runtime.removePodSandbox($0) }
        add(CRIMethods.podSandboxStatus) { try await runtime.podSandboxStatus($0) }
        add(CRIMethods.listPodSandbox) { try await runtime.listPodSandbox($0) }
        add(CRIMethods.createContainer) { try await runtime.createContainer($0) }
        add(CRIMethods.startContainer) { try await runtime.startContainer($0) }
        add(CRIMethods.stopContainer) { try await runtime.stopContainer($0) }
        add(CRIMethods.removeContainer) { try await runtime.removeContainer($0) }
        add(CRIMethods.listContainers) { try await runtime.listContainers($0) }
        add(CRIMethods.containerStatus) { try await runtime.containerStatus($0) }
        add(CRIMethods.updateContainerResources) { try await runtime.updateContainerResources($0) }
        add(CRIMethods.reopenContainerLog) { try await runtime.reopenContainerLog($0) }
        add(CRIMethods.execSync) { try await runtime.execSync($0) }
        add(CRIMethods.exec) { try await runtime.exec($0) }
        add(CRIMethods.attach) { try await runtime.attach($0) }
        add(CRIMethods.portForward) { try await runtime.portForward($0) }
        add(CRIMethods.containerStats) { try await runtime.containerStats($0) }
        add(CRIMethods.listContainerStats) { try await runtime.listContainerStats($0) }
        add(CRIMethods.podSandboxStats) { try await runtime.podSandboxStats($0) }
        add(CRIMethods.listPodSandboxStats) { try await runtime.listPodSandboxStats($0) }
        add(CRIMethods.updateRuntimeConfig) { try await runtime.updateRuntimeConfig($0) }
        add(CRIMethods.status) { try await runtime.status($0) }
        add(CRIMethods.checkpointContainer) { try await runtime.checkpointContainer($0) }
        add(CRIMethods.listMetricDescriptors) { try await runtime.listMetricDescriptors($0) }
        add(CRIMethods.listPodSandboxMetrics) { try await runtime.listPodSandboxMetrics($0) }
        add(CRIMethods.runtimeConfig) { try await runtime.runtimeConfig($0) }
        add(CRIMethods.updatePodSandboxResources) { try await runtime.updatePodSandboxResources($0) }
        addStream(CRIMethods.getContainerEvents) { try await runtime.getContainerEvents($0) }

        add(CRIMethods.listImages) { try await image.listImages($0) }
        add(CRIMethods.imageStatus) { try await image.imageStatus($0) }
        add(CRIMethods.pullImage) { try await image.pullImage($0) }
        add(CRIMethods.removeImage) { try await image.removeImage($0) }
        add(CRIMethods.imageFsInfo) { try await image.imageFsInfo($0) }
    }

    func route(for path: String) -> Route? { routes[path] }

    private mutating func add<Request, Response>(
        _ method: CRIMethod<Request, Response>,
        _ call: @escaping @Sendable (Request) async throws -> Response
    ) {
        routes[method.path] = .unary { body in
            let request = try CRICodec.decode(Request.self, from: body)
            return try CRICodec.encode(try await call(request))
        }
    }

    private mutating func addStream<Request, Response>(
        _ method: CRIStreamMethod<Request, Response>,
        _ open: @escaping @Sendable (Request) async throws -> AsyncThrowingStream<Response, any Error>
    ) {
        routes[method.path] = .stream { body in
            let request = try CRICodec.decode(Request.self, from: body)
            let responses = try await open(request)
            return EncodedStream { emit in
                for try await response in responses {
                    try await emit(try CRICodec.encode(response))
                }
            }
        }
    }
}
