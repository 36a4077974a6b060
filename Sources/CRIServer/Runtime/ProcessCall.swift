// Running a short-lived helper program (the OCI runtime, a CNI plugin) to completion, with its
// output collected and a deadline: past it the program is killed and the call fails.
import CRIAPI
import Subprocess
import SystemPackage

/// What a finished program left: its exit status and output.
public struct ProcessResult: Sendable {
    public var status: Int32           // exit code, or 128+signal
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var stderrText: String { String(decoding: stderr, as: UTF8.self).trimmingTrailingNewlines }
}

public enum ProcessCall {
    /// Output past this is cut off: helpers print little, and a runaway one must not fill memory.
    static let outputLimit = 4 << 20

    /// Runs `path` with `arguments`, feeding it `input`, waiting at most `timeout`.
    public static func run(_ path: String, _ arguments: [String], input: [UInt8] = [],
                           environment: [String: String]? = nil,
                           timeout: Duration = .seconds(60)) async throws -> ProcessResult {
        let env: Environment = environment.map { vars in
            .custom(Dictionary(uniqueKeysWithValues: vars.map { (Environment.Key(rawValue: $0.key)!, $0.value) }))
        } ?? .inherit
        return try await withThrowingTaskGroup(of: ProcessResult?.self) { group in
            group.addTask {
                let result = try await Subprocess.run(
                    .path(FilePath(path)), arguments: Arguments(arguments), environment: env,
                    input: .array(input), output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit))
                let status: Int32
                switch result.terminationStatus {
                case .exited(let code): status = code
                case .signaled(let signal): status = 128 + signal
                }
                return ProcessResult(status: status, stdout: result.standardOutput, stderr: result.standardError)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw CRIError.deadlineExceeded("\(path) \(arguments.joined(separator: " ")): no answer within \(timeout)")
            }
            return result
        }
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = Substring(self)
        while s.last == "\n" || s.last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
