// Everything a Kubelet runs with, resolved from defaults, the config file and flags.
import Foundation

public struct KubeletSettings: Sendable {
    /// The node's name: the hostname unless overridden; static pods are named "<name>-<node>".
    public var nodeName: String
    /// The static pod directory (--pod-manifest-path, staticPodPath); nil: no static pods.
    public var staticPodPath: String?
    /// skiff-cri's socket, "unix:///run/skiff/cri.sock" or a path.
    public var runtimeEndpoint = "unix:///run/skiff/cri.sock"
    /// Volumes, termination message files, managed /etc/hosts, node configmaps and secrets.
    public var rootDirectory = "/var/lib/skiff-kubelet"
    /// Container logs: <dir>/<namespace>_<name>_<uid>/<container>/<restart>.log.
    public var podLogsDirectory = "/var/log/pods"
    public var address = "127.0.0.1"
    public var port = 10250
    /// How often every pod is synced even when nothing happened.
    public var syncFrequency: Duration = .seconds(60)
    /// How often the static pod directory is re-read besides inotify's events.
    public var fileCheckFrequency: Duration = .seconds(20)
    /// How often the runtime's pods and containers are listed (the PLEG's relist).
    public var relistPeriod: Duration = .seconds(1)
    public var crashLoopBackOff = BackOffPolicy.crashLoop
    public var imagePullBackOff = BackOffPolicy.crashLoop
    /// Where the kubepods cgroup tree goes ("/" gives /kubepods).
    public var cgroupRoot = "/"
    /// Pod cgroups under /kubepods, /kubepods/burstable and /kubepods/besteffort, as the kubelet.
    public var cgroupsPerQOS = true
    /// Cluster DNS servers for ClusterFirst pods; none here by default (ClusterFirst acts as Default).
    public var clusterDNS: [String] = []
    public var clusterDomain = "cluster.local"
    /// The node's resolver configuration, for dnsPolicy Default.
    public var resolvConf = "/etc/resolv.conf"
    public var runtimeRequestTimeout: Duration = .seconds(120)
    /// The node's address for status.hostIP (first non-loopback IPv4 when nil).
    public var nodeIP: String?
    /// RuntimeDefault seccomp for pods that set none (the kubelet's --seccomp-default).
    public var seccompDefault = false

    public init(nodeName: String? = nil) {
        self.nodeName = (nodeName ?? Self.hostname()).lowercased()
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, 255)
        return String(cString: buffer)
    }
}

/// Exponential back-off: `initial`, doubling up to `maximum`; forgotten after `resetAfter`
/// without a new failure (the kubelet: 10 s to 5 min, reset after 10 min).
public struct BackOffPolicy: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var resetAfter: Duration

    public init(initial: Duration, maximum: Duration, resetAfter: Duration? = nil) {
        self.initial = initial
        self.maximum = maximum
        self.resetAfter = resetAfter ?? maximum * 2
    }

    public static let crashLoop = BackOffPolicy(initial: .seconds(10), maximum: .seconds(300))
}
