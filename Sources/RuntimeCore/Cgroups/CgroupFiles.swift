// Reading and writing cgroupfs files and directories. Errors name the step, the value and the
// file: "write 1048576 to /sys/fs/cgroup/memory/x/memory.limit_in_bytes: Device or resource busy".
import Glibc

enum CgroupFiles {
    /// Writes one value with a single write(2): cgroup files take one value per write.
    static func write(_ dir: String, _ file: String, _ value: String) throws {
        let e = tryWrite(dir, file, value)
        if e != 0 { throw writeError(dir, file, value, errno: e) }
    }

    /// As write, but returns the errno (0 on success) for callers that handle some failures.
    static func tryWrite(_ dir: String, _ file: String, _ value: String) -> Int32 {
        let fd = open(dir + "/" + file, O_WRONLY | O_TRUNC | O_CLOEXEC)  // O_TRUNC as runc (no-op on cgroupfs)
        if fd < 0 { return errno }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        while true {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n >= 0 { return 0 }
            if errno != EINTR { return errno }
        }
    }

    static func writeError(_ dir: String, _ file: String, _ value: String, errno e: Int32) -> RuntimeError {
        .system("write \(value) to \(dir)/\(file)", errno: e)
    }

    static func exists(_ dir: String, _ file: String) -> Bool { FileIO.exists(dir + "/" + file) }

    /// The file's text without the trailing newline.
    static func read(_ dir: String, _ file: String) throws -> String {
        var text = try FileIO.readString(dir + "/" + file)
        while text.last == "\n" { text.removeLast() }
        return text
    }

    /// A single number; "max" reads as UInt64.max. A negative value (v1's -1) is UInt64.max too.
    static func readUInt(_ dir: String, _ file: String) throws -> UInt64 {
        let text = trim(try read(dir, file))
        if text == "max" || text.hasPrefix("-") { return UInt64.max }
        guard let value = UInt64(text) else {
            throw RuntimeError("read \(dir)/\(file): \"\(text)\" is not a number")
        }
        return value
    }

    /// "key value" lines (memory.stat, cpu.stat, cgroup.events) as a dictionary; absent file: [:].
    static func readKeyValues(_ dir: String, _ file: String) -> [String: UInt64] {
        guard let text = FileIO.readIfExists(dir + "/" + file) else { return [:] }
        var values: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let v = UInt64(fields[1]) { values[String(fields[0])] = v }
        }
        return values
    }

    /// The pids in cgroup.procs; with `recursive`, also in every descendant cgroup (one that
    /// disappears meanwhile simply has none).
    static func pids(in dir: String, recursive: Bool) throws -> [pid_t] {
        var pids = try read(dir, "cgroup.procs").split(separator: "\n").compactMap { pid_t($0) }
        if recursive {
            for child in childCgroups(of: dir) { pids += (try? self.pids(in: child, recursive: true)) ?? [] }
        }
        return pids
    }

    /// Sub-directories (child cgroups) of a cgroup directory.
    static func childCgroups(of dir: String) -> [String] {
        FileIO.subdirectories(dir).map { dir + "/" + $0 }
    }

    /// mkdir of each missing level of `path` under `mountPoint`. `prepare` runs on every level,
    /// root first, before its child is made (cpuset copies its parent's cpus there; v2 enables
    /// controllers for the children). Returns the directories this call created, outermost first.
    static func makeLevels(mountPoint: String, path: String,
                           prepare: (_ dir: String, _ isLeaf: Bool) throws -> Void) throws -> [String] {
        var created: [String] = []
        do {
            var dir = mountPoint
            try prepare(dir, false)
            let parts = path.split(separator: "/")
            for (i, part) in parts.enumerated() {
                dir += "/" + part
                if mkdir(dir, 0o755) == 0 {
                    created.append(dir)
                } else if errno != EEXIST {
                    throw RuntimeError.system("mkdir \(dir)")
                }
                try prepare(dir, i == parts.count - 1)
            }
        } catch {
            removeCreated(created)
            throw error
        }
        return created
    }

    /// Undoes makeLevels after a failure: only what we made, innermost first.
    static func removeCreated(_ dirs: [String]) {
        for dir in dirs.reversed() { rmdir(dir) }
    }

    /// Removes a cgroup and any child cgroups its processes made. The kernel refuses (EBUSY)
    /// while the last exited tasks are still being torn down, so that is retried for about 1 s.
    /// A directory that is already gone is fine.
    static func removeTree(_ dir: String) throws {
        // Usually a leaf: one rmdir. Only a refusal makes it worth listing children.
        if rmdir(dir) == 0 || errno == ENOENT { return }
        for child in childCgroups(of: dir) { try removeTree(child) }
        var delay: useconds_t = 1000
        while true {
            if rmdir(dir) == 0 || errno == ENOENT { return }
            let e = errno
            guard e == EBUSY, delay <= 512_000 else { throw RuntimeError.system("rmdir \(dir)", errno: e) }
            usleep(delay)
            delay *= 2
        }
    }

    /// The text without surrounding blanks and newlines.
    static func trim<S: StringProtocol>(_ text: S) -> String {
        var s = Substring(text)
        while let c = s.first, c == " " || c == "\n" || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\n" || c == "\t" { s.removeLast() }
        return String(s)
    }
}
