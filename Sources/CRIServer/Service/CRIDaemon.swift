// The whole daemon: the image store, the node runtime, the CRI server on its socket and the
// streaming server (Exec, Attach, PortForward) on a TCP port. One
// daemon owns a root at a time (a lock file says so), since two would corrupt each other's
// records.
import CRIAPI
import CSkiffSystem
import CRIStreaming
import Foundation
import Glibc
import ImageStore
import RuntimeCore

extension NodeRuntime: RuntimeServiceHandler {}
extension NodeImages: ImageServiceHandler {}

public final class CRIDaemon: Sendable {
    public let runtime: NodeRuntime
    public let images: NodeImages
    let server: CRIHTTPServer
    public let streaming: StreamingServer
    let lockFD: Int32

    /// Process-wide settings for a long-lived daemon; call first thing in main. glibc gives each
    /// thread that allocates a malloc arena of its own, kept for good: one arena for NIO,
    /// Dispatch and pool threads alike, which must be said before another thread allocates.
    public static func configureProcess() {
        sk_daemon_malloc_policy(1)
    }

    public init(config: DaemonConfig) async throws {
        try FileIO.mkdirAll(config.root, mode: 0o711)
        lockFD = open(config.root + "/skiff-cri.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0, flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            throw CRIError.failedPrecondition("\(config.root) is in use by another skiff-cri (\(config.root)/skiff-cri.lock is locked)")
        }
        let index = try ImageIndex(root: config.root)
        let runtime = try NodeRuntime(config: config, images: index)
        self.runtime = runtime
        images = NodeImages(index: index, insecureRegistries: config.insecureRegistries,
                            fetchCommand: config.fetchCommand) { id in runtime.usesImage(id) }
        try FileIO.mkdirAll((config.listen as NSString).deletingLastPathComponent, mode: 0o711)
        let streaming: StreamingServer
        do {
            streaming = try await StreamingServer.bind(host: config.streamingAddress, port: config.streamingPort)
        } catch {
            throw CRIError.unavailable("\(error)")
        }
        self.streaming = streaming
        runtime.lock.withLock { runtime.streamingServer = streaming }
        do {
            server = try await CRIHTTPServer.bind(socketPath: config.listen, runtime: runtime, image: images,
                                                  callFinished: { [trim = IdleTrim()] in trim.callFinished() })
        } catch {
            streaming.shutdown()
            throw error
        }
    }

    /// Serves until `shutdown()`; the containers keep running when the daemon stops (streams
    /// end: exec commands are killed, attached clients let go).
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.streaming.run() }
            group.addTask { try await self.server.run() }
            defer { shutdown() }
            try await group.next()
        }
    }

    public func shutdown() {
        server.shutdown()
        streaming.shutdown()
    }
}

extension NodeRuntime {
    func usesImage(_ id: String) -> Bool { lock.withLock { containers.values.contains { $0.imageID == id } } }
}
