// A pod's resolv.conf by its dnsPolicy, as the kubelet computes it. There is no cluster DNS
// unless clusterDNS is configured: then ClusterFirst acts as Default (the node's resolver),
// which is what the kubelet does too when it has no cluster DNS, and the kubelet says so.
import CRIAPI
import Foundation
import KubeAPI

struct PodDNS {
    let clusterDNS: [String]
    let clusterDomain: String
    let resolvConf: String

    struct Decision {
        var config: DNSConfig
        /// A note for the log when the policy could not be honoured as written.
        var note: String?
    }

    func config(for pod: Pod) -> Decision {
        var policy = pod.spec.dnsPolicy ?? .clusterFirst
        var note: String?
        let hostNetwork = pod.spec.hostNetwork ?? false
        if policy == .clusterFirst && hostNetwork { policy = .default }
        if policy == .clusterFirstWithHostNet { policy = .clusterFirst }
        if policy == .clusterFirst && clusterDNS.isEmpty {
            note = "pod \(pod.namespace)/\(pod.name): dnsPolicy ClusterFirst but no cluster DNS is configured: using the node's resolv.conf, as dnsPolicy Default"
            policy = .default
        }
        var config = DNSConfig()
        switch policy {
        case .clusterFirst:
            config.servers = clusterDNS
            let host = Self.parse(resolvConf)
            config.searches = ["\(pod.namespace).svc.\(clusterDomain)", "svc.\(clusterDomain)", clusterDomain] + host.searches
            config.options = ["ndots:5"]
        case .none:
            break
        default:
            let host = Self.parse(resolvConf)
            config.servers = host.servers
            config.searches = host.searches
            config.options = host.options
        }
        if let extra = pod.spec.dnsConfig {
            for server in extra.nameservers ?? [] where !config.servers.contains(server) { config.servers.append(server) }
            for search in extra.searches ?? [] where !config.searches.contains(search) { config.searches.append(search) }
            for option in extra.options ?? [] {
                guard let name = option.name else { continue }
                config.options.removeAll { $0 == name || $0.hasPrefix(name + ":") }
                config.options.append(option.value.map { "\(name):\($0)" } ?? name)
            }
        }
        // The resolver reads at most 3 servers and 32 search domains.
        config.servers = Array(config.servers.prefix(3))
        config.searches = Array(config.searches.prefix(32))
        return Decision(config: config, note: note)
    }

    static func parse(_ path: String) -> (servers: [String], searches: [String], options: [String]) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return ([], [], []) }
        var servers: [String] = [], searches: [String] = [], options: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let key = fields.first, !key.hasPrefix("#"), !key.hasPrefix(";") else { continue }
            let values = Array(fields.dropFirst())
            switch key {
            case "nameserver": servers += values.prefix(1)
            case "search", "domain": searches = values
            case "options": options += values
            default: break
            }
        }
        return (servers, searches, options)
    }
}
