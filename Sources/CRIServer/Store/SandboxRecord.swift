// What the daemon knows of a pod sandbox, kept on disk so a restarted daemon knows it too.
import CRIAPI

struct SandboxRecord: Codable, Sendable {
    var id: String
    var config: PodSandboxConfig
    var runtimeHandler: String
    var state: PodSandboxState
    var createdAt: Int64
    /// The network namespace file; empty when the pod uses the node's network.
    var netnsPath: String
    var ips: [String]
    /// The pause container's process, while it runs.
    var pid: Int32

    var namespaceOptions: NamespaceOption { config.linux.securityContext.namespaceOptions }
    var hostNetwork: Bool { namespaceOptions.network == .node }
}
