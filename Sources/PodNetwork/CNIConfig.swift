// A CNI network configuration list (a .conflist, or a single-plugin .conf wrapped into one), and
// how the node's network is chosen from a config directory: the lexically first valid file, as
// libcni's users (containerd, CRI-O) do.
import Foundation

public struct CNIConfig: Sendable, Hashable {
    public struct Plugin: Sendable, Hashable {
        /// The plugin executable's name, found in the plugin directories.
        public let type: String
        /// The runtime capabilities the plugin declared true ("portMappings", "bandwidth", ...).
        public let capabilities: Set<String>
        /// The plugin's config object as written, handed to the plugin unchanged.
        public let fields: [String: JSONValue]
    }

    public let name: String
    public let cniVersion: String
    /// CHECK is skipped for lists that ask so.
    public let disableCheck: Bool
    public let plugins: [Plugin]
    /// The file the config came from, for messages ("" when built in code).
    public let source: String

    /// The file kinds a config directory is read for, as libcni's ConfFiles.
    public static let fileExtensions = ["conf", "conflist", "json"]
    /// Result formats this library reads: the 0.3/0.4 and 1.x shapes.
    public static let supportedVersions: Set<String> = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]

    /// The list containerd runs for every pod to bring up `lo` (interface name "lo").
    public static let loopback = CNIConfig(
        name: "cni-loopback", cniVersion: "1.0.0", disableCheck: true,
        plugins: [Plugin(type: "loopback", capabilities: [], fields: ["type": .string("loopback")])],
        source: "")

    init(name: String, cniVersion: String, disableCheck: Bool, plugins: [Plugin], source: String) {
        self.name = name
        self.cniVersion = cniVersion
        self.disableCheck = disableCheck
        self.plugins = plugins
        self.source = source
    }

    /// Parses a config: a list (with "plugins") or a single plugin's config, which becomes a
    /// list of one. `source` names it in errors.
    public init(json: some Collection<UInt8>, source: String) throws {
        func fail(_ problem: String) -> CNIConfigError { CNIConfigError(file: source, problem: problem) }
        let value: JSONValue
        do {
            value = try JSONValue.parse(json)
        } catch {
            throw fail("not valid JSON: \(error)")
        }
        guard let object = value.objectValue else { throw fail("the top level is \(value.kindName), not an object") }

        let name = try Self.requiredString("name", in: object, source: source)
        guard Self.isValidNetworkName(name) else {
            throw fail("\"name\" \"\(name)\" must start with a letter or digit and hold only letters, digits, '_', '.' and '-'")
        }
        let version = try Self.requiredString("cniVersion", in: object, source: source)
        guard Self.supportedVersions.contains(version) else {
            throw fail("\"cniVersion\" \"\(version)\" is not supported (supported: \(Self.supportedVersions.sorted().joined(separator: ", ")))")
        }
        var disableCheck = false
        if let flag = object["disableCheck"] {
            guard let bool = flag.boolValue else { throw fail("\"disableCheck\" is \(flag.kindName), not a boolean") }
            disableCheck = bool
        }

        let pluginObjects: [JSONValue]
        if let list = object["plugins"] {
            guard case .array(let items) = list else { throw fail("\"plugins\" is \(list.kindName), not an array") }
            guard !items.isEmpty else { throw fail("\"plugins\" is empty") }
            pluginObjects = items
        } else if object["type"] != nil {
            pluginObjects = [value]  // a single plugin's .conf
        } else {
            throw fail("neither \"plugins\" (a list) nor \"type\" (a single plugin) is set")
        }
        let plugins = try pluginObjects.enumerated().map { index, item in
            try Self.plugin(item, field: object["plugins"] == nil ? "" : "plugins[\(index)].", source: source)
        }
        self.init(name: name, cniVersion: version, disableCheck: disableCheck, plugins: plugins, source: source)
    }

    /// Reads and parses one config file.
    public static func load(file path: String) throws -> CNIConfig {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CNIConfigError(file: path, problem: "cannot be read (\(error.localizedDescription))")
        }
        return try CNIConfig(json: bytes, source: path)
    }

    /// The config files of `directory` in the order they are tried: lexical, by file name.
    public static func candidateFiles(directory: String) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw CNIConfigError(file: directory, problem: "the CNI config directory cannot be read (\(error.localizedDescription))")
        }
        return names
            .filter { name in fileExtensions.contains { name.hasSuffix("." + $0) } }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { directory + "/" + $0 }
    }

    /// The node's network: the first file of `directory` (see candidateFiles) that parses.
    /// Files before it that do not are returned as `skipped`, for the caller to log; when none
    /// parses the error names the directory and every file's problem.
    public static func load(directory: String) throws -> (config: CNIConfig, skipped: [CNIConfigError]) {
        var skipped: [CNIConfigError] = []
        for file in try candidateFiles(directory: directory) {
            do {
                return (try load(file: file), skipped)
            } catch let error as CNIConfigError {
                skipped.append(error)
            }
        }
        let problems = skipped.isEmpty ? "" : ": " + skipped.map(\.description).joined(separator: "; ")
        throw CNIConfigError(file: directory,
                             problem: "no valid network config (*.conflist, *.conf, *.json)\(problems)")
    }

    /// The list as a .conflist, for the result cache (a DEL after the config changed still
    /// runs the plugins that were ADDed).
    public func encoded() throws -> [UInt8] {
        var object: [String: JSONValue] = [
            "name": .string(name), "cniVersion": .string(cniVersion),
            "plugins": .array(plugins.map { .object($0.fields) }),
        ]
        if disableCheck { object["disableCheck"] = .bool(true) }
        return try JSONValue.object(object).encoded()
    }

    private static func plugin(_ value: JSONValue, field prefix: String, source: String) throws -> Plugin {
        func fail(_ problem: String) -> CNIConfigError { CNIConfigError(file: source, problem: problem) }
        guard let object = value.objectValue else {
            throw fail("\(prefix.isEmpty ? "the plugin" : String(prefix.dropLast())) is \(value.kindName), not an object")
        }
        guard let typeValue = object["type"] else { throw fail("\(prefix)type is missing") }
        guard let type = typeValue.stringValue, !type.isEmpty else {
            throw fail("\(prefix)type must be a non-empty string")
        }
        guard !type.contains("/"), type != ".", type != ".." else {
            throw fail("\(prefix)type \"\(type)\" must be a plugin's file name, not a path")
        }
        var capabilities: Set<String> = []
        if let declared = object["capabilities"] {
            guard let map = declared.objectValue else {
                throw fail("\(prefix)capabilities is \(declared.kindName), not an object")
            }
            for (capability, enabled) in map {
                guard let on = enabled.boolValue else {
                    throw fail("\(prefix)capabilities.\(capability) is \(enabled.kindName), not a boolean")
                }
                if on { capabilities.insert(capability) }
            }
        }
        return Plugin(type: type, capabilities: capabilities, fields: object)
    }

    private static func requiredString(_ key: String, in object: [String: JSONValue], source: String) throws -> String {
        guard let value = object[key] else { throw CNIConfigError(file: source, problem: "\"\(key)\" is missing") }
        guard let string = value.stringValue, !string.isEmpty else {
            throw CNIConfigError(file: source, problem: "\"\(key)\" must be a non-empty string, not \(value.kindName)")
        }
        return string
    }

    /// The CNI spec's network name: ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$ (it also names cache files).
    static func isValidNetworkName(_ name: String) -> Bool {
        func alnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) }
        let bytes = Array(name.utf8)
        guard let first = bytes.first, alnum(first) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }
}

/// A config that cannot be used, naming the file (or directory) and what is wrong in it.
public struct CNIConfigError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let problem: String
    public var description: String { "CNI config \(file): \(problem)" }
}

/// The useful part of a JSONDecoder error: where and what, without the Swift type dump.
func jsonErrorSummary(_ error: Error) -> String {
    guard let decoding = error as? DecodingError else { return "\(error)" }
    switch decoding {
    case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context):
        let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
        return underlying ?? context.debugDescription
    @unknown default:
        return "\(error)"
    }
}
