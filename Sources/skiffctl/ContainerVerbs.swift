// Container verbs: ps, create, start, run, stop, rm, inspect, logs, exec, attach, stats.
import ArgumentParser
import SkiffCtl

struct Ps: Verb {
    static let configuration = CommandConfiguration(abstract: "List containers (running ones unless -a or --state).")

    @Flag(name: .shortAndLong, help: "Containers in every state.") var all = false
    @Option(help: "Only the container with this id (or id prefix).") var id: String?
    @Option(name: [.customShort("p"), .long], help: "Only containers of this pod (id or id prefix).") var pod: String?
    @Option(help: "Containers whose name matches this regular expression.") var name: String?
    @Option(help: "Containers with this label (key=value; repeatable).") var label: [String] = []
    @Option(help: "created, running, exited or unknown.") var state: String?
    @Option(help: "Only containers of this image (name, id or id prefix).") var image: String?
    @OptionGroup var listing: ListingFlags

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = ListContainers()
        command.all = all
        command.id = id
        command.pod = pod
        command.name = name
        command.labels = try LabelSelector.parse(label)
        command.state = state
        command.image = image
        listing.apply(to: &command)
        try await command.run(context)
        return 0
    }
}

struct Create: Verb {
    static let configuration = CommandConfiguration(abstract: "Create a container in a pod sandbox.")

    @Flag(help: "Do not pull the image if the node lacks it.") var noPull = false
    @Argument(help: "The pod sandbox (id or id prefix).") var pod: String
    @Argument(help: "container-config.json or .yaml") var containerConfig: String
    @Argument(help: "pod-config.json or .yaml (the pod's config, passed along)") var podConfig: String

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = CreateContainer(pod: pod, containerConfigPath: containerConfig, podConfigPath: podConfig)
        command.noPull = noPull
        try await command.run(context)
        return 0
    }
}

struct Start: Verb {
    static let configuration = CommandConfiguration(abstract: "Start created containers.")

    @Argument(help: "Container ids or id prefixes.") var ids: [String] = []

    func execute(_ context: CtlContext) async throws -> Int32 {
        try await StartContainers(ids: ids).run(context)
        return 0
    }
}

struct Run: Verb {
    static let configuration = CommandConfiguration(abstract: "Run a new pod sandbox and a container in it (runp + create + start).")

    @Option(name: [.customShort("r"), .long], help: "The runtime handler (RuntimeClass).") var runtime: String?
    @Flag(help: "Do not pull the image if the node lacks it.") var noPull = false
    @Argument(help: "container-config.json or .yaml") var containerConfig: String
    @Argument(help: "pod-config.json or .yaml") var podConfig: String

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = RunContainer(containerConfigPath: containerConfig, podConfigPath: podConfig)
        command.runtimeHandler = runtime
        command.noPull = noPull
        try await command.run(context)
        return 0
    }
}

struct Stop: Verb {
    static let configuration = CommandConfiguration(abstract: "Stop running containers.")

    @Option(name: [.customShort("t"), .long], help: "Seconds to wait after the stop signal before SIGKILL.") var timeout: Int64 = 0
    @Argument(help: "Container ids or id prefixes.") var ids: [String] = []

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = StopContainers(ids: ids)
        command.timeout = timeout
        try await command.run(context)
        return 0
    }
}

struct Rm: Verb {
    static let configuration = CommandConfiguration(abstract: "Remove containers.")

    @Flag(name: .shortAndLong, help: "Remove running containers too (they are killed).") var force = false
    @Flag(name: .shortAndLong, help: "Remove every container.") var all = false
    @Argument(help: "Container ids or id prefixes.") var ids: [String] = []

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = RemoveContainers()
        command.ids = ids
        command.force = force
        command.all = all
        try await command.run(context)
        return 0
    }
}

struct Inspect: Verb {
    static let configuration = CommandConfiguration(abstract: "Show containers' status.")

    @Option(name: .shortAndLong, help: "json, yaml or table.") var output: OutputFormat = .json
    @Argument(help: "Container ids or id prefixes.") var ids: [String]

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = InspectContainers(ids: ids)
        command.output = output
        try await command.run(context)
        return 0
    }
}

struct Logs: Verb {
    static let configuration = CommandConfiguration(abstract: "Print a container's logs.")

    @Flag(name: .shortAndLong, help: "Keep printing new output until the container stops.") var follow = false
    @Option(help: "Only the last N lines (-1: all).") var tail = -1
    @Option(help: "Only lines since this time: RFC 3339 (2026-11-23T10:00:00Z) or a duration back (10s, 5m).") var since: String?
    @Flag(name: .shortAndLong, help: "Show each line's timestamp.") var timestamps = false
    @Flag(name: .shortAndLong, help: "The previous attempt's log.") var previous = false
    @Argument(help: "The container (id or id prefix).") var container: String

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = ShowLogs(container: container)
        command.follow = follow
        command.tail = tail < 0 ? nil : tail
        command.since = since
        command.timestamps = timestamps
        command.previous = previous
        try await command.run(context)
        return 0
    }
}

struct Exec: Verb {
    static let configuration = CommandConfiguration(abstract: "Run a command in a running container.")

    @Flag(name: .shortAndLong, help: "Keep stdin open.") var interactive = false
    @Flag(name: .shortAndLong, help: "Allocate a terminal.") var tty = false
    @Flag(name: .shortAndLong, help: "Run with ExecSync: output once the command ends (the default without -i or -t).") var sync = false
    @Option(help: "With --sync, seconds the command may run (0: no limit).") var timeout: Int64 = 0
    @Argument(help: "The container (id or id prefix).") var container: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var command: [String] = []

    func execute(_ context: CtlContext) async throws -> Int32 {
        if (interactive || tty) && !sync {
            return try await InteractiveExec(container: container, command: command, stdin: interactive, tty: tty).run(context)
        }
        var exec = ExecInContainer(container: container, command: command)
        exec.timeout = timeout
        return try await exec.run(context)
    }
}

struct Attach: Verb {
    static let configuration = CommandConfiguration(abstract: "Attach to a running container's stdio.")

    @Flag(name: .shortAndLong, help: "Send stdin to the container (it must have been created with stdin).") var interactive = false
    @Flag(name: .shortAndLong, help: "The container has a terminal.") var tty = false
    @Argument(help: "The container (id or id prefix).") var container: String

    func execute(_ context: CtlContext) async throws -> Int32 {
        try await AttachToContainer(container: container, stdin: interactive, tty: tty).run(context)
    }
}

struct Stats: Verb {
    static let configuration = CommandConfiguration(abstract: "Show running containers' resource usage.")

    @Flag(name: .shortAndLong, help: "All containers (only running ones have usage).") var all = false
    @Option(help: "Only this container (id or id prefix).") var id: String?
    @Option(name: [.customShort("p"), .long], help: "Only containers of this pod (id or id prefix).") var pod: String?
    @Option(help: "Containers with this label (key=value; repeatable).") var label: [String] = []
    @Option(name: .shortAndLong, help: "json, yaml or table.") var output: OutputFormat = .table
    @Option(name: .shortAndLong, help: "The CPU sample window in seconds.") var seconds = 1
    @Argument(help: "A container (id or id prefix), as --id.") var container: String?

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = ContainerStatsView()
        command.all = all
        command.id = id ?? container
        command.pod = pod
        command.labels = try LabelSelector.parse(label)
        command.output = output
        command.sample = .seconds(max(1, seconds))
        try await command.run(context)
        return 0
    }
}
