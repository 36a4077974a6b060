// The checks the API server would make on a Pod, those that matter to a node: each problem
// as "field.path: message", the way Kubernetes reports them.
import Foundation
import KubeAPI

public enum PodValidation {
    public static func validate(_ pod: Pod) -> [String] {
        var errors: [String] = []
        func fail(_ path: String, _ message: String) { errors.append("\(path): \(message)") }

        let meta = pod.metadata
        if let name = meta.name, !name.isEmpty {
            if let problem = dnsSubdomainProblem(name) { fail("metadata.name", "Invalid value \"\(name)\": \(problem)") }
        } else {
            fail("metadata.name", "Required value")
        }
        if let namespace = meta.namespace, let problem = dnsLabelProblem(namespace) {
            fail("metadata.namespace", "Invalid value \"\(namespace)\": \(problem)")
        }

        let spec = pod.spec
        if spec.containers.isEmpty { fail("spec.containers", "Required value: a pod needs at least one container") }
        if let policy = spec.restartPolicy, ![RestartPolicy.always, .onFailure, .never].contains(policy) {
            fail("spec.restartPolicy", "Unsupported value \"\(policy)\": supported values: \"Always\", \"OnFailure\", \"Never\"")
        }
        if let policy = spec.dnsPolicy, ![DNSPolicy.clusterFirst, .clusterFirstWithHostNet, .default, .none].contains(policy) {
            fail("spec.dnsPolicy", "Unsupported value \"\(policy)\": supported values: \"ClusterFirst\", \"ClusterFirstWithHostNet\", \"Default\", \"None\"")
        }
        if spec.dnsPolicy == DNSPolicy.none, (spec.dnsConfig?.nameservers ?? []).isEmpty {
            fail("spec.dnsConfig", "Required value: dnsPolicy None needs dnsConfig.nameservers")
        }
        if let grace = spec.terminationGracePeriodSeconds, grace < 0 {
            fail("spec.terminationGracePeriodSeconds", "Invalid value \(grace): must be >= 0")
        }
        for (i, alias) in (spec.hostAliases ?? []).enumerated() where !isIP(alias.ip) {
            fail("spec.hostAliases[\(i)].ip", "Invalid value \"\(alias.ip)\": must be a valid IP address")
        }

        var volumeNames = Set<String>()
        for (i, volume) in (spec.volumes ?? []).enumerated() {
            let path = "spec.volumes[\(i)]"
            if let problem = dnsLabelProblem(volume.name) { fail(path + ".name", "Invalid value \"\(volume.name)\": \(problem)") }
            if !volumeNames.insert(volume.name).inserted { fail(path + ".name", "Duplicate value \"\(volume.name)\"") }
            validateVolumeSource(volume, path: path, fail: fail)
        }

        var containerNames = Set<String>()
        let hostNetwork = spec.hostNetwork ?? false
        let groups: [(String, [Container])] = [("spec.initContainers", spec.initContainers ?? []), ("spec.containers", spec.containers)]
        for (group, containers) in groups {
            for (i, container) in containers.enumerated() {
                let path = "\(group)[\(i)]"
                if let problem = dnsLabelProblem(container.name) { fail(path + ".name", "Invalid value \"\(container.name)\": \(problem)") }
                if !containerNames.insert(container.name).inserted { fail(path + ".name", "Duplicate value \"\(container.name)\"") }
                if (container.image ?? "").trimmingCharacters(in: .whitespaces).isEmpty { fail(path + ".image", "Required value") }
                if let policy = container.restartPolicy {
                    if group == "spec.containers" {
                        fail(path + ".restartPolicy", "Forbidden: may not be set for non-init containers")
                    } else if policy != .always {
                        fail(path + ".restartPolicy", "Unsupported value \"\(policy)\": supported values: \"Always\"")
                    }
                }
                if let policy = container.imagePullPolicy, ![PullPolicy.always, .ifNotPresent, .never].contains(policy) {
                    fail(path + ".imagePullPolicy", "Unsupported value \"\(policy)\": supported values: \"Always\", \"IfNotPresent\", \"Never\"")
                }
                if let policy = container.terminationMessagePolicy, ![TerminationMessagePolicy.file, .fallbackToLogsOnError].contains(policy) {
                    fail(path + ".terminationMessagePolicy", "Unsupported value \"\(policy)\": supported values: \"File\", \"FallbackToLogsOnError\"")
                }
                if let messagePath = container.terminationMessagePath, !messagePath.isEmpty, !messagePath.hasPrefix("/") {
                    fail(path + ".terminationMessagePath", "Invalid value \"\(messagePath)\": must be an absolute path")
                }
                for (p, port) in (container.ports ?? []).enumerated() {
                    let portPath = "\(path).ports[\(p)]"
                    if !(1...65535).contains(port.containerPort) {
                        fail(portPath + ".containerPort", "Invalid value \(port.containerPort): must be between 1 and 65535, inclusive")
                    }
                    if let host = port.hostPort, !(0...65535).contains(host) {
                        fail(portPath + ".hostPort", "Invalid value \(host): must be between 0 and 65535, inclusive")
                    }
                    if hostNetwork, let host = port.hostPort, host != 0, host != port.containerPort {
                        fail(portPath + ".hostPort", "Invalid value \(host): must match `containerPort` when `hostNetwork` is true")
                    }
                    if let proto = port.protocol, ![PortProtocol.tcp, .udp, .sctp].contains(proto) {
                        fail(portPath + ".protocol", "Unsupported value \"\(proto)\": supported values: \"SCTP\", \"TCP\", \"UDP\"")
                    }
                }
                var mountPaths = Set<String>()
                for (m, mount) in (container.volumeMounts ?? []).enumerated() {
                    let mountPath = "\(path).volumeMounts[\(m)]"
                    if !volumeNames.contains(mount.name) { fail(mountPath + ".name", "Not found: \"\(mount.name)\"") }
                    if !mount.mountPath.hasPrefix("/") { fail(mountPath + ".mountPath", "Invalid value \"\(mount.mountPath)\": must be an absolute path") }
                    if !mountPaths.insert(mount.mountPath).inserted { fail(mountPath + ".mountPath", "Invalid value \"\(mount.mountPath)\": must be unique") }
                    if let sub = mount.subPath, sub.hasPrefix("/") || sub.split(separator: "/").contains("..") {
                        fail(mountPath + ".subPath", "Invalid value \"\(sub)\": must be a relative path without '..'")
                    }
                }
                for (e, env) in (container.env ?? []).enumerated() {
                    validateEnv(env, path: "\(path).env[\(e)]", containerNames: Set((spec.initContainers ?? []).map(\.name) + spec.containers.map(\.name)), fail: fail)
                }
                for (e, source) in (container.envFrom ?? []).enumerated() {
                    let count = [source.configMapRef != nil, source.secretRef != nil].filter { $0 }.count
                    if count != 1 { fail("\(path).envFrom[\(e)]", "Invalid value: must specify exactly one of configMapRef and secretRef") }
                }
                validateResources(container.resources, path: path + ".resources", fail: fail)
                let regularInit = group == "spec.initContainers" && container.restartPolicy != .always
                for (field, probe) in [("livenessProbe", container.livenessProbe), ("readinessProbe", container.readinessProbe),
                                       ("startupProbe", container.startupProbe)] {
                    guard let probe else { continue }
                    if regularInit { fail("\(path).\(field)", "Forbidden: may not be set for init containers without restartPolicy=Always") }
                    validateProbe(probe, path: "\(path).\(field)", mustSucceedOnce: field != "readinessProbe", fail: fail)
                }
                for (field, handler) in [("postStart", container.lifecycle?.postStart), ("preStop", container.lifecycle?.preStop)] {
                    guard let handler else { continue }
                    if regularInit { fail("\(path).lifecycle.\(field)", "Forbidden: may not be set for init containers without restartPolicy=Always") }
                    let set = [handler.exec != nil, handler.httpGet != nil, handler.tcpSocket != nil, handler.sleep != nil].filter { $0 }.count
                    validateHandlerCount(set, path: "\(path).lifecycle.\(field)", fail: fail)
                    if let http = handler.httpGet { validateHTTPGet(http, path: "\(path).lifecycle.\(field).httpGet", fail: fail) }
                    if let sleep = handler.sleep, sleep.seconds < 0 {
                        fail("\(path).lifecycle.\(field).sleep.seconds", "Invalid value \(sleep.seconds): must be greater than or equal to 0")
                    }
                }
            }
        }
        return errors
    }

