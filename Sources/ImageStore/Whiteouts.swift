// OCI whiteouts (`.wh.<name>`, `.wh..wh..opq`) turned into what overlayfs understands, as
// containerd's overlay differ does: a 0:0 character device for a deleted name, and the
// `trusted.overlay.opaque=y` xattr on a directory whose lower contents are hidden.
import CSkiffSystem
import Glibc
import RuntimeCore

enum Whiteout: Equatable {
    /// `.wh.<name>`: `name` is deleted from the layers below.
    case remove(String)
    /// `.wh..wh..opq`: the directory hides everything below it.
    case opaque
    /// Other `.wh..wh.*` names: aufs bookkeeping (`.wh..wh.plnk`, `.wh..wh.aufs`), skipped as containerd does.
    case aufsMetadata

    static let prefix = ".wh."
    static let opaqueName = ".wh..wh..opq"

    /// The whiteout a base name stands for, or nil for an ordinary name.
    init?(baseName: String) {
        if baseName == Self.opaqueName { self = .opaque; return }
        if baseName.hasPrefix(Self.prefix + Self.prefix) { self = .aufsMetadata; return }
        guard baseName.hasPrefix(Self.prefix) else { return nil }
        let name = String(baseName.dropFirst(Self.prefix.count))
        self = .remove(name)
    }

    /// Writes the overlayfs form of this whiteout into the directory `parent` (an fd).
    /// `what` names the tar entry for errors.
    func apply(inDirectory parent: Int32, what: String) throws {
        switch self {
        case .aufsMetadata:
            return
        case .remove(let name):
            guard !name.isEmpty, name != ".", name != "..", !name.hasPrefix(Self.prefix) else {
                throw RuntimeError("layer entry \"\(what)\": invalid whiteout name")
            }
            try removeExisting(parent, name, what: what)
            let rc = sk_mknodat(parent, name, S_IFCHR | 0, 0, 0)
            if rc < 0 { throw RuntimeError.system("layer entry \"\(what)\": mknod overlay whiteout \(name)", errno: -rc) }
        case .opaque:
            // `parent` may be an O_PATH fd, which xattr calls refuse: open the directory itself.
            let dir = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dir < 0 { throw RuntimeError.system("layer entry \"\(what)\": open its directory") }
            defer { close(dir) }
            let value: [UInt8] = Array("y".utf8)
            let rc = value.withUnsafeBytes {
                sk_fsetxattr(dir, "trusted.overlay.opaque", $0.baseAddress, $0.count, 0)
            }
            if rc < 0 { throw RuntimeError.system("layer entry \"\(what)\": set trusted.overlay.opaque on its directory") }
        }
    }
}

/// The path through which path-taking calls (lsetxattr) reach what an fd refers to.
func procFDPath(_ fd: Int32, _ name: String? = nil) -> String {
    "/proc/self/fd/\(fd)" + (name.map { "/" + $0 } ?? "")
}

/// Removes `name` in the directory `parent` if it exists (a whole tree for a directory):
/// a later tar entry replaces an earlier one of the same name.
func removeExisting(_ parent: Int32, _ name: String, what: String) throws {
    if unlinkat(parent, name, 0) == 0 || errno == ENOENT { return }
    guard errno == EISDIR else { throw RuntimeError.system("layer entry \"\(what)\": remove existing \(name)") }
    try removeTree(parent, name, what: what)
}

/// rm -rf of the directory `name` in `parent`, never following symlinks.
func removeTree(_ parent: Int32, _ name: String, what: String) throws {
    let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    if fd < 0 { throw RuntimeError.system("layer entry \"\(what)\": open \(name) to remove it") }
    guard let dir = fdopendir(fd) else { close(fd); throw RuntimeError.system("layer entry \"\(what)\": read \(name)") }
    var names: [String] = []
    while let entry = readdir(dir) {
        let child = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        if child != "." && child != ".." { names.append(child) }
    }
    for child in names {
        if unlinkat(fd, child, 0) == 0 { continue }
        if errno == EISDIR { try removeTree(fd, child, what: what) } else if errno != ENOENT {
            closedir(dir)
            throw RuntimeError.system("layer entry \"\(what)\": remove \(name)/\(child)")
        }
    }
    closedir(dir)
    if unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT {
        throw RuntimeError.system("layer entry \"\(what)\": remove directory \(name)")
    }
}
