// The kubelet-managed /etc/hosts mounted in every container of a pod: localhost entries, the
// pod's own name at its IP, and the pod's hostAliases. Pods on the node's network get the
// node's /etc/hosts with the aliases added.
import Foundation
import KubeAPI

enum PodHostsFile {
    static func content(for pod: Pod, podIPs: [String], hostname: String) -> String {
        var text: String
        if pod.spec.hostNetwork ?? false {
            text = "# Kubernetes-managed hosts file (host network).\n"
            text += (try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) ?? ""
            if !text.hasSuffix("\n") { text += "\n" }
        } else {
            text = """
            # Kubernetes-managed hosts file.
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            fe00::0\tip6-mcastprefix
            fe00::1\tip6-allnodes
            fe00::2\tip6-allrouters

            """
            for ip in podIPs {
                if let subdomain = pod.spec.subdomain, !subdomain.isEmpty {
                    text += "\(ip)\t\(hostname).\(subdomain).\(pod.namespace).svc.cluster.local\t\(hostname)\n"
                } else {
                    text += "\(ip)\t\(hostname)\n"
                }
            }
        }
        if let aliases = pod.spec.hostAliases, !aliases.isEmpty {
            text += "\n# Entries added by HostAliases.\n"
            for alias in aliases {
                text += "\(alias.ip)\t\((alias.hostnames ?? []).joined(separator: "\t"))\n"
            }
        }
        return text
    }

    /// The pod's hostname: spec.hostname, else its name, cut to a DNS label.
    static func hostname(for pod: Pod) -> String {
        var name = pod.spec.hostname.flatMap { $0.isEmpty ? nil : $0 } ?? pod.name
        if name.count > 63 {
            name = String(name.prefix(63))
            while let last = name.last, last == "-" || last == "." { name.removeLast() }
        }
        return name
    }
}
