// The downward API: a pod field ("metadata.name", "status.podIP", "metadata.labels['app']") or a
// container resource ("limits.memory") as the text an env var or a volume file gets.
import Foundation
import KubeAPI

public enum FieldPath {
    static let resources: Set<String> = ["limits.cpu", "limits.memory", "limits.ephemeral-storage",
                                         "requests.cpu", "requests.memory", "requests.ephemeral-storage"]
    private static let envPaths: Set<String> = ["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                                                "spec.serviceAccountName", "status.hostIP", "status.hostIPs",
                                                "status.podIP", "status.podIPs"]
    private static let volumePaths: Set<String> = ["metadata.name", "metadata.namespace", "metadata.uid",
                                                   "metadata.labels", "metadata.annotations"]

    static func envFields(_ path: String) -> Bool {
        envPaths.contains(path) || subscripted(path) != nil
    }

    static func volumeFields(_ path: String) -> Bool {
        volumePaths.contains(path) || subscripted(path) != nil
    }

    /// "metadata.labels['app']" → ("metadata.labels", "app").
    static func subscripted(_ path: String) -> (base: String, key: String)? {
        for base in ["metadata.labels", "metadata.annotations"] where path.hasPrefix(base + "['") && path.hasSuffix("']") {
            let key = path.dropFirst(base.count + 2).dropLast(2)
            if !key.isEmpty { return (base, String(key)) }
        }
        return nil
    }

    /// The value of a pod field. `podIPs`/`hostIPs` are the pod's current addresses.
    public static func value(_ path: String, pod: Pod, podIPs: [String], hostIPs: [String]) throws -> String {
        if let (base, key) = subscripted(path) {
            let map = base == "metadata.labels" ? pod.metadata.labels : pod.metadata.annotations
            return map?[key] ?? ""
        }
        switch path {
        case "metadata.name": return pod.name
        case "metadata.namespace": return pod.namespace
        case "metadata.uid": return pod.uid
        case "metadata.labels": return formatMap(pod.metadata.labels ?? [:])
        case "metadata.annotations": return formatMap(pod.metadata.annotations ?? [:])
        case "spec.nodeName": return pod.spec.nodeName ?? ""
        case "spec.serviceAccountName": return pod.spec.serviceAccountName ?? ""
        case "status.hostIP": return hostIPs.first ?? ""
        case "status.hostIPs": return hostIPs.joined(separator: ",")
        case "status.podIP": return podIPs.first ?? ""
        case "status.podIPs": return podIPs.joined(separator: ",")
        default: throw KubeletError.unsupportedField(path)
        }
    }

    /// A container's limit or request in units of `divisor` (default 1), rounded up; a limit
    /// not set is the node's allocatable amount, as the kubelet reports it.
    public static func resourceValue(_ selector: ResourceFieldSelector, container: Container, node: NodeResources) throws -> String {
        let resources = container.resources
        let (kind, name) = split(selector.resource)
        var quantity = (kind == "limits" ? resources?.limits?[name] : resources?.requests?[name])
        if kind == "requests", quantity == nil { quantity = resources?.limits?[name] }
        let amount: Decimal
        if let quantity {
            amount = quantity.amount
        } else if kind == "limits" || name == "ephemeral-storage" {
            switch name {
            case "cpu": amount = Decimal(node.cpuCores)
            case "memory": amount = Decimal(node.memoryBytes)
            default: amount = 0
            }
        } else {
            amount = 0
        }
        let divisor = selector.divisor?.amount ?? 1
        guard divisor > 0 else { throw KubeletError.invalidDivisor(selector.resource) }
        var ratio = amount / divisor
        var rounded = Decimal()
        NSDecimalRound(&rounded, &ratio, 0, .up)
        return rounded.description
    }

    private static func split(_ resource: String) -> (String, String) {
        let parts = resource.split(separator: ".", maxSplits: 1).map(String.init)
        return (parts[0], parts.count > 1 ? parts[1] : "")
    }

    /// labels/annotations as a downward API file: key="value" lines, sorted, Go-quoted.
    static func formatMap(_ map: [String: String]) -> String {
        map.keys.sorted().map { key in
            let value = map[key]!.unicodeScalars.map { c -> String in
                switch c {
                case "\"": return "\\\""
                case "\\": return "\\\\"
                case "\n": return "\\n"
                case "\t": return "\\t"
                default: return String(c)
                }
            }.joined()
            return "\(key)=\"\(value)\""
        }.joined(separator: "\n")
    }
}

/// The node's capacity: the downward API's value for a limit that is not set.
public struct NodeResources: Sendable, Equatable {
    public var cpuCores: Int
    public var memoryBytes: Int64

    public init(cpuCores: Int, memoryBytes: Int64) {
        self.cpuCores = cpuCores
        self.memoryBytes = memoryBytes
    }

    public static var current: NodeResources {
        NodeResources(cpuCores: ProcessInfo.processInfo.activeProcessorCount,
                      memoryBytes: Int64(ProcessInfo.processInfo.physicalMemory))
    }
}
