// Runs the built skiffctl against a test daemon, as a user would from a shell.
import CRIAPI
import NodeTestSupport
import Foundation
import SkiffCtl
import TestSupport

struct CtlRunner {
    let node: DaemonFixture

    var endpoint: String { "unix://\(node.socket)" }

    /// skiffctl with the daemon's endpoint and `arguments`, whatever its exit status.
    func run(_ arguments: [String], timeout: TimeInterval = 60) throws -> CommandResult {
        try Command.run(Binaries.ctl, ["-r", endpoint] + arguments, timeout: timeout)
    }

    /// skiffctl's stdout; fails unless it exits 0.
    @discardableResult
    func ok(_ arguments: String..., timeout: TimeInterval = 60) throws -> String {
        let result = try run(arguments, timeout: timeout)
        guard result.status == 0 else { throw TestFailure("skiffctl failed: \(result.summary)") }
        return result.stdout
    }

    /// Starts skiffctl in the background with stdout and stderr to files; stop it with Command.stop.
    func start(_ arguments: [String], stdout: String, stderr: String) throws -> pid_t {
        try Command.start(Binaries.ctl, ["-r", endpoint] + arguments, stdout: stdout, stderr: stderr)
    }

    /// The one line skiffctl printed (an id).
    func id(_ arguments: String...) throws -> String {
        let result = try run(arguments)
        guard result.status == 0 else { throw TestFailure("skiffctl failed: \(result.summary)") }
        let lines = result.stdout.split(separator: "\n")
        guard lines.count == 1 else { throw TestFailure("expected one line: \(result.summary)") }
        return String(lines[0])
    }

    /// A message decoded from skiffctl's -o json or -o yaml output.
    func decode<T: Decodable>(_ type: T.Type, _ text: String, yaml: Bool = false) throws -> T {
        let json = yaml ? try JSONValue(yaml: text, what: "skiffctl output").jsonData() : Data(text.utf8)
        return try CRICodec.decode(type, from: json)
    }

    /// The status in an inspect command's output ({"status": ..., "info": ...}), as JSON or YAML.
    func status<T: Decodable>(_ type: T.Type, _ text: String, yaml: Bool = false) throws -> T {
        let document = yaml ? try JSONValue(yaml: text, what: "skiffctl output") : try JSONValue.parse(Data(text.utf8))
        guard let status = document["status"] else { throw TestFailure("no status in: \(text)") }
        return try CRICodec.decode(type, from: status.jsonData())
    }

    /// A table's rows split into cells (columns are at least three spaces apart).
    static func rows(_ table: String) -> [[String]] {
        table.split(separator: "\n").map { line in
            line.split(separator: "   ", omittingEmptySubsequences: true)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    /// A pod-config file in crictl's snake_case JSON, its log directory under the fixture's.
    func writePodConfig(_ name: String, in directory: String) throws -> String {
        let path = "\(directory)/\(name)-pod.json"
        try """
            {
              "metadata": {"name": "\(name)", "namespace": "default", "uid": "uid-\(name)", "attempt": 0},
              "hostname": "\(name)",
              "log_directory": "\(node.logs)/default_\(name)",
              "labels": {"app": "\(name)"},
              "linux": {"security_context": {"namespace_options": {"network": "POD"}}}
            }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A container-config file in crictl's snake_case, as YAML.
    func writeContainerConfig(_ name: String, _ script: String, in directory: String) throws -> String {
        let path = "\(directory)/\(name)-container.yaml"
        let quoted = script.replacingOccurrences(of: "'", with: "''")
        try """
            metadata:
              name: \(name)
            image:
              image: \(node.image)
            command: [sh, -c, '\(quoted)']
            log_path: \(name)/0.log
            labels:
              tier: test
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
