// create, start, run, state, kill, delete.
import Glibc
import OCISpec
import RuntimeCore

private let createFlags = [
    Flag(names: ["bundle", "b"], value: "DIR", help: "bundle directory (default: current directory)"),
    Flag(names: ["pid-file"], value: "FILE", help: "write the container process's pid here"),
    Flag(names: ["console-socket"], value: "SOCKET", help: "unix socket that receives the terminal's master fd"),
    Flag(names: ["no-pivot"], value: nil, help: "move the rootfs over / and chroot instead of pivot_root"),
    Flag(names: ["no-new-keyring"], value: nil, help: "keep the caller's session keyring"),
    Flag(names: ["preserve-fds"], value: "N", help: "pass N extra fds (from 3) to the container"),
]

private func createOptions(_ i: Invocation) throws -> CreateOptions {
    var options = CreateOptions(id: i.positionals[0], bundle: i.string("bundle") ?? ".")
    options.pidFile = i.string("pid-file")
    options.consoleSocket = i.string("console-socket")
    options.noPivot = i.bool("no-pivot")
    options.noNewKeyring = i.bool("no-new-keyring")
    options.preserveFDs = try i.int("preserve-fds") ?? 0
    return options
}

let lifecycleCommands = [
    Command(name: "create", usage: "<container-id>", summary: "create a container; its process waits for start",
            flags: createFlags, positionals: 1...1) { i in
        _ = try i.global.runtime.create(try createOptions(i))
        return 0
    },
    Command(name: "start", usage: "<container-id>", summary: "start the process of a created container",
            flags: [], positionals: 1...1) { i in
        try i.global.runtime.start(i.positionals[0])
        return 0
    },
    Command(name: "run", usage: "<container-id>", summary: "create and start a container; wait for it unless detached",
            flags: createFlags + [Flag(names: ["detach", "d"], value: nil, help: "do not wait for the container's process"),
                                  Flag(names: ["keep"], value: nil, help: "ignored")],
            positionals: 1...1) { i in
        try i.global.runtime.run(try createOptions(i), detach: i.bool("detach"))
    },
    Command(name: "state", usage: "<container-id>", summary: "print a container's state (OCI state JSON)",
            flags: [], positionals: 1...1) { i in
        try printJSON(try i.global.runtime.load(i.positionals[0]).state)
        return 0
    },
    Command(name: "kill", usage: "<container-id> [signal]", summary: "send a signal (default SIGTERM) to a container",
            flags: [Flag(names: ["all", "a"], value: nil, help: "signal every process in the container")],
            positionals: 1...2) { i in
        let signal = try parseSignal(i.positionals.count > 1 ? i.positionals[1] : "SIGTERM")
        try i.global.runtime.kill(i.positionals[0], signal: signal, all: i.bool("all"))
        return 0
    },
    Command(name: "delete", usage: "<container-id>", summary: "delete a stopped container (any container with --force)",
            flags: [Flag(names: ["force", "f"], value: nil, help: "kill the container first if it still runs")],
            positionals: 1...1) { i in
        try i.global.runtime.delete(i.positionals[0], force: i.bool("force"))
        return 0
    },
]
