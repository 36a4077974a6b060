// features and spec.
import ArgumentParser
import Glibc
import OCISpec
import RuntimeCore

struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "features", abstract: "Print what this runtime supports (runtime-spec features JSON).")
    @OptionGroup var global: GlobalOptions
    func run() throws { try printJSON(RuntimeFeatures.features(mountOptions: MountOptions.known)) }
}

struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "spec", abstract: "Write a default config.json in the bundle.")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "Bundle directory.") var bundle = "."
    @Flag(help: "A config for rootless containers.") var rootless = false
    func run() throws {
        let path = joinPath(bundle, "config.json")
        if FileIO.exists(path) { throw RuntimeError("spec: \(path) already exists; remove it first") }
        try FileIO.writeAtomically(path, try encodeJSON(Spec.defaultSpec(rootless: rootless), pretty: true) + [10], mode: 0o644)
    }
}
