// skiffctl: crictl's verbs for skiff-cri. The global flags are split off first (see
// GlobalOptions), ArgumentParser parses the verb, and the verb's logic runs in SkiffCtl.
import ArgumentParser
import Foundation
import SkiffCtl

@main
enum SkiffCtlMain {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let globals: GlobalOptions
        let rest: [String]
        do {
            (globals, rest) = try GlobalOptions.parse(arguments, environment: ProcessInfo.processInfo.environment)
        } catch {
            fail(error)
        }
        let command: any ParsableCommand
        do {
            command = try SkiffCtlCommand.parseAsRoot(rest)
            // Not a verb: help (`skiffctl`, `skiffctl help ps`), whose run() throws the text.
            if !(command is any Verb) {
                var other = command
                try other.run()
                exit(0)
            }
        } catch {
            usage(error)
        }
        let verb = command as! any Verb
        do {
            let context = try CtlContext(globals)
            let status = try await verb.execute(context)
            exit(status)
        } catch {
            fail(error)
        }
    }

    /// --help and usage errors: ArgumentParser's text; any failure exits 1, as crictl's.
    static func usage(_ error: any Error) -> Never {
        let message = SkiffCtlCommand.fullMessage(for: error)
        if SkiffCtlCommand.exitCode(for: error) == .success {
            print(message)
            exit(0)
        }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(1)
    }

    static func fail(_ error: any Error) -> Never {
        let text = (error as? CtlError)?.description ?? "\(error)"
        FileHandle.standardError.write(Data("skiffctl: \(text)\n".utf8))
        exit(1)
    }
}

struct SkiffCtlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiffctl",
        abstract: "Inspect and drive skiff-cri, the way crictl drives a CRI runtime.",
        discussion: GlobalOptions.help,
        version: "skiffctl version 0.1.0",
        subcommands: [
            Pods.self, RunP.self, StopP.self, RmP.self, InspectP.self, StatsP.self, PortForward.self,
            Ps.self, Create.self, Start.self, Run.self, Stop.self, Rm.self, Inspect.self, Logs.self, Exec.self, Attach.self, Stats.self,
            Images.self, Pull.self, Rmi.self, InspectI.self, ImageFsInfo.self,
            Info.self, Version.self, Events.self,
        ])
}

/// A verb: parsed by ArgumentParser, run with the context built from the global flags.
protocol Verb: ParsableCommand {
    /// The exit status.
    func execute(_ context: CtlContext) async throws -> Int32
}

extension OutputFormat: ExpressibleByArgument {
    public init?(argument: String) {
        guard let format = try? OutputFormat(parsing: argument) else { return nil }
        self = format
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// The listing flags `pods` and `ps` share, as crictl has them.
struct ListingFlags: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Only ids.") var quiet = false
    @Flag(name: .shortAndLong, help: "Only the most recently created one.") var latest = false
    @Option(name: [.customShort("n"), .long], help: "Only the N most recently created.") var last = 0
    @Flag(help: "Full ids.") var noTrunc = false
    @Option(name: .shortAndLong, help: "json, yaml or table.") var output: OutputFormat = .table

    func apply(to command: inout some NewestListing) {
        command.quiet = quiet
        command.latest = latest
        command.last = last
        command.noTrunc = noTrunc
        command.output = output
    }
}
