// Applies one image layer to a directory the way containerd's overlay differ does for
// overlayfs: each layer unpacked on its own, whiteouts turned into overlay whiteouts.
//
// Safety: a layer is untrusted input. Every entry is written through an fd of its parent
// directory, opened with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS) from the target's fd,
// and the final name is created with *at calls that never follow it. So `../x`, `/abs`, a
// symlink planted earlier in the layer (`evil -> /tmp/outside` then `evil/file`) or a hard
// link to a file outside all fail instead of writing outside the target; the error names the entry.
import CSkiffSystem
import Glibc
import RuntimeCore

public enum LayerUnpacker {
    /// Unpacks the layer blob at `blobPath` (plain tar or gzip) into `destination`, which must
    /// not exist: it appears only once the whole layer is in place (a temporary sibling renamed
    /// over it), so a failed unpack leaves nothing behind. Returns the layer's diffID
    /// ("sha256:<hex>" of the uncompressed tar stream).
    @discardableResult
    public static func unpack(blobAt blobPath: String, to destination: String) throws -> String {
        if FileIO.exists(destination) { throw RuntimeError("unpack layer \(blobPath): \(destination) already exists") }
        var template = Array("\(destination).unpacking-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw RuntimeError.system("unpack layer \(blobPath): make a temporary directory next to \(destination)")
        }
        let temporary = String(cString: made)
        do {
            // mkdtemp made it 0700; a layer's root is 0755 unless its "./" entry says otherwise.
            if chmod(temporary, 0o755) < 0 { throw RuntimeError.system("unpack layer \(blobPath): chmod \(temporary)") }
            let diffID = try apply(blobAt: blobPath, into: temporary)
            if rename(temporary, destination) < 0 {
                throw RuntimeError.system("unpack layer \(blobPath): rename \(temporary) to \(destination)")
            }
            return diffID
        } catch {
            FileIO.removeAll(temporary)
            throw error
        }
    }

    /// Applies the layer blob at `blobPath` into the existing directory `directory`.
    @discardableResult
    public static func apply(blobAt blobPath: String, into directory: String) throws -> String {
        let fd = open(blobPath, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw RuntimeError.system("open layer \(blobPath)") }
        defer { close(fd) }
        return try apply(BufferedStream(FileDescriptorStream(fd: fd, name: blobPath)), name: blobPath, into: directory)
    }

    /// Applies a layer read from `blob` into `directory`; `name` names the layer in errors.
    @discardableResult
    public static func apply(_ blob: ByteStream, name: String, into directory: String) throws -> String {
        let (tarStream, _) = try LayerCompression.decompressing(blob, name: name)
        let hashed = SHA256Stream(tarStream)
        let writer = try LayerWriter(root: directory, layer: name)
        defer { writer.close() }
        let reader = TarReader(hashed)
        while let entry = try reader.next() {
            try writer.write(entry, data: reader)
        }
        try reader.drainTrailer()
        try writer.finish()
        return hashed.digest()
    }
}

