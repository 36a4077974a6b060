// A Pod to the CRI PodSandboxConfig the kubelet sends: metadata, hostname, log directory, DNS,
// host ports, labels, the pod cgroup, namespaces and the pod-level security context.
import CRIAPI
import Foundation
import KubeAPI

struct SandboxConfigBuilder {
    let podLogsDirectory: String
    let seccompRoot: String
    let seccompDefault: Bool

    func logDirectory(for pod: Pod) -> String {
        "\(podLogsDirectory)/\(pod.namespace)_\(pod.name)_\(pod.uid)"
    }

    func make(_ pod: Pod, attempt: UInt32, cgroupParent: String, dns: DNSConfig) -> PodSandboxConfig {
        var config = PodSandboxConfig()
        config.metadata = PodSandboxMetadata(name: pod.name, uid: pod.uid, namespace: pod.namespace, attempt: attempt)
        let hostNetwork = pod.spec.hostNetwork ?? false
        if !hostNetwork { config.hostname = PodHostsFile.hostname(for: pod) }
        config.logDirectory = logDirectory(for: pod)
        config.dnsConfig = dns
        for container in (pod.spec.initContainers ?? []) + pod.spec.containers {
            for port in container.ports ?? [] where (port.hostPort ?? 0) > 0 {
                config.portMappings.append(CRIAPI.PortMapping(protocol: Self.portProtocol(port.protocol), containerPort: port.containerPort,
                                                              hostPort: port.hostPort ?? 0, hostIp: port.hostIP ?? ""))
            }
        }
        config.labels = (pod.metadata.labels ?? [:]).merging([
            RuntimeLabels.podName: pod.name, RuntimeLabels.podNamespace: pod.namespace, RuntimeLabels.podUID: pod.uid,
        ]) { _, ours in ours }
        config.annotations = pod.metadata.annotations ?? [:]
        config.linux.cgroupParent = cgroupParent
        for sysctl in pod.spec.securityContext?.sysctls ?? [] { config.linux.sysctls[sysctl.name] = sysctl.value }
        var security = LinuxSandboxSecurityContext()
        security.namespaceOptions = Self.namespaces(pod)
        let podSecurity = pod.spec.securityContext
        if let uid = podSecurity?.runAsUser { security.runAsUser = Int64Value(uid) }
        if let gid = podSecurity?.runAsGroup { security.runAsGroup = Int64Value(gid) }
        var groups = podSecurity?.supplementalGroups ?? []
        if let fsGroup = podSecurity?.fsGroup, !groups.contains(fsGroup) { groups.append(fsGroup) }
        security.supplementalGroups = groups
        security.privileged = ((pod.spec.initContainers ?? []) + pod.spec.containers).contains { $0.securityContext?.privileged == true }
        security.seccomp = EffectiveSecurity.profile(podSecurity?.seccompProfile ?? (seccompDefault ? SeccompProfile(type: "RuntimeDefault") : nil),
                                                     root: seccompRoot)
        config.linux.securityContext = security
        return config
    }

    /// hostNetwork/hostPID/hostIPC; containers get their own PID namespace unless the pod
    /// shares one (shareProcessNamespace) or uses the node's.
    static func namespaces(_ pod: Pod) -> NamespaceOption {
        var options = NamespaceOption()
        options.network = pod.spec.hostNetwork == true ? .node : .pod
        options.ipc = pod.spec.hostIPC == true ? .node : .pod
        options.pid = pod.spec.hostPID == true ? .node : (pod.spec.shareProcessNamespace == true ? .pod : .container)
        return options
    }

    static func portProtocol(_ p: KubeAPI.PortProtocol?) -> CRIAPI.PortProtocol {
        switch p {
        case .some(.udp): return .udp
        case .some(.sctp): return .sctp
        default: return .tcp
        }
    }
}
