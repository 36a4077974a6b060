// features and spec.
import OCISpec
import RuntimeCore

let infoCommands = [
    Command(name: "features", usage: "", summary: "print what this runtime supports (runtime-spec features JSON)",
            flags: [], positionals: 0...0) { _ in
        try printJSON(RuntimeFeatures.features(mountOptions: MountOptions.known))
        return 0
    },
    Command(name: "spec", usage: "", summary: "write a default config.json into the bundle",
            flags: [Flag(names: ["bundle", "b"], value: "DIR", help: "bundle directory (default: current directory)"),
                    Flag(names: ["rootless"], value: nil, help: "a config for rootless containers")],
            positionals: 0...0) { i in
        let path = joinPath(i.string("bundle") ?? ".", "config.json")
        if FileIO.exists(path) { throw UsageError("spec: \(path) already exists; remove it first") }
        try FileIO.writeAtomically(path, try encodeJSON(Spec.defaultSpec(rootless: i.bool("rootless")), pretty: true) + [10], mode: 0o644)
        return 0
    },
]
