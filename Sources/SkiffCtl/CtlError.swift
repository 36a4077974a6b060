// What skiffctl reports when a command fails: the step it was doing and why, printed as
// "skiffctl: <what>: <reason>" with exit status 1.
import CRIAPI

public struct CtlError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The step, naming its object: `stopping container "4f2a9c"`.
    public var what: String
    /// Why it failed: the daemon's message, or skiffctl's own.
    public var reason: String

    public init(_ what: String, _ reason: String) {
        self.what = what
        self.reason = reason
    }

    public var description: String { reason.isEmpty ? what : "\(what): \(reason)" }

    /// Runs `body`, turning a failure into a CtlError for the step `what` (a CtlError from
    /// inside passes through: it already names its step).
    public static func during<T>(_ what: @autoclosure () -> String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as CtlError {
            throw error
        } catch let error as CRIError {
            throw CtlError(what(), error.message)
        } catch {
            throw CtlError(what(), "\(error)")
        }
    }
}
