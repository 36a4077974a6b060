// Handlers behind the real server in the transport tests: small in-memory services that
// record what they were asked.
import CRIAPI
import Foundation
import Synchronization

struct HandlerFailure: Error, CustomStringConvertible {
    var description: String { "disk on fire" }
}

/// A RuntimeService keeping sandboxes in memory; RPCs it does not define answer Unimplemented.
final class InMemoryRuntime: RuntimeServiceHandler {
    /// What GetContainerEvents streams.
    enum EventScript: Sendable {
        /// These events, then the end of the stream.
        case events([ContainerEventResponse])
        /// These events, then an error.
        case eventsThenFailure([ContainerEventResponse], CRIError)
        /// These events, then nothing until the client leaves or the server stops.
        case eventsThenWait([ContainerEventResponse])
    }

    let eventScript: EventScript
    private let sandboxes = Mutex<[String: PodSandboxConfig]>([:])
    private let counters = Mutex<(streamsEnded: Int, callsCancelled: Int)>((0, 0))

    init(events: EventScript = .events([])) {
        eventScript = events
    }

    var streamsEnded: Int { counters.withLock { $0.streamsEnded } }
    var callsCancelled: Int { counters.withLock { $0.callsCancelled } }

    func version(_ request: VersionRequest) async throws -> VersionResponse {
        VersionResponse(version: "0.1.0", runtimeName: "in-memory", runtimeVersion: "1.2.3",
                        runtimeApiVersion: request.version.isEmpty ? "v1" : request.version)
    }

    func runPodSandbox(_ request: RunPodSandboxRequest) async throws -> RunPodSandboxResponse {
        let id = "sb-" + request.config.metadata.name
        try sandboxes.withLock { sandboxes in
            guard sandboxes[id] == nil else { throw CRIError.alreadyExists("pod sandbox \(id) exists") }
            sandboxes[id] = request.config
        }
        return RunPodSandboxResponse(podSandboxId: id)
    }

    func podSandboxStatus(_ request: PodSandboxStatusRequest) async throws -> PodSandboxStatusResponse {
        guard let config = sandboxes.withLock({ $0[request.podSandboxId] }) else {
            throw CRIError.notFound("pod sandbox \"\(request.podSandboxId)\" not found")
        }
        return PodSandboxStatusResponse.with {
            $0.status.id = request.podSandboxId
            $0.status.metadata = config.metadata
            $0.status.state = .ready
            $0.status.createdAt = 1_700_000_000_000_000_001
            $0.status.labels = config.labels
            $0.status.annotations = config.annotations
            if request.verbose { $0.info = ["config": #"{"hostname":"\#(config.hostname)"}"#] }
        }
    }

    func listPodSandbox(_ request: ListPodSandboxRequest) async throws -> ListPodSandboxResponse {
        let matching = sandboxes.withLock { $0 }.filter { _, config in
            request.filter.labelSelector.allSatisfy { config.labels[$0.key] == $0.value }
        }
        return ListPodSandboxResponse(items: matching.keys.sorted().map { id in
            PodSandbox.with {
                $0.id = id
                $0.metadata = matching[id]!.metadata
                $0.labels = matching[id]!.labels
            }
        })
    }

    func removePodSandbox(_ request: RemovePodSandboxRequest) async throws -> RemovePodSandboxResponse {
        _ = sandboxes.withLock { $0.removeValue(forKey: request.podSandboxId) }
        return RemovePodSandboxResponse()
    }

    func stopContainer(_ request: StopContainerRequest) async throws -> StopContainerResponse {
        throw HandlerFailure()
    }

    /// Sleeps `timeout` seconds (noting whether it was cancelled), then echoes the command.
    func execSync(_ request: ExecSyncRequest) async throws -> ExecSyncResponse {
        do {
            try await Task.sleep(for: .seconds(request.timeout))
        } catch {
            counters.withLock { $0.callsCancelled += 1 }
            throw error
        }
        return ExecSyncResponse(stdout: Data(request.cmd.joined(separator: " ").utf8), stderr: Data(), exitCode: 0)
    }

    func getContainerEvents(_ request: GetEventsRequest) async throws -> AsyncThrowingStream<ContainerEventResponse, any Error> {
        let (stream, continuation) = AsyncThrowingStream<ContainerEventResponse, any Error>.makeStream()
        continuation.onTermination = { _ in self.counters.withLock { $0.streamsEnded += 1 } }
        switch eventScript {
        case .events(let events):
            events.forEach { continuation.yield($0) }
            continuation.finish()
        case .eventsThenFailure(let events, let error):
            events.forEach { continuation.yield($0) }
            continuation.finish(throwing: error)
        case .eventsThenWait(let events):
            events.forEach { continuation.yield($0) }
        }
        return stream
    }
}

/// An ImageService that knows one image.
struct OneImage: ImageServiceHandler {
    static let id = "sha256:" + String(repeating: "ab", count: 32)

    func pullImage(_ request: PullImageRequest) async throws -> PullImageResponse {
        guard request.image.image == "busybox" else {
            throw CRIError.notFound("image \(request.image.image) not found in any registry")
        }
        return PullImageResponse(imageRef: Self.id)
    }

    func imageStatus(_ request: ImageStatusRequest) async throws -> ImageStatusResponse {
        guard request.image.image == "busybox" || request.image.image == Self.id else {
            return ImageStatusResponse(image: nil)
        }
        return ImageStatusResponse(image: Image.with {
            $0.id = Self.id
            $0.repoTags = ["docker.io/library/busybox:latest"]
            $0.size = 4_200_000
            $0.uid = Int64Value(0)
        })
    }
}
