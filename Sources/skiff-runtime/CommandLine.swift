// A small parser for runc's command-line grammar (urfave/cli style): global flags, a command,
// its flags, then positional arguments; `--flag value`, `--flag=value` and `-flag value`.
// Why not swift-argument-parser, which our other tools use: it builds its command tree through
// reflection at every start, about 1.5 ms of a `run` that takes 15 ms, paid on each of the three
// calls of create/start/delete. A runtime's start-up is its speed.
import RuntimeCore

struct Flag: Sendable {
    let names: [String]          // "bundle", "b": long names and one-letter short names
    let value: String?           // the value's placeholder; nil for a boolean flag
    let help: String
    var repeatable = false

    var key: String { names[0] }
}

struct Command: Sendable {
    let name: String
    let usage: String            // the positional part, e.g. "<container-id> [signal]"
    let summary: String
    let flags: [Flag]
    let positionals: ClosedRange<Int>
    let run: @Sendable (Invocation) throws -> Int32
}

/// What one command was given.
struct Invocation {
    let global: GlobalOptions
    var values: [String: [String]] = [:]
    var positionals: [String] = []

    func string(_ key: String) -> String? { values[key]?.last }
    func strings(_ key: String) -> [String] { values[key] ?? [] }
    func bool(_ key: String) -> Bool { values[key] != nil }

    func int(_ key: String) throws -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text) else { throw UsageError("--\(key): \"\(text)\" is not a number") }
        return value
    }

    func number<T: FixedWidthInteger>(_ key: String, as: T.Type) throws -> T? {
        guard let text = string(key) else { return nil }
        guard let value = T(text) else { throw UsageError("--\(key): \"\(text)\" is not a valid number") }
        return value
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum FlagParser {
    /// Parses flags from the front of `arguments` until the first positional argument (or "--");
    /// everything after that is positional, so `exec ID sh -c x` keeps `-c` for the container.
    static func parse(_ arguments: ArraySlice<String>, flags: [Flag], into invocation: inout Invocation,
                      allowPositionalsFirst: Bool = false) throws -> ArraySlice<String> {
        var rest = arguments
        while let argument = rest.first {
            guard argument.hasPrefix("-"), argument != "-" else { break }
            rest.removeFirst()
            if argument == "--" { break }
            var name = String(argument.drop { $0 == "-" })
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let flag = flags.first(where: { $0.names.contains(name) }) else {
                throw UsageError("unknown flag \(argument)")
            }
            if flag.value == nil {
                if let inlineValue, inlineValue != "true" {
                    if inlineValue == "false" { invocation.values[flag.key] = nil; continue }
                    throw UsageError("\(argument): a boolean flag takes no value")
                }
                invocation.values[flag.key] = ["true"]
                continue
            }
            guard let value = inlineValue ?? rest.popFirst() else { throw UsageError("\(argument) needs a value (\(flag.value!))") }
            invocation.values[flag.key, default: []].append(value)
        }
        return rest
    }

    static func help(for command: Command) -> String {
        var lines = ["Usage: skiff-runtime \(command.name) [flags] \(command.usage)", "", command.summary]
        if !command.flags.isEmpty { lines += ["", "Flags:"] + describe(command.flags) }
        return lines.joined(separator: "\n")
    }

    static func describe(_ flags: [Flag]) -> [String] {
        flags.map { flag in
            let names = flag.names.map { $0.count == 1 ? "-\($0)" : "--\($0)" }.joined(separator: ", ")
            let left = "  " + names + (flag.value.map { " \($0)" } ?? "")
            return left.padding(to: 34) + flag.help
        }
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self + "  " : self + String(repeating: " ", count: width - count)
    }
}
