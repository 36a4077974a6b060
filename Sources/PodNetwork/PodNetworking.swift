// A node's pod networking through CNI, as containerd's CRI plugin does it: each sandbox gets
// `lo` from the loopback plugin and `eth0` from the node's network (the first valid config of
// the config directory); teardown undoes both, from the cached results when there are some.
import Foundation

/// The pod a sandbox network is for.
public struct PodSandboxNetwork: Sendable {
    public var sandboxID: String
    public var podNamespace: String
    public var podName: String
    public var podUID: String
    /// The sandbox's network namespace (see NetworkNamespace).
    public var networkNamespace: String
    public var portMappings: [PortMapping]

    public init(sandboxID: String, podNamespace: String, podName: String, podUID: String,
                networkNamespace: String, portMappings: [PortMapping] = []) {
        self.sandboxID = sandboxID
        self.podNamespace = podNamespace
        self.podName = podName
        self.podUID = podUID
        self.networkNamespace = networkNamespace
        self.portMappings = portMappings
    }

    /// CNI_ARGS as the kubelet's runtimes pass them; IgnoreUnknown so plugins that know none
    /// of these keys do not refuse them.
    var cniArgs: [(String, String)] {
        [("IgnoreUnknown", "1"), ("K8S_POD_NAMESPACE", podNamespace), ("K8S_POD_NAME", podName),
         ("K8S_POD_INFRA_CONTAINER_ID", sandboxID), ("K8S_POD_UID", podUID)]
    }
}

/// What a sandbox got: its addresses (the CRI PodSandboxStatus's network) and the full result.
public struct PodNetworkStatus: Sendable, Hashable {
    /// The network the addresses are in.
    public var network: String
    /// The pod's IPs, the first is the primary one.
    public var ips: [String]
    public var result: CNIResult
}

public struct PodNetworking: Sendable {
    /// Where the node's network config is read from (`--cni-conf-dir`).
    public let configDirectory: String
    public let runtime: CNIRuntime
    /// The interface every pod network gets inside the sandbox.
    public static let interfaceName = "eth0"

    /// `stateDirectory` holds the cached results (`<stateDirectory>/results/`).
    public init(configDirectory: String, pluginDirectories: [String], stateDirectory: String,
                pluginTimeout: Duration = .seconds(60), hostNetworkNamespace: String? = nil) {
        self.configDirectory = configDirectory
        self.runtime = CNIRuntime(
            executor: CNIPluginExecutor(pluginDirectories: pluginDirectories, timeout: pluginTimeout,
                                        hostNetworkNamespace: hostNetworkNamespace),
            cache: CNIResultCache(directory: stateDirectory))
    }

    /// The node's network as the config directory has it now (read on every call, so that a
    /// config dropped in later is picked up, as containerd's watcher would).
    public func currentConfig() throws -> CNIConfig {
        try CNIConfig.load(directory: configDirectory).config
    }

    /// Brings up `lo` and `eth0` in the sandbox's namespace. If any step fails, what was done
    /// is undone (best effort) before the error is thrown, so no address stays allocated.
    public func setUp(_ pod: PodSandboxNetwork) throws -> PodNetworkStatus {
        let config = try currentConfig()
        try pod.portMappings.forEach { try $0.validate() }
        do {
            _ = try runtime.add(.loopback, loopbackAttachment(pod))
            let result = try runtime.add(config, try networkAttachment(pod))
            return PodNetworkStatus(network: config.name, ips: result.podIPs(interfaceName: Self.interfaceName),
                                    result: result)
        } catch {
            try? tearDown(pod, fallback: config)
            throw error
        }
    }

    /// Takes the sandbox off its networks: the cached networks it was ADDed to (else the
    /// current config's), then `lo`. Safe to repeat, and to call when the namespace is gone.
    public func tearDown(_ pod: PodSandboxNetwork) throws {
        try tearDown(pod, fallback: nil)
    }

    /// Whether the sandbox's networking is still as set up (CNI CHECK of each network).
    public func check(_ pod: PodSandboxNetwork) throws {
        try runtime.check(try currentConfig(), try networkAttachment(pod))
    }

    /// The sandbox's addresses from the cached result, e.g. after a daemon restart; nil when
    /// it has no network.
    public func status(sandboxID: String) throws -> PodNetworkStatus? {
        let entries = try runtime.cache.entries(containerID: sandboxID)
        guard let entry = entries.first(where: { $0.ifName == Self.interfaceName }) else { return nil }
        let result = try CNIResult(json: entry.result, origin: "cached result of \(sandboxID)")
        return PodNetworkStatus(network: entry.networkName, ips: result.podIPs(interfaceName: Self.interfaceName),
                                result: result)
    }

    private func tearDown(_ pod: PodSandboxNetwork, fallback: CNIConfig?) throws {
        var networks: [CNIConfig] = []
        let cached = try runtime.cache.entries(containerID: pod.sandboxID).filter { $0.ifName == Self.interfaceName }
        for entry in cached {
            networks.append(try CNIConfig(json: entry.config.encoded(),
                                          source: runtime.cache.path(network: entry.networkName, containerID: entry.containerId,
                                                                     interfaceName: entry.ifName)))
        }
        if networks.isEmpty, let config = fallback ?? (try? currentConfig()) {
            networks.append(config)
        }
        var firstFailure: Error?
        for network in networks {
            do { try runtime.delete(network, try networkAttachment(pod)) } catch { firstFailure = firstFailure ?? error }
        }
        do { try runtime.delete(.loopback, loopbackAttachment(pod)) } catch { firstFailure = firstFailure ?? error }
        if let firstFailure { throw firstFailure }
    }

    private func networkAttachment(_ pod: PodSandboxNetwork) throws -> CNIAttachment {
        var capabilityArgs: [String: JSONValue] = [:]
        if !pod.portMappings.isEmpty {
            capabilityArgs["portMappings"] = try JSONValue(encoding: pod.portMappings)
        }
        return CNIAttachment(containerID: pod.sandboxID, networkNamespace: pod.networkNamespace,
                             interfaceName: Self.interfaceName, args: pod.cniArgs, capabilityArgs: capabilityArgs)
    }

    private func loopbackAttachment(_ pod: PodSandboxNetwork) -> CNIAttachment {
        CNIAttachment(containerID: pod.sandboxID, networkNamespace: pod.networkNamespace,
                      interfaceName: "lo", args: pod.cniArgs)
    }
}
