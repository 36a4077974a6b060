// ADD, DEL and CHECK of a network list for one container, as the CNI spec's runtime does them:
// plugins in order (DEL in reverse), each given the list's name and version, the previous
// plugin's result and the runtime values of the capabilities it declares.
import Foundation

public struct CNIRuntime: Sendable {
    public let executor: CNIPluginExecutor
    public let cache: CNIResultCache

    public init(executor: CNIPluginExecutor, cache: CNIResultCache) {
        self.executor = executor
        self.cache = cache
    }

    /// Attaches the container to the network; the last plugin's result is the network's result,
    /// and it is cached for DEL and CHECK. On failure nothing is undone: call `delete`.
    public func add(_ list: CNIConfig, _ attachment: CNIAttachment) throws -> CNIResult {
        try attachment.validate(needsNamespace: true)
        var previous: JSONValue?
        for plugin in list.plugins {
            let output = try run(plugin, of: list, command: "ADD", attachment, prevResult: previous)
            do {
                let value = try JSONValue.parse(output)
                _ = try CNIResult(json: value, origin: "result")
                previous = value
            } catch {
                let text = String(decoding: output.prefix(500), as: UTF8.self)
                throw CNIPluginError(network: list.name, plugin: plugin.type, command: "ADD",
                                     failure: .failed("unusable result (\(error)): \(text)"))
            }
        }
        let result = try CNIResult(json: previous!, origin: "CNI network \"\(list.name)\"")
        try cache.write(CNIResultCache.Entry(
            containerId: attachment.containerID, ifName: attachment.interfaceName, networkName: list.name,
            netns: attachment.networkNamespace, config: try JSONValue.parse(list.encoded()),
            cniArgs: attachment.args.map { [$0.0, $0.1] }, capabilityArgs: attachment.capabilityArgs,
            result: result.json))
        return result
    }

    /// Detaches the container: every plugin's DEL, last plugin first, even when one fails (so
    /// that the address is freed when, say, a firewall rule is already gone); the first
    /// failure is thrown afterwards and the cached result kept for a retry. Plugins are given
    /// the cached ADD result, and the cached capability values when `attachment` has none.
    public func delete(_ list: CNIConfig, _ attachment: CNIAttachment) throws {
        try attachment.validate(needsNamespace: false)
        let cached = try cache.read(network: list.name, containerID: attachment.containerID,
                                    interfaceName: attachment.interfaceName)
        var attachment = attachment
        if attachment.capabilityArgs.isEmpty, let cached { attachment.capabilityArgs = cached.capabilityArgs }
        // prevResult on DEL came with spec 0.4.0.
        let previous = Self.version(list.cniVersion, atLeast: "0.4.0") ? cached?.result : nil
        var firstFailure: Error?
        for plugin in list.plugins.reversed() {
            do {
                _ = try run(plugin, of: list, command: "DEL", attachment, prevResult: previous)
            } catch {
                firstFailure = firstFailure ?? error
            }
        }
        if let firstFailure { throw firstFailure }
        try cache.remove(network: list.name, containerID: attachment.containerID,
                         interfaceName: attachment.interfaceName)
    }

    /// Asks each plugin whether the container's networking is still as ADD left it.
    public func check(_ list: CNIConfig, _ attachment: CNIAttachment) throws {
        try attachment.validate(needsNamespace: true)
        guard Self.version(list.cniVersion, atLeast: "0.4.0") else {
            throw PodNetworkError("CNI network \"\(list.name)\": CHECK needs cniVersion 0.4.0 or later, not \(list.cniVersion)")
        }
        if list.disableCheck { return }
        guard let cached = try cache.read(network: list.name, containerID: attachment.containerID,
                                          interfaceName: attachment.interfaceName) else {
            throw PodNetworkError("CNI network \"\(list.name)\": no cached ADD result for \(attachment.containerID) \(attachment.interfaceName) to CHECK")
        }
        for plugin in list.plugins {
            _ = try run(plugin, of: list, command: "CHECK", attachment, prevResult: cached.result)
        }
    }

    /// The cached ADD result of an attachment, if there is one.
    public func cachedResult(network: String, containerID: String, interfaceName: String) throws -> CNIResult? {
        guard let entry = try cache.read(network: network, containerID: containerID, interfaceName: interfaceName) else {
            return nil
        }
        return try CNIResult(json: entry.result, origin: cache.path(network: network, containerID: containerID, interfaceName: interfaceName))
    }

    private func run(_ plugin: CNIConfig.Plugin, of list: CNIConfig, command: String, _ attachment: CNIAttachment,
                     prevResult: JSONValue?) throws -> [UInt8] {
        let config = try Self.pluginConfig(plugin, of: list, prevResult: prevResult,
                                           capabilityArgs: attachment.capabilityArgs)
        let call = CNIPluginExecutor.Call(
            command: command, containerID: attachment.containerID, networkNamespace: attachment.networkNamespace,
            interfaceName: attachment.interfaceName, args: attachment.args)
        return try executor.run(plugin.type, network: list.name, call: call, config: config)
    }

    /// What the plugin reads on stdin: its own config with the list's name and version, the
    /// previous result, and runtimeConfig holding only the capabilities it declared.
    static func pluginConfig(_ plugin: CNIConfig.Plugin, of list: CNIConfig, prevResult: JSONValue?,
                             capabilityArgs: [String: JSONValue]) throws -> [UInt8] {
        var object = plugin.fields
        object["name"] = .string(list.name)
        object["cniVersion"] = .string(list.cniVersion)
        if let prevResult { object["prevResult"] = prevResult }
        let runtimeConfig = capabilityArgs.filter { plugin.capabilities.contains($0.key) }
        if !runtimeConfig.isEmpty { object["runtimeConfig"] = .object(runtimeConfig) }
        return try JSONValue.object(object).encoded()
    }

    /// Compares dotted versions numerically: "1.0.0" ≥ "0.4.0".
    static func version(_ version: String, atLeast minimum: String) -> Bool {
        func parts(_ text: String) -> [Int] { text.split(separator: ".").map { Int($0) ?? 0 } }
        let (a, b) = (parts(version), parts(minimum))
        for index in 0..<max(a.count, b.count) {
            let (x, y) = (index < a.count ? a[index] : 0, index < b.count ? b[index] : 0)
            if x != y { return x > y }
        }
        return true
    }
}
