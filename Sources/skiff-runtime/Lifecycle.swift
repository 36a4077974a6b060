// create, start, run, state, kill, delete.
import ArgumentParser
import Glibc
import OCISpec
import RuntimeCore

struct CreateFlags: ParsableArguments {
    @Option(name: [.short, .long], help: "Bundle directory (default: current directory).") var bundle = "."
    @Option(help: "File to write the container process's pid to.") var pidFile: String?
    @Option(help: "Unix socket that receives the terminal's master fd.") var consoleSocket: String?
    @Flag(help: "Do not use pivot_root (move the rootfs over / and chroot).") var noPivot = false
    @Flag(help: "Do not create a new session keyring.") var noNewKeyring = false
    @Option(help: "Pass this many extra fds (3...) to the container.") var preserveFds = 0

    func options(id: String) -> CreateOptions {
        var o = CreateOptions(id: id, bundle: bundle)
        o.pidFile = pidFile; o.consoleSocket = consoleSocket; o.noPivot = noPivot
        o.noNewKeyring = noNewKeyring; o.preserveFDs = preserveFds
        return o
    }
}

struct Create: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a container; its process waits for start.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flags: CreateFlags
    @Argument var id: String
    func run() throws { _ = try global.runtime().create(flags.options(id: id)) }
}

struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start the process of a created container.")
    @OptionGroup var global: GlobalOptions
    @Argument var id: String
    func run() throws { try global.runtime().start(id) }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Create and start a container; wait for it unless detached.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flags: CreateFlags
    @Flag(name: [.short, .long], help: "Detach from the container's process.") var detach = false
    @Flag(help: .hidden) var keep = false
    @Argument var id: String
    func run() throws {
        let code = try global.runtime().run(flags.options(id: id), detach: detach)
        if code != 0 { throw ExitCode(code) }
    }
}

struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Print the state of a container (OCI state JSON).")
    @OptionGroup var global: GlobalOptions
    @Argument var id: String
    func run() throws {
        let container = try global.runtime().load(id)
        try printJSON(container.state)
    }
}

struct Kill: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal (default SIGTERM) to a container.")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Signal every process in the container.") var all = false
    @Argument var id: String
    @Argument var signal = "SIGTERM"
    func run() throws { try global.runtime().kill(id, signal: try parseSignal(signal), all: all) }
}

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a stopped container (any container with --force).")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Kill the container first if it still runs.") var force = false
    @Argument var id: String
    func run() throws { try global.runtime().delete(id, force: force) }
}

func printJSON<T: Encodable>(_ value: T) throws {
    FileIO.printOut(try encodeJSON(value, pretty: true))
}
