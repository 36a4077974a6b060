// What the error channel carries at the end of a v4/v5 exec or attach: a metav1.Status, as the
// kubelet writes it. A non-zero exit is a Failure with reason NonZeroExitCode and the code as
// the message of an ExitCode cause; anything else that went wrong is a Failure with a message.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public struct StreamStatus: Codable, Sendable, Equatable {
    public struct Cause: Codable, Sendable, Equatable {
        public var reason: String?
        public var message: String?
        public var field: String?
        public init(reason: String?, message: String?) { self.reason = reason; self.message = message }
    }

    public struct Details: Codable, Sendable, Equatable {
        public var causes: [Cause]?
    }

    /// Always {} here; present because metav1.Status always has it.
    public struct Metadata: Codable, Sendable, Equatable {}

    public var metadata = Metadata()
    /// "Success" or "Failure".
    public var status: String
    public var message: String?
    public var reason: String?
    public var details: Details?
    public var code: Int?

    public static let nonZeroExitCodeReason = "NonZeroExitCode"
    public static let exitCodeCause = "ExitCode"

    public static var success: StreamStatus { StreamStatus(status: "Success") }

    /// How a finished command is reported: Success for 0, else NonZeroExitCode with the code.
    public static func exited(_ code: Int32) -> StreamStatus {
        guard code != 0 else { return .success }
        return StreamStatus(
            status: "Failure", message: "command terminated with non-zero exit code: exit status \(code)",
            reason: nonZeroExitCodeReason,
            details: Details(causes: [Cause(reason: exitCodeCause, message: String(code))]))
    }

    /// A failure that is not the command's exit (it could not start, the stream broke...).
    public static func failure(_ message: String) -> StreamStatus {
        StreamStatus(status: "Failure", message: message, reason: "InternalError", code: 500)
    }

    public var isSuccess: Bool { status == "Success" }

    /// The command's exit code: 0 on Success, the ExitCode cause of a NonZeroExitCode failure,
    /// nil for any other failure.
    public var exitCode: Int32? {
        if isSuccess { return 0 }
        guard reason == Self.nonZeroExitCodeReason else { return nil }
        return details?.causes?.first { $0.reason == Self.exitCodeCause }?.message.flatMap { Int32($0) }
    }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? [UInt8](encoder.encode(self))) ?? Array(#"{"metadata":{},"status":"Failure"}"#.utf8)
    }

    public static func decode(_ bytes: [UInt8]) throws -> StreamStatus {
        do { return try JSONDecoder().decode(StreamStatus.self, from: Data(bytes)) } catch {
            throw StreamingError("the error channel carried something that is not a status: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
    }
}
