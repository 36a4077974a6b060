// skiff-runtime: an OCI runtime with runc's command line. Each command parses its flags and
// calls RuntimeCore; nothing else lives here.
import ArgumentParser
import Glibc
import OCISpec
import RuntimeCore

@main
struct SkiffRuntime: ParsableCommand {
    static let version = "0.1.0"
    static let configuration = CommandConfiguration(
        commandName: "skiff-runtime",
        abstract: "Run containers from OCI bundles (runc-compatible).",
        version: "skiff-runtime version \(version)\nspec: \(specVersion)",
        subcommands: [Create.self, Start.self, Run.self, StateCommand.self, Kill.self, Delete.self, Exec.self,
                      List.self, PS.self, Pause.self, Resume.self, Update.self, Events.self, Features.self,
                      SpecCommand.self])

    @OptionGroup var global: GlobalOptions

    static func main() {
        // The runc /proc/self/exe escape: never run container setup from a writable copy of ourselves.
        ExecutableGuard.reexecReadonlyIfNeeded()
        var arguments = Array(CommandLine.arguments.dropFirst())
        arguments = GlobalOptions.normalizeSingleDash(arguments)
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let exit as ExitCode {
            Glibc.exit(exit.rawValue)
        } catch let error as RuntimeError {
            fail(error.description, arguments: arguments)
        } catch let error as SpecError {
            fail(error.description, arguments: arguments)
        } catch {
            exit(withError: error)
        }
    }

    private static func fail(_ message: String, arguments: [String]) -> Never {
        let global = try? GlobalOptions.parse(GlobalOptions.leading(arguments))
        let log = global?.log() ?? RuntimeLog()
        if log.path != nil { log.error(message) }
        FileIO.printError("skiff-runtime: \(message)")
        Glibc.exit(1)
    }
}

struct GlobalOptions: ParsableArguments {
    @Option(help: "Directory for container state.") var root = "/run/skiff/runtime"
    @Option(name: .customLong("log"), help: "Log file (default: stderr).") var logPath: String?
    @Option(help: "Log format: text or json.") var logFormat = "text"
    @Flag(help: "Log debug messages.") var debug = false
    @Flag(help: "Use the systemd cgroup driver (not supported: no systemd).") var systemdCgroup = false
    @Option(help: .hidden) var criu: String?
    @Option(help: .hidden) var rootless: String?

    func log() -> RuntimeLog {
        RuntimeLog(path: logPath, format: logFormat == "json" ? .json : .text, debug: debug)
    }

    func runtime() throws -> Runtime {
        guard logFormat == "text" || logFormat == "json" else {
            throw RuntimeError("--log-format: unknown format \"\(logFormat)\" (want text or json)")
        }
        return Runtime(root: root, systemdCgroup: systemdCgroup, log: log())
    }

    /// The global flags given before the command name.
    static func leading(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var i = 0
        let valued: Set<String> = ["--root", "--log", "--log-format", "--criu", "--rootless"]
        while i < arguments.count, arguments[i].hasPrefix("-") {
            result.append(arguments[i])
            if valued.contains(arguments[i]), i + 1 < arguments.count { result.append(arguments[i + 1]); i += 1 }
            i += 1
        }
        return result
    }

    /// runc's flag parser also takes `-root x`; callers use both spellings.
    static func normalizeSingleDash(_ arguments: [String]) -> [String] {
        let long: Set<String> = ["-root", "-log", "-log-format", "-debug", "-systemd-cgroup", "-bundle", "-pid-file",
                                 "-console-socket", "-force", "-all", "-detach", "-format", "-tty", "-process"]
        return arguments.map { long.contains($0.split(separator: "=").first.map(String.init) ?? $0) ? "-" + $0 : $0 }
    }
}
