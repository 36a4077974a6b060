// RunPodSandbox, StopPodSandbox, RemovePodSandbox, PodSandboxStatus, ListPodSandbox.
// A sandbox is its files (hostname, resolv.conf, hosts, a /dev/shm for the pod), its network
// namespace wired by CNI, and the pause container holding the pod's namespaces.
import CRIAPI
import ImageStore
import ContainerMonitor
import Foundation
import OCISpec
import PodNetwork
import RuntimeCore

extension NodeRuntime {
    public func runPodSandbox(_ request: RunPodSandboxRequest) async throws -> RunPodSandboxResponse {
        let podConfig = request.config
        let m = podConfig.metadata
        guard !m.name.isEmpty, !m.namespace.isEmpty, !m.uid.isEmpty else {
            throw CRIError.invalidArgument("pod sandbox metadata needs name, namespace and uid (got name \"\(m.name)\", namespace \"\(m.namespace)\", uid \"\(m.uid)\")")
        }
        let runtime = try runtime(request.runtimeHandler)
        let id = Self.newID()
        let name = "\(m.name)_\(m.namespace)_\(m.uid)_\(m.attempt)"
        try lock.withLock {
            if let other = sandboxes.values.first(where: { "\($0.config.metadata.name)_\($0.config.metadata.namespace)_\($0.config.metadata.uid)_\($0.config.metadata.attempt)" == name }) {
                throw CRIError.alreadyExists("pod sandbox name \(name) is taken by \(other.id)")
            }
            // Reserve the name while the sandbox is made.
            sandboxes[id] = SandboxRecord(id: id, config: podConfig, runtimeHandler: request.runtimeHandler, state: .notReady,
                                          createdAt: Self.now(), netnsPath: "", ips: [], pid: 0)
        }
        var record = try sandbox(id)
        let files = sandboxFiles(id)
        var undo: [() async -> Void] = [{ [self] in lock.withLock { _ = sandboxes.removeValue(forKey: id) } }]
        do {
            try FileIO.mkdirAll(files.directory, mode: 0o711)
            undo.append { FileIO.removeAll(files.directory) }
            try writeSandboxFiles(record, files: files)
            if record.namespaceOptions.ipc != .node {
                try FileIO.mkdirAll(files.shm, mode: 0o1777)
                guard mount("shm", files.shm, "tmpfs", UInt(MS_NOSUID | MS_NODEV | MS_NOEXEC), "mode=1777,size=65536k") == 0 else {
                    throw CRIError.internal("pod \(name): mount /dev/shm: \(String(cString: strerror(errno)))")
                }
                undo.append { umount2(files.shm, Int32(MNT_DETACH)) }
            }
            if !record.hostNetwork {
                let netns = try NetworkNamespace.create(at: config.netnsDir + "/" + id)
                record.netnsPath = netns.path
                undo.append { try? netns.remove() }
                let pod = podNetwork(record)
                let status = try await Blocking.run { [network] in try network.setUp(pod) }
                record.ips = status.ips
                undo.append { [network] in try? network.tearDown(pod) }
                try writeHosts(record, files: files)
            }
            let spec = SandboxSpec.make(record, pauseRootfs: pauseRootfs, files: files)
            try FileIO.mkdirAll(files.bundle, mode: 0o711)
            try writeSpec(spec, bundle: files.bundle)
            let created = try await launchMonitor(id: id, bundle: files.bundle, runtime: runtime,
                                                  logPath: files.directory + "/pause.log", terminal: false, stdin: false, stdinOnce: false)
            undo.append { try? await runtime.delete(id, force: true) }
            try await runtime.start(id)
            record.pid = created.containerPID
            record.state = .ready
            try save(record)
        } catch {
            for step in undo.reversed() { await step() }
            throw error
        }
        return RunPodSandboxResponse(podSandboxId: id)
    }

