// What the kubelet does to a Pod read from a file before running it: the API server's defaults,
// a UID derived from the manifest, the node's name as a suffix, the config annotations.
import Crypto
import Foundation
import KubeAPI

public enum StaticPod {
    public static let configSourceAnnotation = "kubernetes.io/config.source"
    public static let configHashAnnotation = "kubernetes.io/config.hash"
    public static let configSeenAnnotation = "kubernetes.io/config.seen"
    public static let configMirrorAnnotation = "kubernetes.io/config.mirror"
    /// skiff's own: the manifest a static pod came from.
    public static let manifestPathAnnotation = "skiff.io/manifest-path"

    /// The kubelet's rule: an MD5 of the pod as decoded, then "host:<node>" and "file:<path>",
    /// so the same manifest on the same node always gets the same UID, and any change to it
    /// (other than formatting and comments) a new one.
    public static func uid(for pod: Pod, nodeName: String, path: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var hasher = Insecure.MD5()
        hasher.update(data: (try? encoder.encode(pod)) ?? Data())
        hasher.update(data: Data("host:\(nodeName)".utf8))
        hasher.update(data: Data("file:\(path)".utf8))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// A decoded, valid manifest ready to run.
    public static func prepare(_ decoded: Pod, nodeName: String, path: String, seen: Date = Date()) -> Pod {
        var pod = decoded
        let uid = decoded.metadata.uid.flatMap { $0.isEmpty ? nil : $0 } ?? uid(for: decoded, nodeName: nodeName, path: path)
        pod.metadata.uid = uid
        pod.metadata.name = "\(decoded.name)-\(nodeName.lowercased())"
        if (pod.metadata.namespace ?? "").isEmpty { pod.metadata.namespace = "default" }
        pod.spec.nodeName = nodeName
        var annotations = pod.metadata.annotations ?? [:]
        annotations[configHashAnnotation] = uid
        annotations[configSourceAnnotation] = "file"
        annotations[configSeenAnnotation] = KubeTime(seen).rfc3339
        annotations[manifestPathAnnotation] = path
        pod.metadata.annotations = annotations
        pod.metadata.creationTimestamp = pod.metadata.creationTimestamp ?? KubeTime(seen)
        applyDefaults(&pod)
        return pod
    }

    /// The API server's defaulting of a Pod (SetDefaults_Pod and friends).
    public static func applyDefaults(_ pod: inout Pod) {
        var spec = pod.spec
        if spec.restartPolicy == nil { spec.restartPolicy = .always }
        if spec.dnsPolicy == nil { spec.dnsPolicy = .clusterFirst }
        if spec.terminationGracePeriodSeconds == nil { spec.terminationGracePeriodSeconds = 30 }
        if spec.schedulerName == nil { spec.schedulerName = "default-scheduler" }
        if spec.securityContext == nil { spec.securityContext = PodSecurityContext() }
        if spec.enableServiceLinks == nil { spec.enableServiceLinks = true }
        if spec.hostNetwork == true {
            spec.hostPID = spec.hostPID ?? false
        }
        spec.initContainers = spec.initContainers.map { $0.map { defaulted($0, hostNetwork: spec.hostNetwork ?? false) } }
        spec.containers = spec.containers.map { defaulted($0, hostNetwork: spec.hostNetwork ?? false) }
        spec.volumes = spec.volumes?.map { volume in
            var v = volume
            if var hostPath = v.hostPath, hostPath.type == nil {
                hostPath.type = .unset
                v.hostPath = hostPath
            }
            if var configMap = v.configMap, configMap.defaultMode == nil {
                configMap.defaultMode = 0o644
                v.configMap = configMap
            }
            if var secret = v.secret, secret.defaultMode == nil {
                secret.defaultMode = 0o644
                v.secret = secret
            }
            if var downward = v.downwardAPI, downward.defaultMode == nil {
                downward.defaultMode = 0o644
                v.downwardAPI = downward
            }
            if var projected = v.projected, projected.defaultMode == nil {
                projected.defaultMode = 0o644
                v.projected = projected
            }
            return v
        }
        pod.spec = spec
    }

    static func defaulted(_ container: Container, hostNetwork: Bool) -> Container {
        var c = container
        if c.terminationMessagePath == nil || c.terminationMessagePath == "" { c.terminationMessagePath = "/dev/termination-log" }
        if c.terminationMessagePolicy == nil { c.terminationMessagePolicy = .file }
        if c.imagePullPolicy == nil { c.imagePullPolicy = defaultPullPolicy(c.image ?? "") }
        c.ports = c.ports?.map { port in
            var p = port
            if p.protocol == nil { p.protocol = .tcp }
            if hostNetwork && (p.hostPort ?? 0) == 0 { p.hostPort = p.containerPort }
            return p
        }
        // Requests default to limits where only limits are given.
        if var resources = c.resources, let limits = resources.limits {
            var requests = resources.requests ?? [:]
            for (name, limit) in limits where requests[name] == nil { requests[name] = limit }
            resources.requests = requests
            c.resources = resources
        }
        for probe in [\Container.livenessProbe, \Container.readinessProbe, \Container.startupProbe] {
            if var p = c[keyPath: probe] {
                p.timeoutSeconds = p.timeoutSeconds ?? 1
                p.periodSeconds = p.periodSeconds ?? 10
                p.successThreshold = p.successThreshold ?? 1
                p.failureThreshold = p.failureThreshold ?? 3
                c[keyPath: probe] = p
            }
        }
        return c
    }

    /// Always for ":latest" or no tag (and no digest), else IfNotPresent.
    public static func defaultPullPolicy(_ image: String) -> PullPolicy {
        if image.contains("@") { return .ifNotPresent }
        let lastPart = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastPart.lastIndex(of: ":") else { return .always }
        return lastPart[lastPart.index(after: colon)...] == "latest" ? .always : .ifNotPresent
    }
}
