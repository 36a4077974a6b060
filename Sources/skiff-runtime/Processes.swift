// exec, ps, list.
import Glibc
import OCISpec
import RuntimeCore

let processCommands = [
    Command(name: "exec", usage: "<container-id> [command [args...]]", summary: "run a new process inside a running container",
            flags: [
                Flag(names: ["process", "p"], value: "FILE", help: "process.json describing the process (instead of a command)"),
                Flag(names: ["detach", "d"], value: nil, help: "do not wait for the process"),
                Flag(names: ["tty", "t"], value: nil, help: "allocate a terminal"),
                Flag(names: ["console-socket"], value: "SOCKET", help: "unix socket that receives the terminal's master fd"),
                Flag(names: ["pid-file"], value: "FILE", help: "write the process's pid here"),
                Flag(names: ["cwd"], value: "DIR", help: "working directory"),
                Flag(names: ["env", "e"], value: "NAME=VALUE", help: "set an environment variable (repeatable)", repeatable: true),
                Flag(names: ["user", "u"], value: "UID[:GID]", help: "user and group to run as"),
                Flag(names: ["additional-gids", "g"], value: "GID", help: "an additional group (repeatable)", repeatable: true),
                Flag(names: ["cap", "c"], value: "CAP", help: "add a capability (repeatable)", repeatable: true),
                Flag(names: ["no-new-privs"], value: nil, help: "set no_new_privs"),
                Flag(names: ["preserve-fds"], value: "N", help: "pass N extra fds (from 3) to the process"),
                Flag(names: ["apparmor"], value: "PROFILE", help: "AppArmor profile"),
                Flag(names: ["process-label"], value: "LABEL", help: "SELinux label"),
                Flag(names: ["cgroup"], value: "PATH", help: "ignored: the process joins the container's cgroup"),
                Flag(names: ["ignore-paused"], value: nil, help: "ignored"),
            ],
            positionals: 1...Int.max, run: exec),
    Command(name: "ps", usage: "<container-id> [ps options]", summary: "list the processes of a container",
            flags: [Flag(names: ["format", "f"], value: "table|json", help: "output format (default table)")],
            positionals: 1...Int.max) { i in
        let pids = try i.global.runtime.processes(i.positionals[0])
        switch i.string("format") ?? "table" {
        case "json": try printJSON(pids)
        case "table":
            let psArgs = Array(i.positionals.dropFirst())
            try printPSTable(pids: Set(pids), psArgs: psArgs.isEmpty ? ["-ef"] : psArgs)
        case let other: throw UsageError("--format: unknown format \"\(other)\" (want table or json)")
        }
        return 0
    },
    Command(name: "list", usage: "", summary: "list containers",
            flags: [Flag(names: ["format", "f"], value: "table|json", help: "output format (default table)"),
                    Flag(names: ["quiet", "q"], value: nil, help: "print ids only")],
            positionals: 0...0) { i in
        let containers = i.global.runtime.list()
        if i.bool("quiet") { containers.forEach { FileIO.printOut($0.id) }; return 0 }
        switch i.string("format") ?? "table" {
        case "json": try printJSON(containers.map(ListEntry.init))
        case "table":
            var rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]
            for c in containers {
                let state = c.state
                rows.append([c.id, String(state.pid ?? 0), state.status.rawValue, c.record.bundle, c.record.created, c.record.owner])
            }
            FileIO.printOut(formatTable(rows))
        case let other: throw UsageError("--format: unknown format \"\(other)\" (want table or json)")
        }
        return 0
    },
]

