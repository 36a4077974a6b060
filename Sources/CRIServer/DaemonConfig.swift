// Where the daemon keeps things and what it runs, from its command line (every path is a
// flag, so tests run many daemons side by side).
//
//   <root>/images.json, content/, snapshots/   the image store (ImageStore)
//   <root>/containers/<id>/                    container rootfs layers (ImageStore's)
//   <root>/pods/<id>.json                      sandbox records
//   <root>/ctrs/<id>.json                      container records
//   <state>/cri.sock                           the API socket (unless --listen says otherwise)
//   <state>/sandboxes/<id>/                    hostname, resolv.conf, hosts, shm, bundle
//   <state>/bundles/<id>/                      container bundles (config.json, rootfs mount point)
//   <state>/monitors/<id>/                     a container monitor's attach socket and control fifo
//   <state>/exits/<id>                         exit records the monitors write
//   <state>/netns/<id>                         pod network namespaces
//   <state>/runtime/<handler>/                 each OCI runtime's --root
public struct DaemonConfig: Sendable {
    public var root = "/var/lib/skiff"
    public var state = "/run/skiff"
    public var listen = "/run/skiff/cri.sock"
    /// The default runtime handler's binary.
    public var runtimePath = "skiff-runtime"
    /// More handlers by name ("runc" → /usr/sbin/runc), as containerd's runtime classes.
    public var runtimeHandlers: [String: String] = [:]
    public var monitorPath = "skiff-monitor"
    public var pausePath = "skiff-pause"
    public var cniConfDir = "/etc/skiff/cni"
    public var cniBinDirs = ["/usr/lib/cni", "/opt/cni/bin"]
    public var insecureRegistries: Set<String> = []
    /// The command that fetches an image in a process of its own (skiff-cri: itself with
    /// `fetch-image`), given --root, --insecure-registry flags and the reference, credentials
    /// on stdin; nil: pulls run in the daemon.
    public var fetchCommand: [String]? = nil
    /// Where the streaming server (exec, attach, port-forward) listens: loopback, a free port by default.
    public var streamingAddress = "127.0.0.1"
    public var streamingPort = 0

    public init() {}

    var podRecords: String { root + "/pods" }
    var containerRecords: String { root + "/ctrs" }
    var sandboxesDir: String { state + "/sandboxes" }
    var bundlesDir: String { state + "/bundles" }
    var monitorsDir: String { state + "/monitors" }
    var exitsDir: String { state + "/exits" }
    var netnsDir: String { state + "/netns" }
    func runtimeRoot(_ handler: String) -> String { state + "/runtime/" + (handler.isEmpty ? "skiff" : handler) }
}
