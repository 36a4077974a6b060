// What an ADD answers: interfaces, IP addresses, routes and DNS. The 0.3.x/0.4.0 and 1.x shapes
// differ only in the per-address "version" field (gone in 1.0.0), which is read and ignored.
import Foundation

public struct CNIResult: Sendable, Hashable {
    public struct Interface: Sendable, Hashable, Codable {
        public var name: String
        public var mac: String?
        /// The netns path for interfaces inside the container; nil for host-side ones.
        public var sandbox: String?

        public init(name: String, mac: String? = nil, sandbox: String? = nil) {
            self.name = name
            self.mac = mac
            self.sandbox = sandbox
        }
    }

    public struct IPConfig: Sendable, Hashable, Codable {
        /// An address with its prefix length: "10.88.0.2/16".
        public var address: String
        public var gateway: String?
        /// Index into `interfaces`.
        public var interface: Int?

        public init(address: String, gateway: String? = nil, interface: Int? = nil) {
            self.address = address
            self.gateway = gateway
            self.interface = interface
        }

        /// The address without its prefix length: "10.88.0.2".
        public var ip: String { String(address.prefix { $0 != "/" }) }
    }

    public struct Route: Sendable, Hashable, Codable {
        public var dst: String
        public var gw: String?

        public init(dst: String, gw: String? = nil) {
            self.dst = dst
            self.gw = gw
        }
    }

    public struct DNS: Sendable, Hashable, Codable {
        public var nameservers: [String]?
        public var domain: String?
        public var search: [String]?
        public var options: [String]?
    }

    public var cniVersion: String
    public var interfaces: [Interface]
    public var ips: [IPConfig]
    public var routes: [Route]
    public var dns: DNS?
    /// The result as the plugin wrote it: handed to the next plugin as prevResult unchanged.
    public var json: JSONValue

    /// Parses a plugin's ADD output. `origin` names the plugin in errors.
    public init(json value: JSONValue, origin: String) throws {
        guard case .object = value else {
            throw PodNetworkError("\(origin): the result is \(value.kindName), not an object")
        }
        do {
            let shape = try JSONDecoder().decode(Shape.self, from: Data(value.encoded()))
            cniVersion = shape.cniVersion ?? ""
            interfaces = shape.interfaces ?? []
            ips = shape.ips ?? []
            routes = shape.routes ?? []
            dns = shape.dns
        } catch {
            throw PodNetworkError("\(origin): the result is not a CNI result (\(jsonErrorSummary(error)))")
        }
        json = value
    }

    /// The addresses of `interfaceName` inside the sandbox: the pod's IPs. Addresses that name
    /// no interface count as the pod's too (plugins that do not fill "interface").
    public func podIPs(interfaceName: String = "eth0") -> [String] {
        ips.filter { ip in
            guard let index = ip.interface else { return true }
            guard interfaces.indices.contains(index) else { return false }
            let interface = interfaces[index]
            return interface.sandbox?.isEmpty == false && interface.name == interfaceName
        }.map(\.ip)
    }

    private struct Shape: Decodable {
        var cniVersion: String?
        var interfaces: [Interface]?
        var ips: [IPConfig]?
        var routes: [Route]?
        var dns: DNS?
    }
}