private func exec(_ i: Invocation) throws -> Int32 {
    let runtime = i.global.runtime
    let id = i.positionals[0]
    var process: Process
    if let path = i.string("process") {
        process = try Spec.decodeProcess(try FileIO.read(path), source: path)
    } else {
        let args = Array(i.positionals.dropFirst())
        guard !args.isEmpty else { throw UsageError("exec: give a command or --process") }
        process = try runtime.defaultExecProcess(id, args: args)
    }
    if i.bool("tty") { process.terminal = true }
    if let cwd = i.string("cwd") { process.cwd = cwd }
    process.env = (process.env ?? []) + i.strings("env")
    if let user = i.string("user") {
        let parts = user.split(separator: ":")
        guard let uid = parts.first.flatMap({ UInt32($0) }), parts.count < 3, parts.count < 2 || UInt32(parts[1]) != nil else {
            throw UsageError("--user: \"\(user)\" is not uid[:gid]")
        }
        process.user.uid = uid
        if parts.count > 1 { process.user.gid = UInt32(parts[1])! }
    }
    let gids = try i.strings("additional-gids").map { text -> UInt32 in
        guard let gid = UInt32(text) else { throw UsageError("--additional-gids: \"\(text)\" is not a gid") }
        return gid
    }
    if !gids.isEmpty { process.user.additionalGids = gids }
    let caps = i.strings("cap")
    if !caps.isEmpty {
        var sets = process.capabilities ?? Capabilities()
        for keyPath in [\Capabilities.bounding, \.effective, \.permitted, \.inheritable, \.ambient] {
            var set = sets[keyPath: keyPath] ?? []
            set += caps.filter { !set.contains($0) }
            sets[keyPath: keyPath] = set
        }
        process.capabilities = sets
    }
    if i.bool("no-new-privs") { process.noNewPrivileges = true }
    if let profile = i.string("apparmor") { process.apparmorProfile = profile }
    if let label = i.string("process-label") { process.selinuxLabel = label }
    var options = ExecOptions(id: id, process: process)
    options.detach = i.bool("detach")
    options.pidFile = i.string("pid-file")
    options.consoleSocket = i.string("console-socket")
    options.preserveFDs = try i.int("preserve-fds") ?? 0
    return try runtime.exec(options)
}

/// One element of `list --format json`, as runc prints it.
struct ListEntry: Encodable {
    var ociVersion: String, id: String, pid: Int32, status: String, bundle: String, rootfs: String, created: String, owner: String
    var annotations: [String: String]?
    init(_ c: Container) {
        let state = c.state
        ociVersion = specVersion; id = c.id; pid = state.pid ?? 0; status = state.status.rawValue
        bundle = c.record.bundle; rootfs = c.record.rootfs; created = c.record.created; owner = c.record.owner
        annotations = c.record.annotations
    }
}

func formatTable(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    var widths = first.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    return rows.map { row in
        row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count + 3) }.joined()
    }.joined(separator: "\n")
}

/// Runs ps(1) on the host and keeps the header and the container's lines, as runc does.
func printPSTable(pids: Set<Int32>, psArgs: [String]) throws {
    var pipe: [Int32] = [0, 0]
    guard Glibc.pipe(&pipe) == 0 else { throw RuntimeError("ps: pipe failed") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
    posix_spawn_file_actions_addclose(&actions, pipe[0])
    var pid: pid_t = 0
    let argv = ["ps"] + psArgs
    var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { cargs.forEach { free($0) } }
    let rc = posix_spawnp(&pid, "ps", &actions, nil, &cargs, environ)
    close(pipe[1])
    guard rc == 0 else { close(pipe[0]); throw RuntimeError("ps: cannot run ps(1): \(String(cString: strerror(rc)))") }
    let output = String(decoding: (try? FileIO.readAll(fd: pipe[0], path: "ps")) ?? [], as: UTF8.self)
    close(pipe[0])
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let lines = output.split(separator: "\n")
    guard let header = lines.first else { return }
    guard let pidColumn = header.split(separator: " ").firstIndex(of: "PID") else {
        throw RuntimeError("ps: no PID column in the output of ps \(psArgs.joined(separator: " "))")
    }
    var out = [String(header)]
    for line in lines.dropFirst() {
        let fields = line.split(separator: " ")
        if pidColumn < fields.count, let p = Int32(fields[pidColumn]), pids.contains(p) { out.append(String(line)) }
    }
    FileIO.printOut(out.joined(separator: "\n"))
}
