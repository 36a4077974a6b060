// CreateContainer, StartContainer, StopContainer, RemoveContainer, ContainerStatus,
// ListContainers, UpdateContainerResources, ReopenContainerLog, and the handling of exits.
import CRIAPI
import ContainerMonitor
import Foundation
import ImageStore
import OCISpec
import RuntimeCore

extension NodeRuntime {
    public func createContainer(_ request: CreateContainerRequest) async throws -> CreateContainerResponse {
        let sandbox = try sandbox(request.podSandboxId)
        guard sandbox.state == .ready else {
            throw CRIError.failedPrecondition("pod sandbox \(sandbox.id) is not ready (it was stopped)")
        }
        let c = request.config
        guard !c.metadata.name.isEmpty else { throw CRIError.invalidArgument("container metadata.name is empty") }
        guard !c.image.image.isEmpty else { throw CRIError.invalidArgument("container \(c.metadata.name): image is empty") }
        let id = Self.newID()
        try lock.withLock {
            if let other = containers.values.first(where: { $0.sandboxID == sandbox.id && $0.config.metadata.name == c.metadata.name && $0.config.metadata.attempt == c.metadata.attempt }) {
                throw CRIError.alreadyExists("container name \(c.metadata.name) (attempt \(c.metadata.attempt)) is taken in pod \(sandbox.id) by \(other.id)")
            }
        }
        let runtime = try runtime(sandbox.runtimeHandler)
        let bundle = bundle(id)
        let rootfs = bundle + "/rootfs"
        var undo: [() async -> Void] = []
        do {
            try FileIO.mkdirAll(rootfs, mode: 0o711)
            undo.append { FileIO.removeAll(bundle) }
            let image = try await Blocking.run { [images] in
                do { return try images.prepareRootfs(image: c.image.image, container: id, target: rootfs) } catch {
                    throw CRIError.notFound("container \(c.metadata.name): image \(c.image.image): \(error)")
                }
            }
            undo.append { [images] in try? images.removeRootfs(container: id, target: rootfs) }
            let spec = try ContainerSpec.make(ContainerSpecInput(id: id, config: c, sandbox: sandbox, sandboxFiles: sandboxFiles(sandbox.id),
                                                                 image: image, rootfs: rootfs))
            try writeSpec(spec, bundle: bundle)
            let logPath = c.logPath.isEmpty || request.sandboxConfig.logDirectory.isEmpty && sandbox.config.logDirectory.isEmpty
                ? "" : (sandbox.config.logDirectory.isEmpty ? request.sandboxConfig.logDirectory : sandbox.config.logDirectory) + "/" + c.logPath
            if !logPath.isEmpty { try FileIO.mkdirAll(String(logPath[..<logPath.lastIndex(of: "/")!]), mode: 0o755) }
            let created = try await launchMonitor(id: id, bundle: bundle, runtime: runtime,
                                                  logPath: logPath.isEmpty ? "/dev/null" : logPath,
                                                  terminal: c.tty, stdin: c.stdin, stdinOnce: c.stdinOnce)
            undo.append { try? await runtime.delete(id, force: true) }
            let record = ContainerRecord(
                id: id, sandboxID: sandbox.id, config: c, image: c.image.image, imageID: image.id.description,
                imageRef: image.record.repoDigests.first ?? image.id.description, runtimeHandler: sandbox.runtimeHandler,
                state: .created, createdAt: Self.now(), startedAt: 0, finishedAt: 0, exitCode: 0, reason: "", message: "",
                logPath: logPath, pid: created.containerPID, cgroupsPath: spec.linux?.cgroupsPath ?? "",
                stopSignal: image.stopSignal ?? "")
            try save(record)
            publish(record, .created)
            return CreateContainerResponse(containerId: id)
        } catch {
            for step in undo.reversed() { await step() }
            throw error
        }
    }

