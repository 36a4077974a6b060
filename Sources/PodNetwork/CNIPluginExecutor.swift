// Runs one CNI plugin: the executable found in the plugin directories, CNI_* variables in its
// environment, its config on stdin, its result (or error) on stdout, a deadline.
import CSkiffSystem
import Foundation
import Glibc

public struct CNIPluginExecutor: Sendable {
    /// Where plugin executables are looked up, first match wins (also the plugins' CNI_PATH).
    public var pluginDirectories: [String]
    /// How long one plugin call may take before it is killed.
    public var timeout: Duration
    /// The network namespace plugins run in: the "host" side of every pod network (bridge,
    /// iptables rules). nil means this process's own, which is what a node daemon wants; tests
    /// give a namespace of their own so that the machine's network is never touched.
    public var hostNetworkNamespace: String?

    public init(pluginDirectories: [String], timeout: Duration = .seconds(60), hostNetworkNamespace: String? = nil) {
        self.pluginDirectories = pluginDirectories
        self.timeout = timeout
        self.hostNetworkNamespace = hostNetworkNamespace
    }

    /// A plugin call: what the CNI spec passes in the environment, besides the config on stdin.
    public struct Call: Sendable {
        public var command: String            // ADD, DEL, CHECK, VERSION
        public var containerID: String
        public var networkNamespace: String   // CNI_NETNS: a path
        public var interfaceName: String      // CNI_IFNAME
        public var args: [(String, String)]   // CNI_ARGS, joined as K=V;K=V

        public init(command: String, containerID: String, networkNamespace: String, interfaceName: String,
                    args: [(String, String)]) {
            self.command = command
            self.containerID = containerID
            self.networkNamespace = networkNamespace
            self.interfaceName = interfaceName
            self.args = args
        }
    }

    /// The path of the plugin executable `type`, or nil.
    public func find(_ type: String) -> String? {
        pluginDirectories.map { $0 + "/" + type }.first { access($0, X_OK) == 0 }
    }

    /// Runs plugin `type` and returns its stdout when it exits 0. `network` names the network in errors.
    public func run(_ type: String, network: String, call: Call, config: [UInt8]) throws(CNIPluginError) -> [UInt8] {
        func fail(_ failure: CNIPluginError.Failure) -> CNIPluginError {
            CNIPluginError(network: network, plugin: type, command: call.command, failure: failure)
        }
        guard let path = find(type) else { throw fail(.notFound(directories: pluginDirectories)) }
        let finished: FinishedPlugin
        do {
            finished = try PluginProcess.run(
                path: path, environment: environment(for: call), stdin: config,
                timeout: timeout, networkNamespace: hostNetworkNamespace)
        } catch PluginProcess.Failure.timedOut {
            throw fail(.timedOut(seconds: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18))
        } catch {
            throw fail(.failed("\(error)"))
        }
        if finished.exitedZero { return finished.stdout }
        // The spec's error result; anything else is reported as printed.
        if let object = try? JSONValue.parse(finished.stdout).objectValue, case .integer(let code)? = object["code"] {
            throw fail(.errorResult(code: Int(code), message: object["msg"]?.stringValue ?? "",
                                    details: object["details"]?.stringValue))
        }
        let output = [finished.stderr, finished.stdout]
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
            .joined(separator: "\n")
        throw fail(.exited(status: finished.status, output: String(output.prefix(2000))))
    }

    /// Our environment (plugins need PATH, e.g. portmap runs iptables) with the call's CNI_* set.
    private func environment(for call: Call) -> [String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CNI_") }
        // A daemon started from a bare shell may lack the sbin directories iptables lives in.
        var path = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        where !path.contains(directory) {
            path.append(directory)
        }
        environment["PATH"] = path.joined(separator: ":")
        environment["CNI_COMMAND"] = call.command
        environment["CNI_CONTAINERID"] = call.containerID
        environment["CNI_NETNS"] = call.networkNamespace
        environment["CNI_IFNAME"] = call.interfaceName
        environment["CNI_ARGS"] = call.args.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
        environment["CNI_PATH"] = pluginDirectories.joined(separator: ":")
        return environment.map { "\($0.key)=\($0.value)" }
    }
}
