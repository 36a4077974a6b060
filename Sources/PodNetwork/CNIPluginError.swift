// A CNI plugin call that failed: which network, plugin and command, and how it failed.
public struct CNIPluginError: Error, CustomStringConvertible, Sendable {
    public enum Failure: Sendable, Hashable {
        /// The plugin's error result (the CNI spec's {"code", "msg", "details"}).
        case errorResult(code: Int, message: String, details: String?)
        /// It failed without an error result; `output` is what it printed (stderr first).
        case exited(status: String, output: String)
        /// It ran longer than the plugin timeout and was killed.
        case timedOut(seconds: Double)
        /// No executable of that name in any plugin directory.
        case notFound(directories: [String])
        /// It could not be started, or its ADD result is unusable.
        case failed(String)
    }

    public let network: String
    public let plugin: String
    public let command: String
    public let failure: Failure

    public var description: String {
        let prefix = "CNI network \"\(network)\": plugin \(plugin) \(command)"
        switch failure {
        case .errorResult(let code, let message, let details):
            let more = details.map { $0.isEmpty ? "" : " (\($0))" } ?? ""
            return "\(prefix) failed with error \(code) (\(Self.codeName(code))): \(message)\(more)"
        case .exited(let status, let output):
            return "\(prefix) failed with \(status)" + (output.isEmpty ? "" : ": \(output)")
        case .timedOut(let seconds):
            return "\(prefix) timed out after \(seconds) s and was killed"
        case .notFound(let directories):
            return "\(prefix): no executable \"\(plugin)\" in \(directories.joined(separator: ", "))"
        case .failed(let reason):
            return "\(prefix): \(reason)"
        }
    }

    /// The CNI spec's well-known error codes.
    static func codeName(_ code: Int) -> String {
        switch code {
        case 1: "incompatible CNI version"
        case 2: "unsupported field in network configuration"
        case 3: "container unknown or does not exist"
        case 4: "invalid necessary environment variables"
        case 5: "I/O failure"
        case 6: "failed to decode content"
        case 7: "invalid network config"
        case 11: "try again later"
        case 50: "plugin not available"
        case 51: "plugin not available; limited connectivity"
        default: code >= 100 ? "plugin-specific" : "reserved"
        }
    }
}
