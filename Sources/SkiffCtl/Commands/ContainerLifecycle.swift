// `skiffctl create`, `start`, `run`, `stop` and `rm`: containers from crictl's config files,
// and by id prefix after that.
import CRIAPI

public struct CreateContainer: Sendable {
    public var pod: String
    public var containerConfigPath: String
    public var podConfigPath: String
    /// Do not pull the image when the node lacks it.
    public var noPull = false

    public init(pod: String, containerConfigPath: String, podConfigPath: String) {
        self.pod = pod
        self.containerConfigPath = containerConfigPath
        self.podConfigPath = podConfigPath
    }

    public func run(_ context: CtlContext) async throws {
        let config = try ConfigFile.load(ContainerConfig.self, from: containerConfigPath)
        let sandbox = try ConfigFile.load(PodSandboxConfig.self, from: podConfigPath)
        let podID = try await context.podID(pod)
        context.console.line(try await context.createContainer(in: podID, config, sandbox, pull: !noPull))
    }
}

extension CtlContext {
    /// Creates a container (pulling its image first when asked and needed); its id.
    func createContainer(in pod: String, _ config: ContainerConfig, _ sandbox: PodSandboxConfig, pull: Bool) async throws -> String {
        if pull, !config.image.image.isEmpty { try await ensureImage(config.image.image, sandboxConfig: sandbox) }
        return try await CtlError.during("creating container \"\(config.metadata.name)\" in pod sandbox \(pod)") {
            try await runtime.createContainer(CreateContainerRequest(podSandboxId: pod, config: config, sandboxConfig: sandbox)).containerId
        }
    }

    func startContainer(_ id: String) async throws {
        try await CtlError.during("starting container \(id)") {
            _ = try await runtime.startContainer(StartContainerRequest(containerId: id))
        }
    }
}

public struct StartContainers: Sendable {
    public var ids: [String]

    public init(ids: [String]) { self.ids = ids }

    public func run(_ context: CtlContext) async throws {
        guard !ids.isEmpty else { throw CtlError("start", "name at least one container id") }
        for id in try await context.containerIDs(ids) {
            try await context.startContainer(id)
            context.console.line(id)
        }
    }
}

/// runp + create + start, as `crictl run` does; prints the container's id.
public struct RunContainer: Sendable {
    public var containerConfigPath: String
    public var podConfigPath: String
    public var runtimeHandler: String?
    public var noPull = false

    public init(containerConfigPath: String, podConfigPath: String) {
        self.containerConfigPath = containerConfigPath
        self.podConfigPath = podConfigPath
    }

    public func run(_ context: CtlContext) async throws {
        let config = try ConfigFile.load(ContainerConfig.self, from: containerConfigPath)
        let sandbox = try ConfigFile.load(PodSandboxConfig.self, from: podConfigPath)
        // Pull before the pod exists: a failed pull then leaves nothing behind.
        if !noPull, !config.image.image.isEmpty { try await context.ensureImage(config.image.image, sandboxConfig: sandbox) }
        let pod = try await context.runPod(sandbox, handler: runtimeHandler)
        let id = try await context.createContainer(in: pod, config, sandbox, pull: false)
        try await context.startContainer(id)
        context.console.line(id)
    }
}

public struct StopContainers: Sendable {
    public var ids: [String]
    /// Seconds between the stop signal and SIGKILL.
    public var timeout: Int64 = 0

    public init(ids: [String]) { self.ids = ids }

    public func run(_ context: CtlContext) async throws {
        guard !ids.isEmpty else { throw CtlError("stop", "name at least one container id") }
        for id in try await context.containerIDs(ids) {
            try await CtlError.during("stopping container \(id)") {
                _ = try await context.runtime.withTimeout(max(context.runtime.timeout, .seconds(timeout + 30)))
                    .stopContainer(StopContainerRequest(containerId: id, timeout: timeout))
            }
            context.console.line(id)
        }
    }
}

public struct RemoveContainers: Sendable {
    public var ids: [String] = []
    /// Remove running containers too (they are killed).
    public var force = false
    public var all = false

    public init() {}

    public func run(_ context: CtlContext) async throws {
        let containers = try await CtlError.during("listing containers") { try await context.runtime.listContainers().containers }
        let targets: [String]
        if all {
            targets = containers.map(\.id)
        } else {
            guard !ids.isEmpty else { throw CtlError("rm", "name at least one container id (or use --all)") }
            targets = try ids.map { try IDPrefix.resolve($0, among: containers.map(\.id), kind: "container") }
        }
        for id in targets {
            if !force, containers.first(where: { $0.id == id })?.state == .running {
                throw CtlError("removing container \(id)", "it is running; stop it first (skiffctl stop) or use -f")
            }
            try await CtlError.during("removing container \(id)") {
                _ = try await context.runtime.removeContainer(RemoveContainerRequest(containerId: id))
            }
            context.console.line(id)
        }
    }
}
