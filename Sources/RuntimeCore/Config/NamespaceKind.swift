// The Linux namespaces a config.json can ask for, with their clone flags and /proc names.
import CSkiffSystem
import OCISpec

public enum NamespaceKind: String, CaseIterable, Sendable {
    case pid, network, mount, ipc, uts, user, cgroup, time

    public var cloneFlag: Int32 {
        switch self {
        case .pid: return Int32(SK_CLONE_NEWPID)
        case .network: return Int32(SK_CLONE_NEWNET)
        case .mount: return Int32(SK_CLONE_NEWNS)
        case .ipc: return Int32(SK_CLONE_NEWIPC)
        case .uts: return Int32(SK_CLONE_NEWUTS)
        case .user: return Int32(SK_CLONE_NEWUSER)
        case .cgroup: return Int32(SK_CLONE_NEWCGROUP)
        case .time: return Int32(SK_CLONE_NEWTIME)
        }
    }

    /// The file under /proc/<pid>/ns/.
    public var procName: String {
        switch self {
        case .network: return "net"
        case .mount: return "mnt"
        default: return rawValue
        }
    }

    /// Order in which namespaces are joined: user first (it grants the rights to join the
    /// others), mount last (after it, host paths of the other namespaces are out of reach).
    public static let joinOrder: [NamespaceKind] = [.user, .ipc, .uts, .network, .pid, .cgroup, .time, .mount]
}

extension Linux {
    /// The namespace entry of a kind, if config.json lists it.
    public func namespace(_ kind: NamespaceKind) -> Namespace? {
        namespaces?.first { $0.type == kind.rawValue }
    }
    /// True when the container gets a new namespace of this kind (listed without a path).
    public func createsNamespace(_ kind: NamespaceKind) -> Bool {
        guard let ns = namespace(kind) else { return false }
        return ns.path == nil || ns.path!.isEmpty
    }
}
