// A container of a Pod to the CRI ContainerConfig the kubelet sends: command and args as given
// (the runtime applies the image's entrypoint and cmd), $(VAR)-expanded with the environment;
// mounts for volumes, the managed /etc/hosts and the termination message file; labels that let
// the kubelet find it again; resources and the effective security context.
import CRIAPI
import Foundation
import KubeAPI

struct ContainerConfigInput {
    var pod: Pod
    var container: KubeAPI.Container
    var restartCount: Int
    var imageRef: String
    var environment: [KeyValue]
    var volumes: [String: MountedVolume]
    /// The managed /etc/hosts, or nil to leave the runtime's.
    var hostsFile: String?
    var terminationMessageFile: String
    var qos: QOSClass
}

struct ContainerConfigBuilder {
    let seccompRoot: String
    let seccompDefault: Bool
    let memoryCapacity: Int64
    let canLowerOOMScore: Bool

    func make(_ input: ContainerConfigInput) throws -> ContainerConfig {
        let pod = input.pod
        let container = input.container
        var config = ContainerConfig()
        config.metadata = ContainerMetadata(name: container.name, attempt: UInt32(input.restartCount))
        config.image = ImageSpec(image: input.imageRef)
        config.image.userSpecifiedImage = container.image ?? ""
        let env = Dictionary(input.environment.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        config.command = (container.command ?? []).map { EnvExpansion.expand($0) { env[$0] } }
        config.args = (container.args ?? []).map { EnvExpansion.expand($0) { env[$0] } }
        config.workingDir = container.workingDir ?? ""
        config.envs = input.environment
        config.mounts = try mounts(input, env: env)
        config.labels = [
            RuntimeLabels.containerName: container.name, RuntimeLabels.podName: pod.name,
            RuntimeLabels.podNamespace: pod.namespace, RuntimeLabels.podUID: pod.uid,
        ]
        config.annotations = [
            RuntimeLabels.restartCount: String(input.restartCount),
            RuntimeLabels.terminationMessagePath: container.terminationMessagePath ?? "",
            RuntimeLabels.terminationMessagePolicy: (container.terminationMessagePolicy ?? .file).rawValue,
            RuntimeLabels.terminationMessageHostPath: input.terminationMessageFile,
            RuntimeLabels.terminationGracePeriod: String(pod.spec.terminationGracePeriodSeconds ?? 30),
            RuntimeLabels.containerHash: ContainerSpecHash.of(container),
        ]
        config.logPath = "\(container.name)/\(input.restartCount).log"
        config.stdin = container.stdin ?? false
        config.stdinOnce = container.stdinOnce ?? false
        config.tty = container.tty ?? false
        config.linux.resources = ContainerResources.linux(container, qos: input.qos, memoryCapacity: memoryCapacity,
                                                          canLowerOOMScore: canLowerOOMScore)
        let namespaces = SandboxConfigBuilder.namespaces(pod)
        let security = EffectiveSecurity(pod: pod, container: container, seccompDefault: seccompDefault)
        config.linux.securityContext = security.cri(namespaces: namespaces, seccompRoot: seccompRoot)
        return config
    }

    private func mounts(_ input: ContainerConfigInput, env: [String: String]) throws -> [CRIAPI.Mount] {
        var mounts: [CRIAPI.Mount] = []
        let container = input.container
        for mount in container.volumeMounts ?? [] {
            guard let volume = input.volumes[mount.name] else {
                throw KubeletError.setup("volumeMount \(mount.name): the volume is not set up")
            }
            var hostPath = volume.hostPath
            let sub = mount.subPathExpr.map { EnvExpansion.expand($0) { env[$0] } } ?? mount.subPath ?? ""
            if !sub.isEmpty {
                guard !sub.hasPrefix("/"), !sub.split(separator: "/").contains("..") else {
                    throw KubeletError.setup("volumeMount \(mount.name): subPath \"\(sub)\" must be relative without '..'")
                }
                hostPath += "/" + sub
                if !FileManager.default.fileExists(atPath: hostPath) {
                    try? FileManager.default.createDirectory(atPath: hostPath, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
                }
            }
            var m = CRIAPI.Mount(containerPath: mount.mountPath, hostPath: hostPath, readonly: (mount.readOnly ?? false) || volume.readOnly)
            switch mount.mountPropagation {
            case "HostToContainer": m.propagation = .hostToContainer
            case "Bidirectional": m.propagation = .bidirectional
            default: m.propagation = .private
            }
            mounts.append(m)
        }
        let taken = Set(mounts.map(\.containerPath))
        if let hosts = input.hostsFile, !taken.contains("/etc/hosts") {
            mounts.append(CRIAPI.Mount(containerPath: "/etc/hosts", hostPath: hosts))
        }
        if let path = container.terminationMessagePath, !path.isEmpty, !taken.contains(path) {
            mounts.append(CRIAPI.Mount(containerPath: path, hostPath: input.terminationMessageFile))
        }
        return mounts
    }
}
