// Errors of the kubelet's own making, each naming what was wrong.

public enum KubeletError: Error, CustomStringConvertible, Equatable {
    case unsupportedField(String)
    case invalidDivisor(String)
    case configMapNotFound(namespace: String, name: String, directory: String)
    case configMapKeyNotFound(namespace: String, name: String, key: String, directory: String)
    case secretNotFound(namespace: String, name: String, directory: String)
    case secretKeyNotFound(namespace: String, name: String, key: String, directory: String)
    case volume(name: String, String)
    case runAsNonRoot(String)
    case image(String)
    case setup(String)

    public var description: String {
        switch self {
        case .unsupportedField(let path): return "unsupported field path \"\(path)\""
        case .invalidDivisor(let resource): return "resourceFieldRef \(resource): the divisor must be greater than 0"
        case .configMapNotFound(let ns, let name, let dir):
            return "configmap \"\(name)\" not found in namespace \(ns): skiff-kubelet has no API server and reads configmaps from files, and \(dir) does not exist"
        case .configMapKeyNotFound(let ns, let name, let key, let dir):
            return "configmap \(ns)/\(name) has no key \"\(key)\" (no file \(dir)/\(key))"
        case .secretNotFound(let ns, let name, let dir):
            return "secret \"\(name)\" not found in namespace \(ns): skiff-kubelet has no API server and reads secrets from files, and \(dir) does not exist"
        case .secretKeyNotFound(let ns, let name, let key, let dir):
            return "secret \(ns)/\(name) has no key \"\(key)\" (no file \(dir)/\(key))"
        case .volume(let name, let message): return "volume \"\(name)\": \(message)"
        case .runAsNonRoot(let message): return message
        case .image(let message): return message
        case .setup(let message): return message
        }
    }
}
