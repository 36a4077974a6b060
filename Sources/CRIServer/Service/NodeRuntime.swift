// The node's pods and containers: the state behind the CRI RuntimeService. Records live in
// memory and on disk (RecordStore); each sandbox and container has its operations serialized
// (OperationLocks) so that, say, a Stop and a Remove of one pod never interleave, while
// different pods proceed in parallel.
import CRIAPI
import CRIStreaming
import ContainerMonitor
import Foundation
import ImageStore
import PodNetwork
import RuntimeCore

public final class NodeRuntime: @unchecked Sendable {
    public let config: DaemonConfig
    let images: ImageIndex
    let network: PodNetworking
    let sandboxStore: RecordStore<SandboxRecord>
    let containerStore: RecordStore<ContainerRecord>
    let events = EventBroadcaster()
    let operations = OperationLocks()
    let runtimes: [String: OCIRuntime]
    let pauseRootfs: String
    /// Guards the two dictionaries (never held across an await).
    let lock = NSLock()
    var sandboxes: [String: SandboxRecord] = [:]
    var containers: [String: ContainerRecord] = [:]
    /// Containers between `runtime start` and their record saying RUNNING: an exit seen
    /// meanwhile waits, so that "started" is recorded (and published) before "stopped".
    var starting: Set<String> = []
    /// Where Exec, Attach and PortForward streams are served (set by CRIDaemon; nil: none).
    var streamingServer: StreamingServer?
    private var exitWatcher: ExitWatcher?
    /// Problems found at start-up (records that did not load), for Status and the log.
    public private(set) var startupWarnings: [String] = []

    public init(config: DaemonConfig, images: ImageIndex) throws {
        self.config = config
        self.images = images
        for dir in [config.state, config.sandboxesDir, config.bundlesDir, config.monitorsDir, config.exitsDir, config.netnsDir] {
            try FileIO.mkdirAll(dir, mode: 0o711)
        }
        sandboxStore = try RecordStore(directory: config.podRecords)
        containerStore = try RecordStore(directory: config.containerRecords)
        var runtimes = ["": OCIRuntime(handler: "", path: config.runtimePath, root: config.runtimeRoot(""))]
        for (name, path) in config.runtimeHandlers {
            runtimes[name] = OCIRuntime(handler: name, path: path, root: config.runtimeRoot(name))
        }
        self.runtimes = runtimes
        pauseRootfs = try PauseRootfs.install(pause: config.pausePath, under: config.root)
        network = try PodNetworking(configDirectory: config.cniConfDir, pluginDirectories: config.cniBinDirs,
                                    stateDirectory: config.state + "/cni")
        let (s, brokenS) = sandboxStore.loadAll()
        let (c, brokenC) = containerStore.loadAll()
        for r in s { sandboxes[r.id] = r }
        for r in c { containers[r.id] = r }
        startupWarnings = brokenS + brokenC
        exitWatcher = try ExitWatcher(directory: config.exitsDir) { [weak self] id in self?.containerExited(id) }
        // Exits that happened while the daemon was away.
        for id in Array(containers.keys) + Array(sandboxes.keys) { containerExited(id) }
    }

    // MARK: lookups

    func runtime(_ handler: String) throws -> OCIRuntime {
        guard let r = runtimes[handler == "skiff" ? "" : handler] else {
            throw CRIError.notFound("runtime handler \"\(handler)\" is not configured (known: \(runtimes.keys.map { $0.isEmpty ? "skiff (default)" : $0 }.sorted().joined(separator: ", ")))")
        }
        return r
    }

    /// A sandbox by full id or unique prefix.
    func sandbox(_ id: String) throws -> SandboxRecord {
        try lock.withLock { try Self.find(id, in: sandboxes, what: "pod sandbox") }
    }

    func container(_ id: String) throws -> ContainerRecord {
        try lock.withLock { try Self.find(id, in: containers, what: "container") }
    }

    static func find<R>(_ id: String, in records: [String: R], what: String) throws -> R {
        guard !id.isEmpty else { throw CRIError.invalidArgument("\(what) id is empty") }
        if let r = records[id] { return r }
        let matches = records.filter { $0.key.hasPrefix(id) }
        if matches.count == 1 { return matches.first!.value }
        if matches.count > 1 { throw CRIError.invalidArgument("\(what) id prefix \"\(id)\" is ambiguous (\(matches.count) match)") }
        throw CRIError.notFound("\(what) \"\(id)\" not found")
    }

    func save(_ record: SandboxRecord) throws {
        try sandboxStore.save(record, id: record.id)
        lock.withLock { sandboxes[record.id] = record }
    }

    func save(_ record: ContainerRecord) throws {
        try containerStore.save(record, id: record.id)
        lock.withLock { containers[record.id] = record }
    }

    // MARK: ids and paths

    static func newID() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(g.next() as UInt64, radix: 16).leftPadded(16) }.joined()
    }

    func sandboxFiles(_ id: String) -> SandboxSpec.Files { SandboxSpec.Files(directory: config.sandboxesDir + "/" + id) }
    func bundle(_ id: String) -> String { config.bundlesDir + "/" + id }
    /// Named by the id's first 32 hex digits (128 bits): the monitor's socket paths must fit
    /// sockaddr_un's 108 bytes even under a long --state.
    func monitorDirectory(_ id: String) -> String { config.monitorsDir + "/" + id.prefix(32) }
    func exitFile(_ id: String) -> String { config.exitsDir + "/" + id }

    static func now() -> Int64 { Timestamp.now().nanosecondsSince1970 }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

/// Serializes operations on one sandbox or container; different ids run in parallel.
actor OperationLocks {
    private var busy: [String: [CheckedContinuation<Void, Never>]] = [:]

    func run<T: Sendable>(_ id: String, _ body: @Sendable () async throws -> T) async throws -> T {
        await acquire(id)
        do { let r = try await body(); release(id); return r } catch { release(id); throw error }
    }

    private func acquire(_ id: String) async {
        if busy[id] == nil { busy[id] = []; return }
        await withCheckedContinuation { busy[id]!.append($0) }
    }

    private func release(_ id: String) {
        guard var waiting = busy[id], !waiting.isEmpty else { busy[id] = nil; return }
        let next = waiting.removeFirst()
        busy[id] = waiting
        next.resume()
    }
}
