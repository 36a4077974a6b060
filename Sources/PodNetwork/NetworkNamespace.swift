// A pod's persistent network namespace: a new netns bind-mounted onto a file, as `ip netns add`
// does, so that it outlives every process in it and CNI plugins and the runtime can open it by path.
import CSkiffSystem
import Glibc

public struct NetworkNamespace: Sendable, Hashable {
    /// The file the namespace is mounted on.
    public let path: String

    /// A namespace already mounted at `path` (see `create`); nothing is checked until it is used.
    public init(path: String) {
        self.path = path
    }

    /// Creates a new network namespace at `<stateDirectory>/netns/<name>`.
    public static func create(name: String, stateDirectory: String) throws -> NetworkNamespace {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.contains("\0") else {
            throw PodNetworkError("network namespace name \"\(name)\" is not a single file name")
        }
        let directory = stateDirectory + "/netns"
        try makeDirectories(directory)
        return try create(at: directory + "/" + name)
    }

    /// Creates a new network namespace mounted on a new file at `path` (its directory must exist).
    /// It holds only a loopback device, down.
    public static func create(at path: String) throws -> NetworkNamespace {
        let fd = Glibc.open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        if fd < 0 {
            if errno == EEXIST { throw PodNetworkError("network namespace \(path) already exists") }
            throw PodNetworkError.system("create network namespace file \(path)")
        }
        close(fd)
        do {
            // The thread's own namespace, not the process's: /proc/thread-self, not /proc/self.
            try NamespaceThread.run(in: .newNamespace) {
                if mount("/proc/thread-self/ns/net", path, nil, UInt(MS_BIND), nil) < 0 {
                    throw PodNetworkError.system("bind-mount a new network namespace on \(path)")
                }
            }
        } catch {
            unlink(path)
            throw error
        }
        return NetworkNamespace(path: path)
    }

    /// Opens the namespace (close-on-exec); fails unless `path` holds a network namespace.
    public func open() throws -> Int32 {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw PodNetworkError.system("open network namespace \(path)") }
        // NS_GET_NSTYPE: a plain file, or another kind of namespace, must not be joined.
        let type = ioctl(fd, UInt(0xb703))
        if type != Int32(SK_CLONE_NEWNET) {
            close(fd)
            throw PodNetworkError("\(path) is not a network namespace")
        }
        return fd
    }

    /// Whether `path` holds a network namespace (false once removed, or if never mounted).
    public var exists: Bool {
        guard let fd = try? open() else { return false }
        close(fd)
        return true
    }

    /// Unmounts and deletes the namespace file. Removing a namespace that is gone is not an
    /// error. The namespace itself lives on while a process is still in it.
    public func remove() throws {
        if umount2(path, Int32(MNT_DETACH)) < 0 && errno != EINVAL && errno != ENOENT {
            throw PodNetworkError.system("unmount network namespace \(path)")
        }
        if unlink(path) < 0 && errno != ENOENT {
            throw PodNetworkError.system("remove network namespace file \(path)")
        }
    }

    /// A socket (close-on-exec) made inside this namespace: it stays bound to the namespace it
    /// was made in, so connecting it reaches the pod's own 127.0.0.1 (CRI PortForward).
    /// `type` is SOCK_STREAM or SOCK_DGRAM (its raw value).
    public func makeSocket(domain: Int32, type: Int32) throws -> Int32 {
        let namespaceFD = try open()
        defer { close(namespaceFD) }
        return try NamespaceThread.run(in: .namespace(fd: namespaceFD)) {
            let socketFD = socket(domain, type | Int32(SOCK_CLOEXEC.rawValue), 0)
            if socketFD < 0 { throw PodNetworkError.system("socket in network namespace \(path)") }
            return socketFD
        }
    }

    /// A socket made inside the network namespace at `path` (see `makeSocket`).
    public static func socketInNamespace(path: String, domain: Int32, type: Int32) throws -> Int32 {
        try NetworkNamespace(path: path).makeSocket(domain: domain, type: type)
    }
}

/// mkdir -p, mode 0755.
func makeDirectories(_ path: String) throws {
    var prefix = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
        prefix += "/" + component
        if mkdir(prefix, 0o755) < 0 && errno != EEXIST {
            throw PodNetworkError.system("create directory \(prefix)")
        }
    }
}
