// Finding the program to run inside the container: args[0] as given, or looked up in the
// container's PATH (from process.env), as runc does after switching root.
import Glibc

enum ExecPath {
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    static func resolve(_ name: String, env: [String]) throws -> String {
        if name.contains("/") {
            try checkExecutable(name, name: name)
            return name
        }
        let path = env.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? defaultPath
        for dir in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
            if (try? checkExecutable(candidate, name: name)) != nil { return candidate }
        }
        throw RuntimeError("exec: \"\(name)\": executable file not found in $PATH")
    }

    private static func checkExecutable(_ path: String, name: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else { throw RuntimeError.system("exec: \"\(name)\"") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw RuntimeError("exec: \"\(name)\": is a directory") }
        guard access(path, X_OK) == 0 else { throw RuntimeError.system("exec: \"\(name)\"") }
    }
}

/// The home directory of `uid` in the container's /etc/passwd, for HOME when env lacks it.
func homeDirectory(uid: UInt32) -> String {
    guard let passwd = FileIO.readIfExists("/etc/passwd") else { return "/" }
    for line in passwd.split(separator: "\n") {
        let fields = line.split(separator: ":", omittingEmptySubsequences: false)
        if fields.count >= 6, UInt32(fields[2]) == uid { return fields[5].isEmpty ? "/" : String(fields[5]) }
    }
    return "/"
}