    static func validateProbe(_ probe: Probe, path: String, mustSucceedOnce: Bool, fail: (String, String) -> Void) {
        let set = [probe.exec != nil, probe.httpGet != nil, probe.tcpSocket != nil, probe.grpc != nil].filter { $0 }.count
        validateHandlerCount(set, path: path, fail: fail)
        if let http = probe.httpGet { validateHTTPGet(http, path: path + ".httpGet", fail: fail) }
        if let tcp = probe.tcpSocket { validatePort(tcp.port, path: path + ".tcpSocket.port", fail: fail) }
        if let delay = probe.initialDelaySeconds, delay < 0 {
            fail(path + ".initialDelaySeconds", "Invalid value \(delay): must be greater than or equal to 0")
        }
        for (field, value) in [("timeoutSeconds", probe.timeoutSeconds), ("periodSeconds", probe.periodSeconds),
                               ("successThreshold", probe.successThreshold), ("failureThreshold", probe.failureThreshold)] {
            if let value, value < 1 { fail("\(path).\(field)", "Invalid value \(value): must be greater than or equal to 1") }
        }
        if mustSucceedOnce, let threshold = probe.successThreshold, threshold != 1 {
            fail(path + ".successThreshold", "Invalid value \(threshold): must be 1")
        }
    }

