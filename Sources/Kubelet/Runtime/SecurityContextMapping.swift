// Pod and container securityContext to CRI's: the container's settings over the pod's, as the
// kubelet merges them, and the checks the kubelet makes before it creates a container.
import CRIAPI
import KubeAPI

struct EffectiveSecurity {
    var runAsUser: Int64?
    var runAsGroup: Int64?
    var runAsNonRoot: Bool
    var privileged: Bool
    var readOnlyRoot: Bool
    var allowPrivilegeEscalation: Bool?
    var capabilities: Capabilities?
    var seccomp: SeccompProfile?
    var supplementalGroups: [Int64]

    init(pod: Pod, container: KubeAPI.Container, seccompDefault: Bool) {
        let p = pod.spec.securityContext
        let c = container.securityContext
        runAsUser = c?.runAsUser ?? p?.runAsUser
        runAsGroup = c?.runAsGroup ?? p?.runAsGroup
        runAsNonRoot = c?.runAsNonRoot ?? p?.runAsNonRoot ?? false
        privileged = c?.privileged ?? false
        readOnlyRoot = c?.readOnlyRootFilesystem ?? false
        allowPrivilegeEscalation = c?.allowPrivilegeEscalation
        capabilities = c?.capabilities
        seccomp = c?.seccompProfile ?? p?.seccompProfile ?? (seccompDefault ? SeccompProfile(type: "RuntimeDefault") : nil)
        var groups = p?.supplementalGroups ?? []
        if let fsGroup = p?.fsGroup, !groups.contains(fsGroup) { groups.append(fsGroup) }
        supplementalGroups = groups
    }

    /// The CRI form; `seccompRoot` is where Localhost profiles live (<root-dir>/seccomp).
    func cri(namespaces: NamespaceOption, seccompRoot: String) -> LinuxContainerSecurityContext {
        var s = LinuxContainerSecurityContext()
        s.namespaceOptions = namespaces
        s.privileged = privileged
        s.readonlyRootfs = readOnlyRoot
        if let runAsUser { s.runAsUser = Int64Value(runAsUser) }
        if let runAsGroup { s.runAsGroup = Int64Value(runAsGroup) }
        s.supplementalGroups = supplementalGroups
        // no_new_privs only when escalation is explicitly refused (and never for privileged).
        s.noNewPrivs = !privileged && allowPrivilegeEscalation == false
        if let capabilities {
            s.capabilities.addCapabilities = capabilities.add ?? []
            s.capabilities.dropCapabilities = capabilities.drop ?? []
        }
        s.seccomp = Self.profile(seccomp, root: seccompRoot)
        return s
    }

    static func profile(_ profile: SeccompProfile?, root: String) -> SecurityProfile {
        switch profile?.type {
        case "RuntimeDefault": return SecurityProfile(.runtimeDefault)
        case "Localhost": return SecurityProfile(.localhost, localhostRef: root + "/" + (profile?.localhostProfile ?? ""))
        default: return SecurityProfile(.unconfined)
        }
    }

    /// runAsNonRoot: the user the container will run as must be known and not 0.
    func verifyNonRoot(image: CRIAPI.Image?) throws {
        guard runAsNonRoot else { return }
        if let uid = runAsUser {
            if uid == 0 { throw KubeletError.runAsNonRoot("container's runAsUser breaks non-root policy (runAsNonRoot is set and runAsUser is 0)") }
            return
        }
        if let uid = image?.uid?.value {
            if uid == 0 { throw KubeletError.runAsNonRoot("container has runAsNonRoot and image will run as root (set runAsUser to a non-zero id)") }
            return
        }
        let name = image?.username ?? ""
        if name.isEmpty || name == "root" {
            throw KubeletError.runAsNonRoot("container has runAsNonRoot and image will run as root (set runAsUser to a non-zero id)")
        }
        throw KubeletError.runAsNonRoot("container has runAsNonRoot and image has non-numeric user (\(name)), cannot verify user is non-root")
    }
}
