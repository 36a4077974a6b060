// skiff-cri: the CRI daemon. Flags as DESIGN.md lists them; everything else is CRIServer.
import ArgumentParser
import CRIServer
import Dispatch
import Foundation
import ImageStore

@main
enum Main {
    /// `skiff-cri fetch-image ...` is the daemon's own pull process (FetchImage); anything else
    /// is the daemon.
    static func main() async {
        CRIDaemon.configureProcess()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == FetchImage.configuration.commandName {
            await FetchImage.main(Array(arguments.dropFirst()))
        } else {
            await SkiffCRI.main(arguments)
        }
    }
}

struct SkiffCRI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff-cri", abstract: "The CRI daemon: pod sandboxes, containers and images over HTTP/JSON on a Unix socket.",
        version: "skiff-cri 0.1.0")

    @Option(help: "Images, snapshots and records.") var root = "/var/lib/skiff"
    @Option(help: "Runtime files: sandboxes, bundles, monitors' sockets, network namespaces.") var state = "/run/skiff"
    @Option(help: "The API socket (default: <state>/cri.sock).") var listen: String?
    @Option(help: "The default OCI runtime (default: skiff-runtime beside this binary, else on PATH).") var runtime: String?
    @Option(name: .customLong("runtime-handler"), help: "Another runtime handler, NAME=PATH (repeatable), e.g. runc=/usr/sbin/runc.")
    var runtimeHandlers: [String] = []
    @Option(help: "The container monitor binary (default: skiff-monitor beside this binary).") var monitor: String?
    @Option(help: "The pause binary, static (default: skiff-pause beside this binary).") var pause: String?
    @Option(name: .customLong("cni-conf-dir")) var cniConfDir = "/etc/skiff/cni"
    @Option(name: .customLong("cni-bin-dir"), help: "Where CNI plugins are (repeatable).") var cniBinDirs: [String] = []
    @Option(name: .customLong("insecure-registry"), help: "HOST:PORT reached over plain HTTP (repeatable).") var insecureRegistries: [String] = []
    @Option(name: .customLong("stream-address"), help: "Where the streaming server (exec, attach, port-forward) listens.")
    var streamAddress = "127.0.0.1"
    @Option(name: .customLong("stream-port"), help: "The streaming server's port (0: a free one).")
    var streamPort = 0
    @Option(name: .customLong("log-level")) var logLevel = "info"

    func run() async throws {
        var config = DaemonConfig()
        config.root = absolute(root)
        config.state = absolute(state)
        config.listen = absolute(listen ?? config.state + "/cri.sock")
        config.runtimePath = try locate(runtime, "skiff-runtime")
        for entry in runtimeHandlers {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--runtime-handler \(entry): expected NAME=PATH") }
            config.runtimeHandlers[parts[0]] = try locate(parts[1], parts[1])
        }
        config.monitorPath = try locate(monitor, "skiff-monitor")
        config.pausePath = try locate(pause, "skiff-pause")
        config.cniConfDir = absolute(cniConfDir)
        if !cniBinDirs.isEmpty { config.cniBinDirs = cniBinDirs.map(absolute) }
        config.insecureRegistries = Set(insecureRegistries)
        config.fetchCommand = ["/proc/self/exe", "fetch-image"]   // this very binary, even if replaced on disk
        guard (0...65535).contains(streamPort) else { throw ValidationError("--stream-port \(streamPort): not a port (0-65535)") }
        config.streamingAddress = streamAddress
        config.streamingPort = streamPort

        let daemon = try await CRIDaemon(config: config)
        for warning in daemon.runtime.startupWarnings { log("warning: \(warning)") }
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        signalSources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { log("signal \(number): shutting down (containers keep running)"); daemon.shutdown() }
            source.resume()
            return source
        }
        log("listening on \(config.listen); streaming on \(daemon.streaming.baseURL)")
        try await daemon.run()
    }

    /// An explicit path, else `name` beside this executable, else on PATH.
    func locate(_ explicit: String?, _ name: String) throws -> String {
        if let explicit {
            if explicit.contains("/") { return absolute(explicit) }
            if let found = onPath(explicit) { return found }
            throw ValidationError("\(explicit) is not on PATH")
        }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path + "/" + name
        if access(beside, X_OK) == 0 { return beside }
        if let found = onPath(name) { return found }
        throw ValidationError("\(name) not found beside skiff-cri nor on PATH (pass --\(name.replacingOccurrences(of: "skiff-", with: "")))")
    }

    func onPath(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

/// A pull's registry part, run by the daemon in a process of its own (see FetchProcess).
struct FetchImage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch-image", abstract: "Fetch an image into a store (blobs and snapshots) and print what was fetched; the daemon records it.")

    @Option(help: "The store's root, as the daemon's --root.") var root: String
    @Option(name: .customLong("insecure-registry"), help: "HOST:PORT reached over plain HTTP (repeatable).") var insecureRegistries: [String] = []
    @Argument(help: "The image reference.") var reference: String

    func run() async throws {
        var options = PullOptions(insecureRegistries: Set(insecureRegistries))
        let input = FileHandle.standardInput.readDataToEndOfFile()
        if !input.isEmpty {
            struct Input: Decodable { var credentials: [String: RegistryCredentials] }
            options.credentials = try JSONDecoder().decode(Input.self, from: input).credentials
        }
        do {
            let fetched = try await ImageIndex.fetch(reference, options: options, root: root)
            FileHandle.standardOutput.write(try JSONEncoder().encode(fetched))
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// The signal sources live as long as the process: a local would be released early by the
/// optimizer (release builds then ignored SIGTERM).
nonisolated(unsafe) var signalSources: [any DispatchSourceSignal] = []

func log(_ message: String) {
    FileHandle.standardError.write(Data("skiff-cri: \(message)\n".utf8))
}

