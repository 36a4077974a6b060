// linux.cgroupsPath -> the cgroup path used inside every hierarchy.

public enum CgroupPath {
    /// The container's cgroup path, absolute and clean ("/kubepods/pod1/ctr"), the same in each
    /// hierarchy. An absolute cgroupsPath is taken from each hierarchy's root. A relative one is
    /// also placed under the root (runc would place it under its own cgroup; rooting it keeps a
    /// given value meaning one place, whoever starts the runtime). No cgroupsPath gives "/<id>".
    public static func resolve(_ cgroupsPath: String?, id: String) throws -> String {
        if let cgroupsPath, !cgroupsPath.isEmpty {
            return try clean(cgroupsPath, what: "linux.cgroupsPath \"\(cgroupsPath)\"")
        }
        return try clean("/" + id, what: "container id \"\(id)\" as a cgroup name")
    }

    /// Collapses "//" and "/./", refuses ".." (a cgroup path must not climb out of its parent)
    /// and the root itself.
    static func clean(_ path: String, what: String) throws -> String {
        if path.utf8.contains(0) { throw RuntimeError("\(what): contains a NUL byte") }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { throw RuntimeError("\(what): \"..\" is not allowed in a cgroup path") }
            parts.append(part)
        }
        if parts.isEmpty { throw RuntimeError("\(what): names the root cgroup; give the container its own cgroup") }
        return "/" + parts.joined(separator: "/")
    }
}