    public func startContainer(_ request: StartContainerRequest) async throws -> StartContainerResponse {
        let found = try container(request.containerId)
        try await operations.run(found.id) {
            var record = try container(found.id)
            guard record.state == .created else {
                throw CRIError.failedPrecondition("container \(record.id) is \(record.state.protoName), not CONTAINER_CREATED")
            }
            lock.withLock { _ = starting.insert(record.id) }
            defer {
                lock.withLock { _ = starting.remove(record.id) }
                containerExited(record.id)   // an exit that came during the start
            }
            do {
                try await runtime(record.runtimeHandler).start(record.id)
            } catch {
                record.state = .exited
                record.reason = "StartError"
                record.message = "\(error)"
                record.finishedAt = Self.now()
                record.exitCode = 128
                try save(record)
                throw error
            }
            record.startedAt = Self.now()
            record.state = .running
            try save(record)
            publish(record, .started)
        }
        return StartContainerResponse()
    }

    public func stopContainer(_ request: StopContainerRequest) async throws -> StopContainerResponse {
        let found = try container(request.containerId)
        try await stopContainer(found.id, timeout: request.timeout)
        return StopContainerResponse()
    }

    /// The stop signal (the config's, else the image's, else TERM), then KILL after `timeout`
    /// seconds; waits for the exit. Stopping an exited container is fine.
    func stopContainer(_ id: String, timeout: Int64) async throws {
        try await operations.run(id) {
            let record = try container(id)
            guard record.state == .running || record.state == .created else { return }
            let runtime = try runtime(record.runtimeHandler)
            if record.state == .created {
                try await runtime.kill(id, signal: SIGKILL)
            } else {
                if timeout > 0 {
                    try await runtime.kill(id, signal: stopSignal(record))
                    await waitForExit(id, timeout: .seconds(timeout))
                }
                if !FileIO.exists(exitFile(id)) { try await runtime.kill(id, signal: SIGKILL, all: true) }
            }
            await waitForExit(id, timeout: .seconds(10))
            containerExited(id)
        }
    }

    func stopSignal(_ record: ContainerRecord) -> Int32 {
        if record.config.stopSignal != .runtimeDefault, let name = record.config.stopSignal.linuxName, let n = try? parseSignal(name) { return n }
        if !record.stopSignal.isEmpty, let n = try? parseSignal(record.stopSignal) { return n }
        return SIGTERM
    }

    public func removeContainer(_ request: RemoveContainerRequest) async throws -> RemoveContainerResponse {
        guard let found = try? container(request.containerId) else {
            if request.containerId.isEmpty { throw CRIError.invalidArgument("container id is empty") }
            return RemoveContainerResponse()   // already gone
        }
        try await removeContainer(found.id)
        return RemoveContainerResponse()
    }

    /// Kills the container if it still runs, then removes its runtime state, rootfs and record.
    /// Its log stays (the kubelet owns /var/log/pods).
    func removeContainer(_ id: String) async throws {
        try await stopContainer(id, timeout: 0)
        try await operations.run(id) {
            guard let record = try? container(id) else { return }
            try await runtime(record.runtimeHandler).delete(id, force: true)
            let bundle = bundle(id)
            try await Blocking.run { [images] in try images.removeRootfs(container: id, target: bundle + "/rootfs") }
            FileIO.removeAll(bundle)
            FileIO.removeAll(monitorDirectory(id))
            unlink(exitFile(id))
            containerStore.delete(id)
            lock.withLock { _ = containers.removeValue(forKey: id) }
            publish(record, .deleted)
        }
    }

    public func containerStatus(_ request: ContainerStatusRequest) async throws -> ContainerStatusResponse {
        let record = try container(request.containerId)
        var response = ContainerStatusResponse()
        response.status = containerStatus(of: record)
        if request.verbose {
            response.info = ["info": String(decoding: try JSONEncoder().encode(VerboseContainerInfo(record: record, bundle: bundle(record.id))), as: UTF8.self)]
        }
        return response
    }

    func containerStatus(of r: ContainerRecord) -> ContainerStatus {
        var s = ContainerStatus()
        s.id = r.id
        s.metadata = r.config.metadata
        s.state = r.state
        s.createdAt = r.createdAt
        s.startedAt = r.startedAt
        s.finishedAt = r.finishedAt
        s.exitCode = r.exitCode
        s.image = r.config.image
        s.imageRef = r.imageRef
        s.imageId = r.imageID
        s.reason = r.reason
        s.message = r.message
        s.labels = r.config.labels
        s.annotations = r.config.annotations
        s.mounts = r.config.mounts
        s.logPath = r.logPath
        s.stopSignal = r.config.stopSignal
        var resources = ContainerResources()
        resources.linux = r.config.linux.resources
        s.resources = resources
        return s
    }