    /// Stops every container of the pod, the pause container, and tears its network down.
    /// Stopping a stopped (or half-removed) pod is fine, as CRI requires.
    public func stopPodSandbox(_ request: StopPodSandboxRequest) async throws -> StopPodSandboxResponse {
        guard let found = try? sandbox(request.podSandboxId) else {
            if request.podSandboxId.isEmpty { throw CRIError.invalidArgument("pod sandbox id is empty") }
            return StopPodSandboxResponse()   // already gone: nothing to stop
        }
        try await operations.run(found.id) {
            for c in containersOf(found.id) where c.state == .running || c.state == .created {
                try await stopContainer(c.id, timeout: 0)
            }
            var record = try sandbox(found.id)
            let runtime = try runtime(record.runtimeHandler)
            if record.state == .ready {
                try await runtime.kill(record.id, signal: SIGKILL)
                await waitForExit(record.id, timeout: .seconds(10))
            }
            if !record.netnsPath.isEmpty {
                let pod = podNetwork(record)
                try await Blocking.run { [network] in try network.tearDown(pod) }
                try NetworkNamespace(path: record.netnsPath).remove()
            }
            umount2(sandboxFiles(record.id).shm, Int32(MNT_DETACH))
            record.state = .notReady
            record.pid = 0
            try save(record)
        }
        return StopPodSandboxResponse()
    }

    public func removePodSandbox(_ request: RemovePodSandboxRequest) async throws -> RemovePodSandboxResponse {
        guard let found = try? sandbox(request.podSandboxId) else {
            if request.podSandboxId.isEmpty { throw CRIError.invalidArgument("pod sandbox id is empty") }
            return RemovePodSandboxResponse()
        }
        _ = try await stopPodSandbox(StopPodSandboxRequest(podSandboxId: found.id))
        for c in containersOf(found.id) { try await removeContainer(c.id) }
        try await operations.run(found.id) {
            let record = try sandbox(found.id)
            try await runtime(record.runtimeHandler).delete(record.id, force: true)
            let files = sandboxFiles(record.id)
            umount2(files.shm, Int32(MNT_DETACH))
            FileIO.removeAll(files.directory)
            FileIO.removeAll(monitorDirectory(record.id))
            unlink(exitFile(record.id))
            sandboxStore.delete(record.id)
            lock.withLock { _ = sandboxes.removeValue(forKey: record.id) }
        }
        return RemovePodSandboxResponse()
    }

    public func podSandboxStatus(_ request: PodSandboxStatusRequest) async throws -> PodSandboxStatusResponse {
        let record = try sandbox(request.podSandboxId)
        var response = PodSandboxStatusResponse()
        response.status = status(of: record)
        response.timestamp = Self.now()
        if request.verbose {
            response.info = ["info": String(decoding: try JSONEncoder().encode(VerboseSandboxInfo(record: record)), as: UTF8.self)]
        }
        response.containersStatuses = containersOf(record.id).map { containerStatus(of: $0) }
        return response
    }

    public func listPodSandbox(_ request: ListPodSandboxRequest) async throws -> ListPodSandboxResponse {
        let f = request.filter
        let all = lock.withLock { Array(sandboxes.values) }
        var response = ListPodSandboxResponse()
        response.items = all.filter { r in
            (f.id.isEmpty || r.id.hasPrefix(f.id))
                && (f.state.map { $0.state == r.state } ?? true)
                && f.labelSelector.allSatisfy { r.config.labels[$0.key] == $0.value }
        }.sorted { $0.createdAt > $1.createdAt }.map { r in
            var s = PodSandbox()
            s.id = r.id
            s.metadata = r.config.metadata
            s.state = r.state
            s.createdAt = r.createdAt
            s.labels = r.config.labels
            s.annotations = r.config.annotations
            s.runtimeHandler = r.runtimeHandler
            return s
        }
        return response
    }

    func status(of r: SandboxRecord) -> PodSandboxStatus {
        var s = PodSandboxStatus()
        s.id = r.id
        s.metadata = r.config.metadata
        s.state = r.state
        s.createdAt = r.createdAt
        if !r.hostNetwork {
            var net = PodSandboxNetworkStatus()
            net.ip = r.ips.first ?? ""
            net.additionalIps = r.ips.dropFirst().map { var ip = PodIP(); ip.ip = $0; return ip }
            s.network = net
        }
        var linux = LinuxPodSandboxStatus()
        linux.namespaces.options = r.namespaceOptions
        s.linux = linux
        s.labels = r.config.labels
        s.annotations = r.config.annotations
        s.runtimeHandler = r.runtimeHandler
        return s
    }

