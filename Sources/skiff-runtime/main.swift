// skiff-runtime: an OCI runtime with runc's command line. This target parses flags and calls
// RuntimeCore; nothing else lives here.
import Glibc
import OCISpec
import RuntimeCore

let version = "0.1.0"
let commands: [Command] = lifecycleCommands + processCommands + resourceCommands + infoCommands
let helpFlag = Flag(names: ["help", "h"], value: nil, help: "show help")

// The runc /proc/self/exe escape: never run container setup from a writable copy of ourselves.
ExecutableGuard.reexecReadonlyIfNeeded()
exit(runCommandLine(Array(CommandLine.arguments.dropFirst())))

func runCommandLine(_ arguments: [String]) -> Int32 {
    var global = GlobalOptions()
    do {
        var top = Invocation(global: global)
        let rest = try FlagParser.parse(arguments[...], flags: GlobalOptions.flags, into: &top)
        global = try GlobalOptions(top)
        if top.bool("version") {
            FileIO.printOut("skiff-runtime version \(version)\nspec: \(specVersion)")
            return 0
        }
        guard let name = rest.first, name != "help", !top.bool("help") else {
            FileIO.printOut(usage())
            return rest.isEmpty && !top.bool("help") ? 1 : 0   // asked for help: success
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            throw UsageError("unknown command \"\(name)\" (see skiff-runtime --help)")
        }
        var invocation = Invocation(global: global)
        let positionals = try FlagParser.parse(rest.dropFirst(), flags: command.flags + [helpFlag], into: &invocation)
        if invocation.bool("help") {
            FileIO.printOut(FlagParser.help(for: command))
            return 0
        }
        invocation.positionals = Array(positionals)
        guard command.positionals.contains(invocation.positionals.count) else {
            throw UsageError("\(name): expected \(command.usage), got \(invocation.positionals.count) argument(s)\n\(FlagParser.help(for: command))")
        }
        return try command.run(invocation)
    } catch {
        let message = "\(error)"
        let log = global.log
        if log.path != nil { log.error(message) }
        FileIO.printError("skiff-runtime: \(message)")
        return 1
    }
}


func usage() -> String {
    var lines = ["skiff-runtime \(version): run containers from OCI bundles, with runc's command line.", "",
                 "Usage: skiff-runtime [global flags] <command> [flags] [arguments]", "", "Commands:"]
    lines += commands.map { "  " + $0.name.padding(to: 10) + $0.summary }
    lines += ["", "Global flags:"] + FlagParser.describe(GlobalOptions.flags)
    return lines.joined(separator: "\n")
}

func printJSON<T: Encodable>(_ value: T) throws {
    FileIO.printOut(try encodeJSON(value, pretty: true))
}
