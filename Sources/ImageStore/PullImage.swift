// ImageIndex.pull: the entry point for pulling from a registry. Two pulls of the same image
// at once share one fetch (as containerd dedupes by reference): the second waits for the
// first's result instead of downloading the same blobs again.
import Foundation
import OCISpec
import RuntimeCore

extension ImageIndex {
    /// Pulls `reference` ("127.0.0.1:5000/test/busybox:1", "busybox@sha256:...") and records it.
    /// A pull joining one already in flight gets that pull's result (and not its own progress).
    @discardableResult
    public func pull(_ reference: String, options: PullOptions = PullOptions()) async throws -> ImageRecord {
        let ref = try ImageReference(parsing: reference)
        let p = options.platform
        let key = "\(ref) \(p.os)/\(p.architecture)/\(p.variant ?? "")"
        return try await inFlightPulls.run(key) {
            try await RegistryPuller(index: self, reference: ref, options: options).pull()
        }
    }
}

/// Pulls under way in this process, by reference and platform.
final class InFlightPulls: @unchecked Sendable {
    private let lock = NSLock()
    private var tasks: [String: Task<ImageRecord, Error>] = [:]

    func run(_ key: String, _ body: @escaping @Sendable () async throws -> ImageRecord) async throws -> ImageRecord {
        let (task, owner) = lock.withLock { () -> (Task<ImageRecord, Error>, Bool) in
            if let running = tasks[key] { return (running, false) }
            let task = Task { try await body() }
            tasks[key] = task
            return (task, true)
        }
        defer { if owner { lock.withLock { tasks[key] = nil } } }
        return try await task.value
    }
}