/// Writes tar entries under one root directory, by fd.
private final class LayerWriter {
    private let rootPath: String
    private let layer: String
    private let root: Int32
    /// Directory mtimes are set last: creating entries inside a directory changes its mtime.
    private var directoryTimes: [([String], (seconds: Int, nanoseconds: Int))] = []
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 16)

    private static let resolveInRoot: UInt64 = 0x10, resolveNoSymlinks: UInt64 = 0x04, resolveNoMagicLinks: UInt64 = 0x02

    init(root: String, layer: String) throws {
        rootPath = root
        self.layer = layer
        let fd = open(root, Int32(SK_O_PATH) | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 {
            buffer.deallocate()
            throw RuntimeError.system("unpack layer \(layer): open target \(root)")
        }
        self.root = fd
    }

    func close() {
        _ = Glibc.close(root)
        buffer.deallocate()
    }

    func write(_ entry: TarEntry, data: TarReader) throws {
        let what = "\(entry.path)\" of layer \"\(layer)"
        let parts = try components(entry.path, what: what)
        guard let name = parts.last else {
            // "./": the layer's root directory itself.
            guard entry.kind == .directory else { throw RuntimeError("layer entry \"\(what)\": a non-directory at the root") }
            let fd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd < 0 { throw RuntimeError.system("layer entry \"\(what)\": open the root") }
            defer { _ = Glibc.close(fd) }
            try setMetadata(fd: fd, entry, what: what)
            directoryTimes.append(([], entry.mtime))
            return
        }
        // Inside aufs bookkeeping directories (`.wh..wh.plnk/...`): not image content.
        if parts.dropLast().contains(where: { $0.hasPrefix(Whiteout.prefix + Whiteout.prefix) }) { return }
        let parent = try openDirectory(Array(parts.dropLast()), creating: true, what: what)
        defer { _ = Glibc.close(parent) }

        if let whiteout = Whiteout(baseName: name) {
            try whiteout.apply(inDirectory: parent, what: what)
            return
        }
        switch entry.kind {
        case .directory:
            var st = stat()
            let exists = fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0
            if !exists || (st.st_mode & S_IFMT) != S_IFDIR {
                if exists { try removeExisting(parent, name, what: what) }
                if mkdirat(parent, name, 0o700) < 0 { throw RuntimeError.system("layer entry \"\(what)\": mkdir") }
            }
            let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 { throw RuntimeError.system("layer entry \"\(what)\": open directory") }
            defer { _ = Glibc.close(fd) }
            try setMetadata(fd: fd, entry, what: what)
            directoryTimes.append((parts, entry.mtime))

        case .regular:
            try removeExisting(parent, name, what: what)
            let fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd < 0 { throw RuntimeError.system("layer entry \"\(what)\": create file") }
            defer { _ = Glibc.close(fd) }
            while true {
                let n = try data.read(into: buffer)
                if n == 0 { break }
                var offset = 0
                while offset < n {
                    let w = Glibc.write(fd, buffer.baseAddress! + offset, n - offset)
                    if w < 0 {
                        if errno == EINTR { continue }
                        throw RuntimeError.system("layer entry \"\(what)\": write")
                    }
                    offset += w
                }
            }
            try setMetadata(fd: fd, entry, what: what)
            try setTimes(fd: fd, entry.mtime, what: what)

        case .symlink:
            // A symlink is data: created as the layer says, never followed while unpacking.
            try removeExisting(parent, name, what: what)
            if symlinkat(entry.linkTarget, parent, name) < 0 { throw RuntimeError.system("layer entry \"\(what)\": symlink") }
            try setMetadata(parent: parent, name: name, entry, what: what, isSymlink: true)

        case .hardLink:
            let targetParts = try components(entry.linkTarget, what: what + "\" (hard link target \"\(entry.linkTarget)")
            guard let targetName = targetParts.last else { throw RuntimeError("layer entry \"\(what)\": hard link to the root") }
            let targetParent = try openDirectory(Array(targetParts.dropLast()), creating: false,
                                                 what: what + "\" (hard link to \"\(entry.linkTarget)")
            defer { _ = Glibc.close(targetParent) }
            var st = stat()
            if fstatat(targetParent, targetName, &st, AT_SYMLINK_NOFOLLOW) < 0 {
                throw RuntimeError.system("layer entry \"\(what)\": hard link target \"\(entry.linkTarget)\" is not in the layer")
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw RuntimeError("layer entry \"\(what)\": hard link to the directory \"\(entry.linkTarget)\"")
            }
            if targetParts == parts { return }
            try removeExisting(parent, name, what: what)
            if linkat(targetParent, targetName, parent, name, 0) < 0 {
                throw RuntimeError.system("layer entry \"\(what)\": hard link to \"\(entry.linkTarget)\"")
            }

        case .characterDevice, .blockDevice, .fifo:
            try removeExisting(parent, name, what: what)
            let type: mode_t = entry.kind == .fifo ? S_IFIFO : entry.kind == .blockDevice ? S_IFBLK : S_IFCHR
            let rc = sk_mknodat(parent, name, type | 0o600, entry.deviceMajor, entry.deviceMinor)
            if rc < 0 { throw RuntimeError.system("layer entry \"\(what)\": mknod", errno: -rc) }
            try setMetadata(parent: parent, name: name, entry, what: what, isSymlink: false)
        }
    }

    /// Sets the directories' mtimes, now that nothing more is created in them.
    func finish() throws {
        for (parts, mtime) in directoryTimes.reversed() {
            let fd = sk_openat2(root, parts.isEmpty ? "." : parts.joined(separator: "/"),
                                UInt64(Int32(SK_O_PATH) | O_DIRECTORY | O_CLOEXEC), 0,
                                Self.resolveInRoot | Self.resolveNoSymlinks | Self.resolveNoMagicLinks)
            // A later entry replaced the directory (by a file or a symlink): its time went with it.
            if fd == -ENOTDIR || fd == -ENOENT || fd == -ELOOP { continue }
            if fd < 0 { throw RuntimeError.system("layer \"\(layer)\": open directory \"\(parts.joined(separator: "/"))\"", errno: -fd) }
            defer { _ = Glibc.close(fd) }
            var times = [timespec(tv_sec: mtime.seconds, tv_nsec: mtime.nanoseconds),
                         timespec(tv_sec: mtime.seconds, tv_nsec: mtime.nanoseconds)]
            if utimensat(AT_FDCWD, procFDPath(fd), &times, 0) < 0 {
                throw RuntimeError.system("layer \"\(layer)\": set mtime of directory \"\(parts.joined(separator: "/"))\"")
            }
        }
    }

    // MARK: paths

    /// The components of an entry's path, refusing anything that could name a place outside.
    private func components(_ path: String, what: String) throws -> [String] {
        if path.hasPrefix("/") { throw RuntimeError("layer entry \"\(what)\": absolute path refused") }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        if parts.contains("..") { throw RuntimeError("layer entry \"\(what)\": path with \"..\" refused") }
        return parts
    }

    /// An O_PATH fd of the directory `parts` below the root, resolved without following any
    /// symlink and without leaving the root; missing directories are created when `creating`.
    private func openDirectory(_ parts: [String], creating: Bool, what: String) throws -> Int32 {
        let flags = UInt64(Int32(SK_O_PATH) | O_DIRECTORY | O_CLOEXEC)
        let resolve = Self.resolveInRoot | Self.resolveNoSymlinks | Self.resolveNoMagicLinks
        let direct = sk_openat2(root, parts.isEmpty ? "." : parts.joined(separator: "/"), flags, 0, resolve)
        if direct >= 0 { return direct }
        if -direct != ENOENT || !creating { throw refusal(-direct, parts, what: what) }
        // Some parent is missing: walk down, creating directories as tar does.
        var current = sk_openat2(root, ".", flags, 0, resolve)
        if current < 0 { throw RuntimeError.system("layer entry \"\(what)\": open the root", errno: -current) }
        for (i, part) in parts.enumerated() {
            var next = sk_openat2(current, part, flags, 0, resolve)
            if next == -ENOENT {
                if mkdirat(current, part, 0o755) < 0 && errno != EEXIST {
                    let e = errno; _ = Glibc.close(current)
                    throw RuntimeError.system("layer entry \"\(what)\": mkdir parent \(parts[0...i].joined(separator: "/"))", errno: e)
                }
                next = sk_openat2(current, part, flags, 0, resolve)
            }
            _ = Glibc.close(current)
            if next < 0 { throw refusal(-next, Array(parts[0...i]), what: what) }
            current = next
        }
        return current
    }

    private func refusal(_ code: Int32, _ parts: [String], what: String) -> RuntimeError {
        let dir = parts.joined(separator: "/")
        switch code {
        case ELOOP: return RuntimeError("layer entry \"\(what)\": refused, parent \"\(dir)\" goes through a symlink")
        case EXDEV: return RuntimeError("layer entry \"\(what)\": refused, parent \"\(dir)\" leads outside the layer")
        case ENOTDIR: return RuntimeError("layer entry \"\(what)\": parent \"\(dir)\" is not a directory")
        default: return RuntimeError.system("layer entry \"\(what)\": open parent \"\(dir)\"", errno: code)
        }
    }

    // MARK: metadata

    /// Ownership, mode (after chown, which clears setuid/setgid) and xattrs through an open fd.
    private func setMetadata(fd: Int32, _ entry: TarEntry, what: String) throws {
        if fchown(fd, uid_t(truncatingIfNeeded: entry.uid), gid_t(truncatingIfNeeded: entry.gid)) < 0 {
            throw RuntimeError.system("layer entry \"\(what)\": chown \(entry.uid):\(entry.gid)")
        }
        if fchmod(fd, mode_t(entry.mode)) < 0 { throw RuntimeError.system("layer entry \"\(what)\": chmod") }
        for (key, value) in entry.xattrs.sorted(by: { $0.key < $1.key }) {
            let rc = value.withUnsafeBytes { sk_fsetxattr(fd, key, $0.baseAddress, $0.count, 0) }
            if rc < 0 { throw RuntimeError.system("layer entry \"\(what)\": set xattr \(key)") }
        }
    }

    /// The same for entries that cannot be opened (symlinks, devices, fifos): by name, no following.
    private func setMetadata(parent: Int32, name: String, _ entry: TarEntry, what: String, isSymlink: Bool) throws {
        if fchownat(parent, name, uid_t(truncatingIfNeeded: entry.uid), gid_t(truncatingIfNeeded: entry.gid), AT_SYMLINK_NOFOLLOW) < 0 {
            throw RuntimeError.system("layer entry \"\(what)\": chown \(entry.uid):\(entry.gid)")
        }
        // Symlinks have no mode of their own on Linux.
        if !isSymlink && fchmodat(parent, name, mode_t(entry.mode), 0) < 0 {
            throw RuntimeError.system("layer entry \"\(what)\": chmod")
        }
        let path = procFDPath(parent, name)
        for (key, value) in entry.xattrs.sorted(by: { $0.key < $1.key }) {
            let rc = value.withUnsafeBytes { sk_lsetxattr(path, key, $0.baseAddress, $0.count, 0) }
            // The kernel allows no user.* xattrs on symlinks; containerd skips them too.
            if rc < 0 && isSymlink && errno == EPERM && key.hasPrefix("user.") { continue }
            if rc < 0 { throw RuntimeError.system("layer entry \"\(what)\": set xattr \(key)") }
        }
        var times = [timespec(tv_sec: entry.mtime.seconds, tv_nsec: entry.mtime.nanoseconds),
                     timespec(tv_sec: entry.mtime.seconds, tv_nsec: entry.mtime.nanoseconds)]
        if utimensat(parent, name, &times, AT_SYMLINK_NOFOLLOW) < 0 {
            throw RuntimeError.system("layer entry \"\(what)\": set mtime")
        }
    }

    private func setTimes(fd: Int32, _ mtime: (seconds: Int, nanoseconds: Int), what: String) throws {
        var times = [timespec(tv_sec: mtime.seconds, tv_nsec: mtime.nanoseconds),
                     timespec(tv_sec: mtime.seconds, tv_nsec: mtime.nanoseconds)]
        if futimens(fd, &times) < 0 { throw RuntimeError.system("layer entry \"\(what)\": set mtime") }
    }
}