    func containersOf(_ sandboxID: String) -> [ContainerRecord] {
        lock.withLock { containers.values.filter { $0.sandboxID == sandboxID } }
    }

    func podNetwork(_ r: SandboxRecord) -> PodSandboxNetwork {
        let m = r.config.metadata
        return PodSandboxNetwork(sandboxID: r.id, podNamespace: m.namespace, podName: m.name, podUID: m.uid,
                                 networkNamespace: r.netnsPath,
                                 portMappings: r.config.portMappings.filter { $0.hostPort > 0 }.map {
                                     PodNetwork.PortMapping(hostPort: Int($0.hostPort), containerPort: Int($0.containerPort),
                                                            protocol: $0.protocol.protoName.lowercased(),
                                                            hostIP: $0.hostIp.isEmpty ? nil : $0.hostIp)
                                 })
    }

    /// hostname and resolv.conf (the pod's DNS config, else the node's), and a first hosts file.
    func writeSandboxFiles(_ r: SandboxRecord, files: SandboxSpec.Files) throws {
        let hostname = r.config.hostname.isEmpty ? Self.nodeHostname() : r.config.hostname
        try FileIO.writeAtomically(files.hostname, Array((hostname + "\n").utf8), mode: 0o644)
        let dns = r.config.dnsConfig
        let resolv: [UInt8]
        if dns.servers.isEmpty && dns.searches.isEmpty && dns.options.isEmpty {
            resolv = (try? FileIO.read("/etc/resolv.conf")) ?? []
        } else {
            var text = ""
            if !dns.searches.isEmpty { text += "search \(dns.searches.joined(separator: " "))\n" }
            for s in dns.servers { text += "nameserver \(s)\n" }
            if !dns.options.isEmpty { text += "options \(dns.options.joined(separator: " "))\n" }
            resolv = Array(text.utf8)
        }
        try FileIO.writeAtomically(files.resolvConf, resolv, mode: 0o644)
        if r.hostNetwork {
            try FileIO.writeAtomically(files.hosts, (try? FileIO.read("/etc/hosts")) ?? [], mode: 0o644)
        } else {
            try writeHosts(r, files: files)
        }
    }

    func writeHosts(_ r: SandboxRecord, files: SandboxSpec.Files) throws {
        var text = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        if let ip = r.ips.first { text += "\(ip)\t\(r.config.hostname.isEmpty ? r.config.metadata.name : r.config.hostname)\n" }
        try FileIO.writeAtomically(files.hosts, Array(text.utf8), mode: 0o644)
    }

    static func nodeHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, 255)
        return String(cString: buffer)
    }

    func writeSpec(_ spec: Spec, bundle: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try FileIO.writeAtomically(bundle + "/config.json", [UInt8](try encoder.encode(spec)), mode: 0o600)
    }

    /// Starts the monitor that creates the container; returns once it is created.
    func launchMonitor(id: String, bundle: String, runtime: OCIRuntime, logPath: String,
                       terminal: Bool, stdin: Bool, stdinOnce: Bool) async throws -> MonitorLaunch.Created {
        let dir = monitorDirectory(id)
        try FileIO.mkdirAll(dir, mode: 0o700)
        unlink(exitFile(id))
        var launch = MonitorLaunch(monitor: config.monitorPath, containerID: id, bundle: bundle, runtime: runtime.path,
                                   logPath: logPath, exitFile: exitFile(id), pidFile: dir + "/pid",
                                   attachSocket: dir + "/attach", controlSocket: dir + "/control")
        launch.runtimeRoot = runtime.root
        launch.terminal = terminal
        launch.stdin = stdin
        launch.stdinOnce = stdinOnce
        launch.monitorLog = dir + "/monitor.log"
        let prepared = launch
        do {
            return try await Blocking.run { try prepared.launch() }
        } catch {
            FileIO.removeAll(dir)
            throw CRIError.internal("create \(id): \(error)")
        }
    }

    /// Waits until the container's exit record exists (or the time is up).
    func waitForExit(_ id: String, timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if FileIO.exists(exitFile(id)) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

struct VerboseSandboxInfo: Encodable {
    var record: SandboxRecord
}
