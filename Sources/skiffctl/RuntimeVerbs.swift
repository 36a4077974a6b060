// Runtime verbs: info, version, events.
import ArgumentParser
import SkiffCtl

struct Info: Verb {
    static let configuration = CommandConfiguration(abstract: "Show the runtime's status and conditions.")

    @Option(name: .shortAndLong, help: "json, yaml or table.") var output: OutputFormat = .json

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = ShowInfo()
        command.output = output
        try await command.run(context)
        return 0
    }
}

struct Version: Verb {
    static let configuration = CommandConfiguration(abstract: "Show the runtime's name and version.")

    @Option(name: .shortAndLong, help: "json, yaml or table.") var output: OutputFormat = .table

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = ShowVersion()
        command.output = output
        try await command.run(context)
        return 0
    }
}

struct Events: Verb {
    static let configuration = CommandConfiguration(abstract: "Print container events as they happen (until interrupted).")

    @Option(name: .shortAndLong, help: "json (one line per event), yaml or table.") var output: OutputFormat = .json

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = WatchEvents()
        command.output = output
        try await command.run(context)
        return 0
    }
}
