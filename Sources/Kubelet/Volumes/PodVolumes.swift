// A pod's volumes on the node, under <root-dir>/pods/<uid>/volumes/<plugin>/<name> as the
// kubelet lays them out: set up before its containers start, torn down when the pod goes.
import Foundation
import KubeAPI

/// A volume ready to be mounted into containers.
struct MountedVolume: Sendable, Equatable {
    var hostPath: String
    /// configMap, secret, downwardAPI and projected volumes are read-only in containers.
    var readOnly: Bool
}

struct PodVolumes: Sendable {
    let rootDirectory: String
    let objects: NodeObjects
    let node: NodeResources
    let logger: KubeletLogger

    init(rootDirectory: String, node: NodeResources, logger: KubeletLogger) {
        self.rootDirectory = rootDirectory
        self.objects = NodeObjects(rootDirectory: rootDirectory)
        self.node = node
        self.logger = logger
    }

    func podDirectory(_ uid: String) -> String { "\(rootDirectory)/pods/\(uid)" }

    func volumeDirectory(_ uid: String, plugin: String, name: String) -> String {
        "\(podDirectory(uid))/volumes/kubernetes.io~\(plugin)/\(name)"
    }

    /// Makes every volume of the pod ready; the first problem stops it (the pod waits on it).
    func setUp(_ pod: Pod) throws -> [String: MountedVolume] {
        var mounted: [String: MountedVolume] = [:]
        let fsGroup = pod.spec.securityContext?.fsGroup
        for volume in pod.spec.volumes ?? [] {
            do {
                mounted[volume.name] = try setUp(volume, pod: pod, fsGroup: fsGroup)
            } catch let error as KubeletError {
                if case .volume = error { throw error }
                throw KubeletError.volume(name: volume.name, error.description)
            }
        }
        return mounted
    }

    private func setUp(_ volume: Volume, pod: Pod, fsGroup: Int64?) throws -> MountedVolume {
        let uid = pod.uid
        if let emptyDir = volume.emptyDir {
            let dir = volumeDirectory(uid, plugin: "empty-dir", name: volume.name)
            try makeDirectory(dir, mode: 0o777)
            if emptyDir.medium == .memory && !isMountPoint(dir) {
                var options = "mode=0777"
                if let size = emptyDir.sizeLimit, size.value > 0 { options += ",size=\(size.value)" }
                guard mount("tmpfs", dir, "tmpfs", UInt(MS_NOSUID | MS_NODEV), options) == 0 else {
                    throw KubeletError.volume(name: volume.name, "mount tmpfs at \(dir): \(String(cString: strerror(errno)))")
                }
            }
            chmod(dir, 0o777)
            if let fsGroup {
                chown(dir, uid_t.max, gid_t(fsGroup))
                chmod(dir, 0o2777)
            }
            return MountedVolume(hostPath: dir, readOnly: false)
        }
        if let hostPath = volume.hostPath {
            try HostPathCheck.prepare(hostPath.path, type: hostPath.type ?? .unset)
            return MountedVolume(hostPath: hostPath.path, readOnly: false)
        }
        if let configMap = volume.configMap {
            let dir = volumeDirectory(uid, plugin: "configmap", name: volume.name)
            let payload = try objectPayload(.configMap, namespace: pod.namespace, name: configMap.name ?? "", items: configMap.items,
                                            optional: configMap.optional ?? false, mode: configMap.defaultMode ?? 0o644)
            try AtomicWriter(directory: dir, group: fsGroup).write(payload)
            return MountedVolume(hostPath: dir, readOnly: true)
        }
        if let secret = volume.secret {
            let dir = volumeDirectory(uid, plugin: "secret", name: volume.name)
            try makeMemoryDirectory(dir, volume: volume.name)
            let payload = try objectPayload(.secret, namespace: pod.namespace, name: secret.secretName ?? "", items: secret.items,
                                            optional: secret.optional ?? false, mode: secret.defaultMode ?? 0o644)
            try AtomicWriter(directory: dir, group: fsGroup).write(payload)
            return MountedVolume(hostPath: dir, readOnly: true)
        }
        if let downward = volume.downwardAPI {
            let dir = volumeDirectory(uid, plugin: "downward-api", name: volume.name)
            let payload = try downwardPayload(downward.items ?? [], pod: pod, mode: downward.defaultMode ?? 0o644)
            try AtomicWriter(directory: dir, group: fsGroup).write(payload)
            return MountedVolume(hostPath: dir, readOnly: true)
        }
        if let projected = volume.projected {
            let dir = volumeDirectory(uid, plugin: "projected", name: volume.name)
            try makeMemoryDirectory(dir, volume: volume.name)
            let mode = projected.defaultMode ?? 0o644
            var payload: [String: AtomicWriter.File] = [:]
            for source in projected.sources ?? [] {
                if let s = source.configMap {
                    payload.merge(try objectPayload(.configMap, namespace: pod.namespace, name: s.name ?? "", items: s.items,
                                                    optional: s.optional ?? false, mode: mode)) { _, new in new }
                }
                if let s = source.secret {
                    payload.merge(try objectPayload(.secret, namespace: pod.namespace, name: s.name ?? "", items: s.items,
                                                    optional: s.optional ?? false, mode: mode)) { _, new in new }
                }
                if let s = source.downwardAPI {
                    payload.merge(try downwardPayload(s.items ?? [], pod: pod, mode: mode)) { _, new in new }
                }
            }
            try AtomicWriter(directory: dir, group: fsGroup).write(payload)
            return MountedVolume(hostPath: dir, readOnly: true)
        }
        throw KubeletError.volume(name: volume.name, "no volume source skiff-kubelet supports")
    }

