// exec, ps, list.
import ArgumentParser
import Glibc
import OCISpec
import RuntimeCore

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Run a new process inside a running container.")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "process.json describing the process (instead of a command).") var process: String?
    @Flag(name: [.short, .long], help: "Detach from the process.") var detach = false
    @Flag(name: [.short, .long], help: "Allocate a terminal.") var tty = false
    @Option(help: "Unix socket that receives the terminal's master fd.") var consoleSocket: String?
    @Option(help: "File to write the process's pid to.") var pidFile: String?
    @Option(help: "Working directory.") var cwd: String?
    @Option(name: [.short, .long], help: "Environment variable NAME=VALUE (repeatable).") var env: [String] = []
    @Option(name: [.short, .long], help: "uid[:gid] to run as.") var user: String?
    @Option(name: [.customShort("g"), .long], help: "Additional gid (repeatable).") var additionalGids: [UInt32] = []
    @Option(name: [.short, .long], help: "Add a capability (repeatable).") var cap: [String] = []
    @Flag(help: "Set no_new_privs.") var noNewPrivs = false
    @Option(help: "Pass this many extra fds (3...) to the process.") var preserveFds = 0
    @Option(help: "AppArmor profile.") var apparmor: String?
    @Option(help: "SELinux label.") var processLabel: String?
    @Option(help: .hidden) var cgroup: String?
    @Flag(help: .hidden) var ignorePaused = false
    @Argument var id: String
    @Argument(parsing: .captureForPassthrough) var command: [String] = []

    func run() throws {
        let runtime = try global.runtime()
        var proc: Process
        if let path = process {
            proc = try Spec.decodeProcess(try FileIO.read(path), source: path)
        } else {
            var args = command
            if args.first == "--" { args.removeFirst() }
            guard !args.isEmpty else { throw RuntimeError("exec: give a command or --process") }
            proc = try runtime.defaultExecProcess(id, args: args)
        }
        if tty { proc.terminal = true }
        if let cwd { proc.cwd = cwd }
        proc.env = (proc.env ?? []) + env
        if let user {
            let parts = user.split(separator: ":")
            guard let uid = UInt32(parts[0]), parts.count < 2 || UInt32(parts[1]) != nil else {
                throw RuntimeError("--user: \"\(user)\" is not uid[:gid]")
            }
            proc.user.uid = uid
            if parts.count > 1 { proc.user.gid = UInt32(parts[1])! }
        }
        if !additionalGids.isEmpty { proc.user.additionalGids = additionalGids }
        if !cap.isEmpty {
            var caps = proc.capabilities ?? Capabilities()
            for name in cap {
                for keyPath in [\Capabilities.bounding, \.effective, \.permitted, \.inheritable, \.ambient] {
                    var set = caps[keyPath: keyPath] ?? []
                    if !set.contains(name) { set.append(name) }
                    caps[keyPath: keyPath] = set
                }
            }
            proc.capabilities = caps
        }
        if noNewPrivs { proc.noNewPrivileges = true }
        if let apparmor { proc.apparmorProfile = apparmor }
        if let processLabel { proc.selinuxLabel = processLabel }
        var options = ExecOptions(id: id, process: proc)
        options.detach = detach
        options.pidFile = pidFile
        options.consoleSocket = consoleSocket
        options.preserveFDs = preserveFds
        let code = try runtime.exec(options)
        if code != 0 { throw ExitCode(code) }
    }
}

struct PS: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List the processes of a container.")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "table or json.") var format = "table"
    @Argument var id: String
    @Argument(parsing: .captureForPassthrough, help: "ps(1) options (default -ef).") var psArgs: [String] = []

    func run() throws {
        let pids = try global.runtime().processes(id)
        switch format {
        case "json":
            try printJSON(pids)
        case "table":
            var args = psArgs
            if args.first == "--" { args.removeFirst() }
            try printPSTable(pids: Set(pids), psArgs: args.isEmpty ? ["-ef"] : args)
        default:
            throw RuntimeError("--format: unknown format \"\(format)\" (want table or json)")
        }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers.")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "table or json.") var format = "table"
    @Flag(name: [.short, .long], help: "Print ids only.") var quiet = false

    func run() throws {
        let containers = try global.runtime().list()
        if quiet { containers.forEach { FileIO.printOut($0.id) }; return }
        switch format {
        case "json":
            try printJSON(containers.map(ListEntry.init))
        case "table":
            var rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]
            for c in containers {
                let state = c.state
                rows.append([c.id, String(state.pid ?? 0), state.status.rawValue, c.record.bundle, c.record.created, c.record.owner])
            }
            FileIO.printOut(formatTable(rows))
        default:
            throw RuntimeError("--format: unknown format \"\(format)\" (want table or json)")
        }
    }
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
