// skiff-kubelet: the node agent. Flags as the kubelet's; everything else is the Kubelet library.
import ArgumentParser
import Dispatch
import Foundation
import Kubelet

@main
struct SkiffKubelet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff-kubelet",
        abstract: "The node agent: runs the pods of a static pod directory through skiff-cri.",
        discussion: """
        Each file in the static pod directory (dotfiles aside) is one Pod, YAML or JSON. A new
        file starts its pod, a changed one replaces it, a removed one stops it. ConfigMaps and
        Secrets come from files: <root-dir>/configmaps/<namespace>/<name>/<key> and
        <root-dir>/secrets/<namespace>/<name>/<key>.
        """,
        version: "skiff-kubelet 0.1.0")

    @Option(name: .customLong("pod-manifest-path"), help: "The static pod directory (config: staticPodPath).")
    var podManifestPath: String?
    @Option(name: .customLong("container-runtime-endpoint"), help: "skiff-cri's socket (default unix:///run/skiff/cri.sock).")
    var containerRuntimeEndpoint: String?
    @Option(name: .customLong("root-dir"), help: "Volumes and the kubelet's files.")
    var rootDir = "/var/lib/skiff-kubelet"
    @Option(name: .customLong("hostname-override"), help: "The node's name (default: the hostname).")
    var hostnameOverride: String?
    @Option(help: "The kubelet API's port (default 10250; 0: any free port).") var port: Int?
    @Option(help: "The kubelet API's address (default 127.0.0.1: the node only; the API has no authentication).") var address: String?
    @Option(help: "A KubeletConfiguration file (YAML or JSON); flags override it.") var config: String?
    @Option(name: .customLong("sync-frequency"), help: "How often every pod is resynced, e.g. 1m.")
    var syncFrequency: String?
    @Option(name: .customLong("file-check-frequency"), help: "How often the static pod directory is re-read besides inotify.")
    var fileCheckFrequency: String?
    @Option(name: .customLong("cgroup-root"), help: "The parent of the kubepods cgroup (default /).")
    var cgroupRoot: String?
    @Option(name: .customLong("node-ip"), help: "The node's IP for status.hostIP (default: the first non-loopback IPv4).")
    var nodeIP: String?
    @Option(name: .customLong("runtime-request-timeout"), help: "The longest one CRI call may take, e.g. 2m.")
    var runtimeRequestTimeout: String?

    func run() async throws {
        var settings = KubeletSettings(nodeName: hostnameOverride)
        settings.rootDirectory = absolute(rootDir)
        do {
            if let config { try KubeletConfiguration.load(path: absolute(config)).apply(to: &settings) }
            if let podManifestPath { settings.staticPodPath = absolute(podManifestPath) }
            if let containerRuntimeEndpoint { settings.runtimeEndpoint = containerRuntimeEndpoint }
            if let port { settings.port = port }
            if let address { settings.address = address }
            if let syncFrequency { settings.syncFrequency = try GoDuration.parse(syncFrequency) }
            if let fileCheckFrequency { settings.fileCheckFrequency = try GoDuration.parse(fileCheckFrequency) }
            if let cgroupRoot { settings.cgroupRoot = cgroupRoot }
            if let nodeIP { settings.nodeIP = nodeIP }
            if let runtimeRequestTimeout { settings.runtimeRequestTimeout = try GoDuration.parse(runtimeRequestTimeout) }
        } catch {
            throw ValidationError("\(error)")
        }
        let kubelet = try Kubelet(settings: settings)
        let server = try await KubeletServer.bind(kubelet: kubelet)
        KubeletLogger.standardError.info("kubelet API on http://\(server.host.contains(":") ? "[\(server.host)]" : server.host):\(server.port)")
        signal(SIGPIPE, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let serving = Task { try await server.run() }
        let main = Task {
            await kubelet.run()
            serving.cancel()
        }
        signalSources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler {
                KubeletLogger.standardError.info("signal \(number): exiting (pods keep running)")
                main.cancel()
            }
            source.resume()
            return source
        }
        await main.value
    }

    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

/// The signal sources live as long as the process: a local would be released early by the
/// optimizer, and a release build would then ignore SIGTERM.
nonisolated(unsafe) var signalSources: [any DispatchSourceSignal] = []
