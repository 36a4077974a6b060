// A container's environment as the kubelet builds it: envFrom sources first, then env in
// order, each value expanded with $(VAR) against what came before; valueFrom read from the
// downward API or the node's configmap and secret files.
import CRIAPI
import Foundation
import KubeAPI

struct ContainerEnvironment {
    let pod: Pod
    let podIPs: [String]
    let hostIPs: [String]
    let objects: NodeObjects
    let node: NodeResources

    func make(for container: KubeAPI.Container) throws -> [KeyValue] {
        var order: [String] = []
        var values: [String: String] = [:]
        func set(_ name: String, _ value: String) {
            if values[name] == nil { order.append(name) }
            values[name] = value
        }
        for source in container.envFrom ?? [] {
            let prefix = source.prefix ?? ""
            let entries: [String: Data]?
            if let ref = source.configMapRef {
                entries = ref.optional == true ? objects.read(.configMap, namespace: pod.namespace, name: ref.name ?? "")
                    : try objects.require(.configMap, namespace: pod.namespace, name: ref.name ?? "")
            } else if let ref = source.secretRef {
                entries = ref.optional == true ? objects.read(.secret, namespace: pod.namespace, name: ref.name ?? "")
                    : try objects.require(.secret, namespace: pod.namespace, name: ref.name ?? "")
            } else {
                entries = nil
            }
            // Keys that are not valid variable names are skipped, as the kubelet skips them.
            for (key, value) in (entries ?? [:]).sorted(by: { $0.key < $1.key }) where Self.isValidName(prefix + key) {
                set(prefix + key, String(decoding: value, as: UTF8.self))
            }
        }
        for env in container.env ?? [] {
            if let from = env.valueFrom {
                if let value = try resolve(from, container: container) { set(env.name, value) }
            } else {
                set(env.name, EnvExpansion.expand(env.value ?? "") { values[$0] })
            }
        }
        return order.map { KeyValue(key: $0, value: values[$0]!) }
    }

    private func resolve(_ from: EnvVarSource, container: KubeAPI.Container) throws -> String? {
        if let field = from.fieldRef {
            return try FieldPath.value(field.fieldPath, pod: pod, podIPs: podIPs, hostIPs: hostIPs)
        }
        if let resource = from.resourceFieldRef {
            let name = resource.containerName.flatMap { $0.isEmpty ? nil : $0 } ?? container.name
            guard let target = (pod.spec.containers + (pod.spec.initContainers ?? [])).first(where: { $0.name == name }) else {
                throw KubeletError.setup("resourceFieldRef: no container named \"\(name)\"")
            }
            return try FieldPath.resourceValue(resource, container: target, node: node)
        }
        if let ref = from.configMapKeyRef {
            do {
                return String(decoding: try objects.value(.configMap, namespace: pod.namespace, name: ref.name ?? "", key: ref.key), as: UTF8.self)
            } catch where ref.optional == true {
                return nil
            }
        }
        if let ref = from.secretKeyRef {
            do {
                return String(decoding: try objects.value(.secret, namespace: pod.namespace, name: ref.name ?? "", key: ref.key), as: UTF8.self)
            } catch where ref.optional == true {
                return nil
            }
        }
        return nil
    }

    /// C identifier rules relaxed as Kubernetes does: letters, digits, '_', '-', '.'; no leading digit.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)) }
    }
}