    public func listContainers(_ request: ListContainersRequest) async throws -> ListContainersResponse {
        let f = request.filter
        let all = lock.withLock { Array(containers.values) }
        var response = ListContainersResponse()
        response.containers = all.filter { r in
            (f.id.isEmpty || r.id.hasPrefix(f.id))
                && (f.podSandboxId.isEmpty || r.sandboxID.hasPrefix(f.podSandboxId))
                && (f.state.map { $0.state == r.state } ?? true)
                && f.labelSelector.allSatisfy { r.config.labels[$0.key] == $0.value }
        }.sorted { $0.createdAt > $1.createdAt }.map { r in
            var c = CRIAPI.Container()
            c.id = r.id
            c.podSandboxId = r.sandboxID
            c.metadata = r.config.metadata
            c.image = r.config.image
            c.imageRef = r.imageRef
            c.imageId = r.imageID
            c.state = r.state
            c.createdAt = r.createdAt
            c.labels = r.config.labels
            c.annotations = r.config.annotations
            return c
        }
        return response
    }

    public func updateContainerResources(_ request: UpdateContainerResourcesRequest) async throws -> UpdateContainerResourcesResponse {
        let found = try container(request.containerId)
        guard let linux = request.linux else { return UpdateContainerResourcesResponse() }
        try await operations.run(found.id) {
            var record = try container(found.id)
            guard record.state == .running || record.state == .created else {
                throw CRIError.failedPrecondition("container \(record.id) is \(record.state.protoName): nothing to update")
            }
            let resources = ContainerSpec.ociResources(linux, devices: [])
            var body = resources
            body.devices = nil
            let encoder = JSONEncoder()
            try await runtime(record.runtimeHandler).update(record.id, resources: [UInt8](try encoder.encode(body)))
            record.config.linux.resources = linux
            try save(record)
        }
        return UpdateContainerResourcesResponse()
    }

    public func reopenContainerLog(_ request: ReopenContainerLogRequest) async throws -> ReopenContainerLogResponse {
        let record = try container(request.containerId)
        guard record.state == .running else {
            throw CRIError.failedPrecondition("container \(record.id) is not running")
        }
        let control = MonitorControl(socketPath: monitorDirectory(record.id) + "/control")
        try await Blocking.run { try control.reopenLog() }
        return ReopenContainerLogResponse()
    }

    /// Reads the container's exit record, if there is one now, into its record (and events).
    /// Called by the exit watcher, after start and stop, and for every container at start-up.
    func containerExited(_ id: String) {
        if var sandbox = lock.withLock({ sandboxes[id] }) {
            // The pause process died: the pod's namespaces are gone with it, CRI calls it NOTREADY.
            guard sandbox.state == .ready, FileIO.exists(exitFile(id)) else { return }
            sandbox.state = .notReady
            try? save(sandbox)
            return
        }
        guard var record = lock.withLock({ starting.contains(id) ? nil : containers[id] }), record.state != .exited,
              let exit = try? ExitRecord.read(exitFile(id)) else { return }
        record.state = .exited
        record.exitCode = exit.exitCode
        record.finishedAt = exit.finishedAt.nanosecondsSince1970
        if record.startedAt == 0 { record.startedAt = record.finishedAt }
        record.reason = exit.exitCode == 0 ? "Completed" : "Error"
        try? save(record)
        publish(record, .stopped)
    }

    func publish(_ record: ContainerRecord, _ type: ContainerEventType) {
        var e = ContainerEventResponse()
        e.containerId = record.id
        e.containerEventType = type
        e.createdAt = Self.now()
        if let sandbox = try? sandbox(record.sandboxID) { e.podSandboxStatus = status(of: sandbox) }
        e.containersStatuses = [containerStatus(of: record)]
        events.publish(e)
    }
}

struct VerboseContainerInfo: Encodable {
    var record: ContainerRecord
    var bundle: String
}
