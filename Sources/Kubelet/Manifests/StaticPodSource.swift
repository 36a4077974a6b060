// The static pod directory as a source of desired pods: every file (dotfiles aside) is one Pod
// in YAML or JSON. inotify makes changes visible at once; a periodic re-read catches anything
// missed. A file that fails to parse or validate is reported and kept apart: it never affects
// the other files' pods, and a pod it defined before keeps running until the file is fixed or
// removed.
import Foundation
import KubeAPI
import Synchronization

/// The desired static pods at one moment, and the files that could not be used.
public struct StaticPodSnapshot: Sendable, Equatable {
    public var pods: [Pod]
    public var errors: [ManifestError]
}

/// A manifest file skiff-kubelet could not use, and why.
public struct ManifestError: Sendable, Equatable, Codable {
    public var path: String
    public var message: String
    /// When the problem was first seen (for this content of the file).
    public var since: KubeTime
}

public final class StaticPodSource: Sendable {
    public let directory: String
    private let nodeName: String
    private let resyncPeriod: Duration
    private let logger: KubeletLogger
    private let state = Mutex(ScanState())

    private struct CachedFile {
        var content: Data
        var pod: Pod?
        var error: ManifestError?
    }

    private struct ScanState {
        var files: [String: CachedFile] = [:]
        /// The last good pod of each file, kept while the file is broken.
        var lastGood: [String: Pod] = [:]
        var last: StaticPodSnapshot?
        var missingLogged = false
    }

    public init(directory: String, nodeName: String, resyncPeriod: Duration, logger: KubeletLogger) {
        self.directory = directory
        self.nodeName = nodeName
        self.resyncPeriod = resyncPeriod
        self.logger = logger
    }

    /// The manifest problems now (for the status API).
    public var errors: [ManifestError] { state.withLock { $0.last?.errors ?? [] } }

    /// Snapshots as the directory changes: the first at once, then one per change (only when
    /// the set of pods or errors differs). Runs until the task is cancelled.
    public func run(_ deliver: @escaping @Sendable (StaticPodSnapshot) async -> Void) async {
        // Each trigger says whether the files are settled (see DirectoryWatcher).
        let (triggers, continuation) = AsyncStream<Bool>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let watcher = Mutex<DirectoryWatcher?>(nil)
        func ensureWatcher() {
            watcher.withLock { current in
                if let current, current.isRunning { return }
                let new = DirectoryWatcher(path: directory) { settled in continuation.yield(settled) }
                current = new.start() ? new : nil
            }
        }
        let timer = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: resyncPeriod)
                continuation.yield(true)
            }
        }
        defer {
            timer.cancel()
            watcher.withLock { $0?.stop() }
        }
        ensureWatcher()
        continuation.yield(true)
        await withTaskCancellationHandler {
            for await settled in triggers {
                // Editors write in steps (truncate, write, rename): a file still being written
                // gets a moment to be finished; one closed or renamed in is read at once.
                if !settled { try? await Task.sleep(for: .milliseconds(40)) }
                ensureWatcher()
                if let snapshot = scan() { await deliver(snapshot) }
            }
        } onCancel: {
            continuation.finish()
        }
    }

    /// Reads the directory; the snapshot when it differs from the last one.
    public func scan() -> StaticPodSnapshot? {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            let first = state.withLock { s in
                defer { s.missingLogged = true }
                return !s.missingLogged
            }
            if first { logger.warning("static pod path \(directory) cannot be read (\(error.localizedDescription)): no static pods until it can") }
            names = []
        }
        return state.withLock { s in
            var seen = Set<String>()
            var pods: [Pod] = []
            var errors: [ManifestError] = []
            var owners: [String: String] = [:]   // namespace/name → file
            for name in names {
                let path = directory + "/" + name
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                      let content = FileManager.default.contents(atPath: path) else { continue }
                seen.insert(path)
                var cached: CachedFile
                if let old = s.files[path], old.content == content {
                    cached = old
                } else {
                    cached = load(path: path, content: content)
                    if let error = cached.error {
                        logger.error("static pod manifest \(path): \(error.message)" + (s.lastGood[path] != nil ? " (its previous pod keeps running)" : ""))
                    } else if let pod = cached.pod {
                        logger.info("static pod manifest \(path): pod \(pod.namespace)/\(pod.name) uid \(pod.uid)")
                        s.lastGood[path] = pod
                    }
                    s.files[path] = cached
                }
                if let error = cached.error { errors.append(error) }
                guard let pod = cached.pod ?? s.lastGood[path] else { continue }
                let key = "\(pod.namespace)/\(pod.name)"
                if let owner = owners[key] {
                    errors.append(ManifestError(path: path, message: "pod \(key) is already defined by \(owner)", since: .now))
                    continue
                }
                owners[key] = path
                pods.append(pod)
            }
            for gone in Set(s.files.keys).subtracting(seen) {
                s.files[gone] = nil
                s.lastGood[gone] = nil
                logger.info("static pod manifest \(gone) removed")
            }
            let snapshot = StaticPodSnapshot(pods: pods, errors: errors)
            if let last = s.last, last.pods == snapshot.pods,
               last.errors.map({ [$0.path, $0.message] }) == snapshot.errors.map({ [$0.path, $0.message] }) {
                return nil
            }
            s.last = snapshot
            return snapshot
        }
    }

    private func load(path: String, content: Data) -> CachedFile {
        do {
            let decoded = try ManifestDecoder.decodePod(content)
            let problems = PodValidation.validate(decoded)
            guard problems.isEmpty else {
                return CachedFile(content: content, error: ManifestError(path: path, message: "invalid Pod: " + problems.joined(separator: "; "), since: .now))
            }
            return CachedFile(content: content, pod: StaticPod.prepare(decoded, nodeName: nodeName, path: path))
        } catch {
            return CachedFile(content: content, error: ManifestError(path: path, message: "\(error)", since: .now))
        }
    }
}
