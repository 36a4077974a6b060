// `skiffctl runp`, `stopp` and `rmp`: start a pod sandbox from a pod-config file, stop and
// remove pods by id prefix.
import CRIAPI

public struct RunPod: Sendable {
    public var configPath: String
    /// The RuntimeClass handler (--runtime).
    public var runtimeHandler: String?

    public init(configPath: String) { self.configPath = configPath }

    public func run(_ context: CtlContext) async throws {
        let config = try ConfigFile.load(PodSandboxConfig.self, from: configPath)
        context.console.line(try await context.runPod(config, handler: runtimeHandler))
    }
}

extension CtlContext {
    /// Runs a pod sandbox; its id.
    func runPod(_ config: PodSandboxConfig, handler: String?) async throws -> String {
        var request = RunPodSandboxRequest(config: config)
        request.runtimeHandler = handler ?? ""
        return try await CtlError.during("running pod sandbox \"\(config.metadata.name)\"") {
            try await runtime.runPodSandbox(request).podSandboxId
        }
    }
}

public struct StopPods: Sendable {
    public var ids: [String]

    public init(ids: [String]) { self.ids = ids }

    public func run(_ context: CtlContext) async throws {
        guard !ids.isEmpty else { throw CtlError("stopp", "name at least one pod sandbox id") }
        for id in try await context.podIDs(ids) {
            try await CtlError.during("stopping pod sandbox \(id)") {
                _ = try await context.runtime.stopPodSandbox(StopPodSandboxRequest(podSandboxId: id))
            }
            context.console.line("Stopped sandbox \(id)")
        }
    }
}

public struct RemovePods: Sendable {
    public var ids: [String] = []
    /// Remove pods that are still ready (stopping them).
    public var force = false
    public var all = false

    public init() {}

    public func run(_ context: CtlContext) async throws {
        let pods = try await CtlError.during("listing pod sandboxes") { try await context.runtime.listPodSandbox().items }
        var targets: [String]
        if all {
            targets = pods.map(\.id)
        } else {
            guard !ids.isEmpty else { throw CtlError("rmp", "name at least one pod sandbox id (or use --all)") }
            targets = try ids.map { try IDPrefix.resolve($0, among: pods.map(\.id), kind: "pod sandbox") }
        }
        for id in targets {
            if !force, pods.first(where: { $0.id == id })?.state == .ready {
                throw CtlError("removing pod sandbox \(id)", "it is running; stop it first (skiffctl stopp) or use -f")
            }
            try await CtlError.during("removing pod sandbox \(id)") {
                _ = try await context.runtime.removePodSandbox(RemovePodSandboxRequest(podSandboxId: id))
            }
            context.console.line("Removed sandbox \(id)")
        }
    }
}
