// features and spec.
import ArgumentParser
import OCISpec
import RuntimeCore

struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print what this runtime supports (runtime-spec features JSON).")
    @OptionGroup var global: GlobalOptions
    func run() throws { throw RuntimeError("features: not yet available") }
}

struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "spec", abstract: "Write a default config.json in the bundle.")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "Bundle directory.") var bundle = "."
    @Flag(help: "A config for rootless containers.") var rootless = false
    func run() throws { throw RuntimeError("spec: not yet available") }
}