    static func validateHTTPGet(_ action: HTTPGetAction, path: String, fail: (String, String) -> Void) {
        validatePort(action.port, path: path + ".port", fail: fail)
        if let scheme = action.scheme, scheme != "HTTP" && scheme != "HTTPS" {
            fail(path + ".scheme", "Unsupported value \"\(scheme)\": supported values: \"HTTP\", \"HTTPS\"")
        }
    }

    static func validateHandlerCount(_ count: Int, path: String, fail: (String, String) -> Void) {
        if count == 0 { fail(path, "Required value: must specify a handler type") }
        if count > 1 { fail(path, "Forbidden: may not specify more than 1 handler type") }
    }

    /// A port number (1-65535) or an IANA service name (the name of one of the container's ports).
    static func validatePort(_ port: IntOrString, path: String, fail: (String, String) -> Void) {
        switch port {
        case .int(let n):
            if !(1...65535).contains(n) { fail(path, "Invalid value \(n): must be between 1 and 65535, inclusive") }
        case .string(let name):
            if let n = Int(name) {
                if !(1...65535).contains(n) { fail(path, "Invalid value \"\(name)\": must be between 1 and 65535, inclusive") }
            } else if name.isEmpty || name.count > 15 || !name.utf8.allSatisfy({ isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") })
                        || !name.utf8.contains(where: isLower) {
                fail(path, "Invalid value \"\(name)\": must be a port number or a port name of at most 15 lower case letters, digits or '-'")
            }
        }
    }

    static func validateVolumeSource(_ volume: Volume, path: String, fail: (String, String) -> Void) {
        let sources: [(String, Bool)] = [("emptyDir", volume.emptyDir != nil), ("hostPath", volume.hostPath != nil),
                                         ("configMap", volume.configMap != nil), ("secret", volume.secret != nil),
                                         ("downwardAPI", volume.downwardAPI != nil), ("projected", volume.projected != nil),
                                         ("persistentVolumeClaim", volume.persistentVolumeClaim != nil)]
        let set = sources.filter(\.1).map(\.0)
        if set.isEmpty {
            fail(path, "Required value: no volume source skiff-kubelet supports (emptyDir, hostPath, configMap, secret, downwardAPI, projected)")
            return
        }
        if set.count > 1 { fail(path, "Forbidden: may not specify more than one volume source (found \(set.joined(separator: ", ")))") }
        if volume.persistentVolumeClaim != nil {
            fail(path + ".persistentVolumeClaim", "Forbidden: a static pod cannot use a PersistentVolumeClaim (it needs an API server)")
        }
        if let hostPath = volume.hostPath {
            if !hostPath.path.hasPrefix("/") { fail(path + ".hostPath.path", "Invalid value \"\(hostPath.path)\": must be an absolute path") }
            if let type = hostPath.type, !HostPathType.all.contains(type) {
                fail(path + ".hostPath.type", "Unsupported value \"\(type)\": supported values: \"\", \"DirectoryOrCreate\", \"Directory\", \"FileOrCreate\", \"File\", \"Socket\", \"CharDevice\", \"BlockDevice\"")
            }
        }
        if let emptyDir = volume.emptyDir, let medium = emptyDir.medium, medium != .default, medium != .memory {
            fail(path + ".emptyDir.medium", "Unsupported value \"\(medium)\": supported values: \"\", \"Memory\"")
        }
        if volume.configMap != nil, (volume.configMap?.name ?? "").isEmpty { fail(path + ".configMap.name", "Required value") }
        if volume.secret != nil, (volume.secret?.secretName ?? "").isEmpty { fail(path + ".secret.secretName", "Required value") }
        for (i, item) in (volume.downwardAPI?.items ?? []).enumerated() {
            validateDownwardFile(item, path: "\(path).downwardAPI.items[\(i)]", fail: fail)
        }
        for (s, source) in (volume.projected?.sources ?? []).enumerated() {
            if source.serviceAccountToken != nil {
                fail("\(path).projected.sources[\(s)].serviceAccountToken", "Forbidden: service account tokens need an API server")
            }
            for (i, item) in (source.downwardAPI?.items ?? []).enumerated() {
                validateDownwardFile(item, path: "\(path).projected.sources[\(s)].downwardAPI.items[\(i)]", fail: fail)
            }
        }
    }

    static func validateDownwardFile(_ item: DownwardAPIVolumeFile, path: String, fail: (String, String) -> Void) {
        if item.path.hasPrefix("/") || item.path.split(separator: "/").contains("..") {
            fail(path + ".path", "Invalid value \"\(item.path)\": must be a relative path without '..'")
        }
        if (item.fieldRef == nil) == (item.resourceFieldRef == nil) {
            fail(path, "Invalid value: must specify exactly one of fieldRef and resourceFieldRef")
        }
        if let field = item.fieldRef, !FieldPath.volumeFields(field.fieldPath) {
            fail(path + ".fieldRef.fieldPath", "Unsupported value \"\(field.fieldPath)\": supported values: \"metadata.annotations\", \"metadata.labels\", \"metadata.name\", \"metadata.namespace\", \"metadata.uid\"")
        }
        if let resource = item.resourceFieldRef, !FieldPath.resources.contains(resource.resource) {
            fail(path + ".resourceFieldRef.resource", "Unsupported value \"\(resource.resource)\"")
        }
    }

    static func validateEnv(_ env: EnvVar, path: String, containerNames: Set<String>, fail: (String, String) -> Void) {
        if env.name.isEmpty { fail(path + ".name", "Required value") }
        if env.name.contains("=") { fail(path + ".name", "Invalid value \"\(env.name)\": must not contain '='") }
        guard let from = env.valueFrom else { return }
        if env.value.map({ !$0.isEmpty }) ?? false {
            fail(path + ".valueFrom", "Invalid value: may not be specified when `value` is not empty")
        }
        let count = [from.fieldRef != nil, from.resourceFieldRef != nil, from.configMapKeyRef != nil, from.secretKeyRef != nil].filter { $0 }.count
        if count != 1 {
            fail(path + ".valueFrom", "Invalid value: must specify exactly one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef")
        }
        if let field = from.fieldRef, !FieldPath.envFields(field.fieldPath) {
            fail(path + ".valueFrom.fieldRef.fieldPath", "Unsupported value \"\(field.fieldPath)\": supported values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"metadata.labels['<KEY>']\", \"metadata.annotations['<KEY>']\", \"spec.nodeName\", \"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\"")
        }
        if let resource = from.resourceFieldRef {
            if !FieldPath.resources.contains(resource.resource) {
                fail(path + ".valueFrom.resourceFieldRef.resource", "Unsupported value \"\(resource.resource)\"")
            }
            if let name = resource.containerName, !name.isEmpty, !containerNames.contains(name) {
                fail(path + ".valueFrom.resourceFieldRef.containerName", "Not found: \"\(name)\"")
            }
        }
    }

    static func validateResources(_ resources: ResourceRequirements?, path: String, fail: (String, String) -> Void) {
        guard let resources else { return }
        for (kind, list) in [("limits", resources.limits ?? [:]), ("requests", resources.requests ?? [:])] {
            for (name, quantity) in list.sorted(by: { $0.key < $1.key }) where quantity.amount < 0 {
                fail("\(path).\(kind)[\(name)]", "Invalid value \"\(quantity)\": must be greater than or equal to 0")
            }
        }
        for (name, request) in resources.requests ?? [:] {
            if let limit = resources.limits?[name], request.amount > limit.amount {
                fail("\(path).requests[\(name)]", "Invalid value \"\(request)\": must be less than or equal to \(name) limit of \(limit)")
            }
        }
    }

    // MARK: names

    static func dnsLabelProblem(_ s: String) -> String? {
        if s.count > 63 { return "must be no more than 63 characters" }
        let ok = !s.isEmpty && s.utf8.allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
            && s.utf8.first.map { isLower($0) || isDigit($0) } == true && s.utf8.last.map { isLower($0) || isDigit($0) } == true
        return ok ? nil : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    }

    static func dnsSubdomainProblem(_ s: String) -> String? {
        if s.count > 253 { return "must be no more than 253 characters" }
        let ok = !s.isEmpty && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.utf8.allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
                && part.utf8.first.map { isLower($0) || isDigit($0) } == true && part.utf8.last.map { isLower($0) || isDigit($0) } == true
        }
        return ok ? nil : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
    }

    private static func isLower(_ c: UInt8) -> Bool { c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") }
    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    static func isIP(_ s: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, s, &v4) == 1 || inet_pton(AF_INET6, s, &v6) == 1
    }
}
