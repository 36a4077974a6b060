// Small POSIX file helpers. The runtime avoids Foundation's file APIs on its hot path:
// they cost start-up time and allocate more than a read() or write() does.
import Glibc

public enum FileIO {
    /// Reads a whole file. Throws naming the path.
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw RuntimeError.system("open \(path)") }
        defer { close(fd) }
        return try readAll(fd: fd, path: path)
    }

    public static func readAll(fd: Int32, path: String) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RuntimeError.system("read \(path)")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    public static func readString(_ path: String) throws -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    /// Reads a file, or nil when it does not exist.
    public static func readIfExists(_ path: String) -> String? {
        try? readString(path)
    }

    /// Writes (truncating) a file; for cgroup and proc files, each write is one value.
    public static func write(_ path: String, _ text: String, flags: Int32 = O_WRONLY | O_TRUNC, mode: mode_t = 0o644) throws {
        let fd = open(path, flags | O_CLOEXEC, mode)
        if fd < 0 { throw RuntimeError.system("open \(path)") }
        defer { close(fd) }
        try writeAll(fd: fd, Array(text.utf8), what: path)
    }

    public static func writeAll(fd: Int32, _ bytes: [UInt8], what: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RuntimeError.system("write \(what)")
            }
            offset += n
        }
    }

    /// Writes a file atomically: a temporary file renamed over the target.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if fd < 0 { throw RuntimeError.system("open \(tmp)") }
        do {
            try writeAll(fd: fd, bytes, what: tmp)
            close(fd)
        } catch {
            close(fd); unlink(tmp); throw error
        }
        if rename(tmp, path) < 0 {
            let e = errno; unlink(tmp)
            throw RuntimeError.system("rename \(tmp) to \(path)", errno: e)
        }
    }

    /// Whether two files hold the same bytes, read a chunk at a time (a daemon comparing a
    /// binary at start must not hold two copies of it); false when either cannot be read.
    public static func sameContents(_ a: String, _ b: String) -> Bool {
        let fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC)
        defer { if fa >= 0 { close(fa) }; if fb >= 0 { close(fb) } }
        var sa = stat(), sb = stat()
        guard fa >= 0, fb >= 0, fstat(fa, &sa) == 0, fstat(fb, &sb) == 0, sa.st_size == sb.st_size else { return false }
        let size = 65536
        let bufA = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        let bufB = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { bufA.deallocate(); bufB.deallocate() }
        while true {
            let n = Glibc.read(fa, bufA, size)
            guard n >= 0, Glibc.read(fb, bufB, n) == n else { return false }   // regular files: full reads
            if n == 0 { return true }
            if memcmp(bufA, bufB, n) != 0 { return false }
        }
    }

    /// Copies a file atomically (a temporary file renamed over the target), a chunk at a time.
    public static func copyAtomically(from source: String, to path: String, mode: mode_t) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        if input < 0 { throw RuntimeError.system("open \(source)") }
        defer { close(input) }
        let tmp = path + ".tmp"
        let output = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if output < 0 { throw RuntimeError.system("open \(tmp)") }
        var chunk = [UInt8](repeating: 0, count: 65536)
        do {
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { throw RuntimeError.system("read \(source)") }
                if n == 0 { break }
                try writeAll(fd: output, Array(chunk[0..<n]), what: tmp)
            }
            close(output)
        } catch {
            close(output); unlink(tmp); throw error
        }
        if rename(tmp, path) < 0 {
            let e = errno; unlink(tmp)
            throw RuntimeError.system("rename \(tmp) to \(path)", errno: e)
        }
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// mkdir -p.
    public static func mkdirAll(_ path: String, mode: mode_t = 0o755) throws {
        if mkdir(path, mode) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw RuntimeError.system("mkdir \(path)") }
        try mkdirAll(parent(of: path), mode: mode)
        if mkdir(path, mode) < 0 && errno != EEXIST { throw RuntimeError.system("mkdir \(path)") }
    }

    /// rm -rf of a directory tree that holds only our own files (no mount points).
    public static func removeAll(_ path: String) {
        if unlink(path) == 0 || errno == ENOENT { return }
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name == "." || name == ".." { continue }
                removeAll(path + "/" + name)
            }
            closedir(dir)
        }
        rmdir(path)
    }

    /// Names in a directory, without "." and "..".
    public static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public static func readLink(_ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        if n < 0 { throw RuntimeError.system("readlink \(path)") }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Names of the directories in a directory, from readdir's d_type (no stat per entry).
    public static func subdirectories(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let type = entry.pointee.d_type
            guard type == UInt8(DT_DIR) || type == UInt8(DT_UNKNOWN) else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name == "." || name == ".." { continue }
            if type == UInt8(DT_DIR) || isDirectory(path + "/" + name) { names.append(name) }
        }
        return names
    }

    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// Joins path components with single slashes.
public func joinPath(_ base: String, _ rest: String) -> String {
    if rest.isEmpty { return base }
    if base.hasSuffix("/") { return base + (rest.hasPrefix("/") ? String(rest.dropFirst()) : rest) }
    return base + (rest.hasPrefix("/") ? rest : "/" + rest)
}

extension FileIO {
    /// Writes to stdout unbuffered (print() is lost if the process is killed while buffered).
    public static func printOut(_ bytes: [UInt8]) {
        _ = try? writeAll(fd: 1, bytes + [UInt8(ascii: "\n")], what: "stdout")
    }
    public static func printOut(_ text: String) { printOut(Array(text.utf8)) }
    public static func printError(_ text: String) {
        _ = try? writeAll(fd: 2, Array((text + "\n").utf8), what: "stderr")
    }
}
