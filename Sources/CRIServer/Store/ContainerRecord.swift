// What the daemon knows of a container, kept on disk; its exit comes from the monitor's exit
// file, which outlives both the container and the daemon.
import CRIAPI

struct ContainerRecord: Codable, Sendable {
    var id: String
    var sandboxID: String
    var config: ContainerConfig
    /// The image as the request named it, and the image's ID it resolved to.
    var image: String
    var imageID: String
    /// The image's repo digest (CRI's imageRef), or its ID when it has none.
    var imageRef: String
    var runtimeHandler: String
    var state: ContainerState
    var createdAt: Int64
    var startedAt: Int64
    var finishedAt: Int64
    var exitCode: Int32
    var reason: String
    var message: String
    var logPath: String
    var pid: Int32
    /// The cgroup path in the OCI config (for stats), and the image's stop signal.
    var cgroupsPath: String
    var stopSignal: String

    var metadataName: String { config.metadata.name }
}
