// Pod sandbox verbs: pods, runp, stopp, rmp, inspectp, statsp, port-forward.
import ArgumentParser
import SkiffCtl

struct Pods: Verb {
    static let configuration = CommandConfiguration(abstract: "List pod sandboxes.")

    @Option(help: "Only the pod with this id (or id prefix).") var id: String?
    @Option(help: "Pods whose name matches this regular expression.") var name: String?
    @Option(help: "Pods whose namespace matches this regular expression.") var namespace: String?
    @Option(help: "Pods with this label (key=value; repeatable).") var label: [String] = []
    @Option(help: "ready or notready.") var state: String?
    @OptionGroup var listing: ListingFlags

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = ListPods()
        command.id = id
        command.name = name
        command.namespace = namespace
        command.labels = try LabelSelector.parse(label)
        command.state = state
        listing.apply(to: &command)
        try await command.run(context)
        return 0
    }
}

struct RunP: Verb {
    static let configuration = CommandConfiguration(commandName: "runp", abstract: "Run a pod sandbox from a pod-config file (JSON or YAML).")

    @Option(name: [.customShort("r"), .long], help: "The runtime handler (RuntimeClass).") var runtime: String?
    @Argument(help: "pod-config.json or .yaml") var podConfig: String

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = RunPod(configPath: podConfig)
        command.runtimeHandler = runtime
        try await command.run(context)
        return 0
    }
}

struct StopP: Verb {
    static let configuration = CommandConfiguration(commandName: "stopp", abstract: "Stop pod sandboxes.")

    @Argument(help: "Pod ids or id prefixes.") var ids: [String] = []

    func execute(_ context: CtlContext) async throws -> Int32 {
        try await StopPods(ids: ids).run(context)
        return 0
    }
}

struct RmP: Verb {
    static let configuration = CommandConfiguration(commandName: "rmp", abstract: "Remove pod sandboxes.")

    @Flag(name: .shortAndLong, help: "Remove ready pods too (they are stopped first).") var force = false
    @Flag(name: .shortAndLong, help: "Remove every pod sandbox.") var all = false
    @Argument(help: "Pod ids or id prefixes.") var ids: [String] = []

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = RemovePods()
        command.ids = ids
        command.force = force
        command.all = all
        try await command.run(context)
        return 0
    }
}

struct InspectP: Verb {
    static let configuration = CommandConfiguration(commandName: "inspectp", abstract: "Show pod sandboxes' status.")

    @Option(name: .shortAndLong, help: "json, yaml or table.") var output: OutputFormat = .json
    @Argument(help: "Pod ids or id prefixes.") var ids: [String]

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = InspectPods(ids: ids)
        command.output = output
        try await command.run(context)
        return 0
    }
}

struct StatsP: Verb {
    static let configuration = CommandConfiguration(commandName: "statsp", abstract: "Show pod sandboxes' resource usage.")

    @Option(help: "Only this pod (id or id prefix).") var id: String?
    @Option(help: "Pods with this label (key=value; repeatable).") var label: [String] = []
    @Option(name: .shortAndLong, help: "json, yaml or table.") var output: OutputFormat = .table
    @Option(name: .shortAndLong, help: "The CPU sample window in seconds.") var seconds = 1

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = PodStatsView()
        command.id = id
        command.labels = try LabelSelector.parse(label)
        command.output = output
        command.sample = .seconds(max(1, seconds))
        try await command.run(context)
        return 0
    }
}

struct PortForward: Verb {
    static let configuration = CommandConfiguration(
        commandName: "port-forward", abstract: "Forward local ports to a pod's ports.",
        discussion: "Each PORT is REMOTE (the same port locally), LOCAL:REMOTE, or :REMOTE (any free local port). Runs until interrupted.")

    @Option(help: "The local address to listen on.") var address = "127.0.0.1"
    @Argument(help: "The pod (id or id prefix).") var pod: String
    @Argument(help: "[LOCAL:]REMOTE ports.") var ports: [String] = []

    func execute(_ context: CtlContext) async throws -> Int32 {
        var forward = ForwardPorts(pod: pod, mappings: try ports.map(ForwardPorts.Mapping.init(parsing:)))
        forward.address = address
        return try await forward.run(context)
    }
}
