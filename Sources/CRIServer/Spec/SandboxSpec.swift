// The OCI config of a pod's pause container: it makes (or joins) the namespaces the pod's
// containers will join, carries the pod's hostname and sysctls, and does nothing else.
import CRIAPI
import OCISpec

enum SandboxSpec {
    /// Files the daemon writes for a sandbox and bind-mounts into its containers.
    struct Files {
        var directory: String
        var hostname: String { directory + "/hostname" }
        var resolvConf: String { directory + "/resolv.conf" }
        var hosts: String { directory + "/hosts" }
        var shm: String { directory + "/shm" }
        var bundle: String { directory + "/bundle" }
    }

    static func make(_ record: SandboxRecord, pauseRootfs: String, files: Files) -> Spec {
        let config = record.config
        let options = record.namespaceOptions
        var spec = Spec.defaultSpec()
        spec.root = Root(path: pauseRootfs, readonly: true)
        spec.hostname = record.hostNetwork ? nil : config.hostname
        var process = spec.process!
        process.terminal = false
        process.args = ["/pause"]
        process.capabilities = Capabilities(bounding: [], effective: [], inheritable: [], permitted: [], ambient: [])
        process.rlimits = nil
        process.oomScoreAdj = -998   // the last process of the pod the kernel should kill
        let security = config.linux.securityContext
        if let uid = security.runAsUser?.value { process.user.uid = UInt32(clamping: uid) }
        if let gid = security.runAsGroup?.value { process.user.gid = UInt32(clamping: gid) }
        spec.process = process

        var linux = spec.linux!
        var namespaces = [OCISpec.Namespace(type: "mount")]
        if options.pid != .node { namespaces.append(.init(type: "pid")) }
        if options.ipc != .node { namespaces.append(.init(type: "ipc")) }
        if !record.hostNetwork {
            namespaces.append(.init(type: "uts"))
            namespaces.append(.init(type: "network", path: record.netnsPath))
        }
        linux.namespaces = namespaces
        linux.cgroupsPath = cgroupsPath(parent: config.linux.cgroupParent, id: record.id)
        linux.sysctl = config.linux.sysctls.isEmpty ? nil : config.linux.sysctls
        var resources = linux.resources ?? Resources()
        resources.cpu = Resources.CPU(shares: 2)   // as containerd gives pause: it needs no CPU
        linux.resources = resources
        if !security.privileged && security.seccomp?.profileType == .runtimeDefault {
            linux.seccomp = DefaultSeccompProfile.profile
        }
        spec.linux = linux

        // No /sys/fs/cgroup: pause has no use for it. /dev/shm is the pod's, shared over IPC.
        spec.mounts = (spec.mounts ?? []).filter { $0.destination != "/sys/fs/cgroup" }.map { mount in
            mount.destination == "/dev/shm" && options.ipc != .node
                ? OCISpec.Mount(destination: "/dev/shm", type: "bind", source: files.shm, options: ["rbind", "ro", "nosuid", "nodev", "noexec"])
                : mount
        }
        spec.annotations = [
            "io.kubernetes.cri.container-type": "sandbox",
            "io.kubernetes.cri.sandbox-id": record.id,
            "io.kubernetes.cri.sandbox-name": config.metadata.name,
            "io.kubernetes.cri.sandbox-namespace": config.metadata.namespace,
            "io.kubernetes.cri.sandbox-uid": config.metadata.uid,
        ]
        return spec
    }

    /// cgroupfs driver: the container's cgroup under the parent the kubelet chose, or under
    /// /skiff when it chose none.
    static func cgroupsPath(parent: String, id: String) -> String {
        let base = parent.isEmpty ? "/skiff" : (parent.hasPrefix("/") ? parent : "/" + parent)
        return base + "/" + id
    }
}
