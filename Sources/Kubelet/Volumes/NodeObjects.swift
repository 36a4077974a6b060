// ConfigMaps and Secrets without an API server: the node keeps them as plain files,
//   <root-dir>/configmaps/<namespace>/<name>/<key>
//   <root-dir>/secrets/<namespace>/<name>/<key>
// one file per key (dotfiles ignored), the file's bytes being the value.
import Foundation

struct NodeObjects: Sendable {
    enum Kind: String, Sendable {
        case configMap = "configmaps"
        case secret = "secrets"
    }

    let rootDirectory: String

    func directory(_ kind: Kind, namespace: String, name: String) -> String {
        "\(rootDirectory)/\(kind.rawValue)/\(namespace)/\(name)"
    }

    /// Every key and value; nil when the object does not exist.
    func read(_ kind: Kind, namespace: String, name: String) -> [String: Data]? {
        let dir = directory(kind, namespace: namespace, name: name)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return nil }
        var values: [String: Data] = [:]
        for key in names where !key.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir + "/" + key, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: dir + "/" + key) else { continue }
            values[key] = data
        }
        return values
    }

    /// The object, or the error a pod that needs it waits on.
    func require(_ kind: Kind, namespace: String, name: String) throws -> [String: Data] {
        guard let values = read(kind, namespace: namespace, name: name) else {
            let dir = directory(kind, namespace: namespace, name: name)
            throw kind == .configMap ? KubeletError.configMapNotFound(namespace: namespace, name: name, directory: dir)
                : KubeletError.secretNotFound(namespace: namespace, name: name, directory: dir)
        }
        return values
    }

    func value(_ kind: Kind, namespace: String, name: String, key: String) throws -> Data {
        let values = try require(kind, namespace: namespace, name: name)
        guard let value = values[key] else {
            let dir = directory(kind, namespace: namespace, name: name)
            throw kind == .configMap ? KubeletError.configMapKeyNotFound(namespace: namespace, name: name, key: key, directory: dir)
                : KubeletError.secretKeyNotFound(namespace: namespace, name: name, key: key, directory: dir)
        }
        return value
    }
}
