// Flags that come before the command, as runc has them.
import RuntimeCore

struct GlobalOptions {
    var root = "/run/skiff/runtime"
    var logPath: String?
    var logFormat = "text"
    var debug = false
    var systemdCgroup = false

    static let flags = [
        Flag(names: ["root"], value: "DIR", help: "directory for container state (default /run/skiff/runtime)"),
        Flag(names: ["log"], value: "FILE", help: "log file (default: stderr)"),
        Flag(names: ["log-format"], value: "text|json", help: "log format (default text)"),
        Flag(names: ["debug"], value: nil, help: "log debug messages"),
        Flag(names: ["systemd-cgroup"], value: nil, help: "use the systemd cgroup driver (not supported: no systemd)"),
        Flag(names: ["criu"], value: "PATH", help: "ignored: checkpoint/restore is not supported"),
        Flag(names: ["rootless"], value: "true|false|auto", help: "ignored: rootless mode is decided by the config"),
        Flag(names: ["help", "h"], value: nil, help: "show help"),
        Flag(names: ["version", "v"], value: nil, help: "print the version"),
    ]

    init(_ invocation: Invocation) throws {
        if let root = invocation.string("root") { self.root = root }
        logPath = invocation.string("log")
        if let format = invocation.string("log-format") {
            guard format == "text" || format == "json" else {
                throw UsageError("--log-format: unknown format \"\(format)\" (want text or json)")
            }
            logFormat = format
        }
        debug = invocation.bool("debug")
        systemdCgroup = invocation.bool("systemd-cgroup")
    }

    init() {}

    var log: RuntimeLog { RuntimeLog(path: logPath, format: logFormat == "json" ? .json : .text, debug: debug) }
    var runtime: Runtime { Runtime(root: root, systemdCgroup: systemdCgroup, log: log) }
}