    private func objectPayload(_ kind: NodeObjects.Kind, namespace: String, name: String, items: [KeyToPath]?,
                               optional: Bool, mode: Int32) throws -> [String: AtomicWriter.File] {
        guard let values = objects.read(kind, namespace: namespace, name: name) else {
            if optional { return [:] }
            _ = try objects.require(kind, namespace: namespace, name: name)
            return [:]
        }
        guard let items, !items.isEmpty else {
            return values.mapValues { AtomicWriter.File(content: $0, mode: mode) }
        }
        var payload: [String: AtomicWriter.File] = [:]
        for item in items {
            guard let value = values[item.key] else {
                if optional { continue }
                _ = try objects.value(kind, namespace: namespace, name: name, key: item.key)
                continue
            }
            payload[item.path] = AtomicWriter.File(content: value, mode: item.mode ?? mode)
        }
        return payload
    }

    private func downwardPayload(_ items: [DownwardAPIVolumeFile], pod: Pod, mode: Int32) throws -> [String: AtomicWriter.File] {
        var payload: [String: AtomicWriter.File] = [:]
        for item in items {
            let text: String
            if let field = item.fieldRef {
                text = try FieldPath.value(field.fieldPath, pod: pod, podIPs: [], hostIPs: [])
            } else if let resource = item.resourceFieldRef {
                let name = resource.containerName ?? ""
                guard let container = (pod.spec.containers + (pod.spec.initContainers ?? [])).first(where: { $0.name == name }) else {
                    throw KubeletError.setup("downwardAPI \(item.path): resourceFieldRef needs the name of one of the pod's containers (got \"\(name)\")")
                }
                text = try FieldPath.resourceValue(resource, container: container, node: node)
            } else {
                continue
            }
            payload[item.path] = AtomicWriter.File(content: Data(text.utf8), mode: item.mode ?? mode)
        }
        return payload
    }

    /// Secrets stay off the disk: their directory is a tmpfs, as the kubelet makes it.
    private func makeMemoryDirectory(_ dir: String, volume: String) throws {
        try makeDirectory(dir, mode: 0o755)
        if !isMountPoint(dir) {
            guard mount("tmpfs", dir, "tmpfs", UInt(MS_NOSUID | MS_NODEV), "mode=0755") == 0 else {
                throw KubeletError.volume(name: volume, "mount tmpfs at \(dir): \(String(cString: strerror(errno)))")
            }
        }
    }

    private func makeDirectory(_ dir: String, mode: Int) throws {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
        } catch {
            throw KubeletError.setup("create \(dir): \(error.localizedDescription)")
        }
    }

    /// Unmounts whatever is mounted under the pod's directory, then removes it.
    func tearDown(uid: String) {
        let dir = podDirectory(uid)
        for point in Self.mountPoints(under: dir) {
            if umount2(point, Int32(MNT_DETACH)) != 0 {
                logger.warning("unmount \(point): \(String(cString: strerror(errno)))")
            }
        }
        guard FileManager.default.fileExists(atPath: dir) else { return }
        do {
            try FileManager.default.removeItem(atPath: dir)
        } catch {
            logger.warning("remove pod directory \(dir): \(error.localizedDescription)")
        }
    }

    func isMountPoint(_ path: String) -> Bool { Self.mountPoints(under: path).contains(path) }

    /// Mount points at or below `directory`, deepest first.
    static func mountPoints(under directory: String) -> [String] {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        let points = text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            // mountinfo escapes spaces and the like as octal.
            let point = String(fields[4]).replacingOccurrences(of: "\\040", with: " ")
            return point == directory || point.hasPrefix(directory + "/") ? point : nil
        }
        return Array(Set(points)).sorted { $0.count > $1.count }
    }
}
