// Errors of system calls and files in this library, naming the step and the object.
import Glibc

public struct PodNetworkError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }

    /// "<what>: <strerror(errno)>", with the current errno unless one is given.
    static func system(_ what: String, errno code: Int32 = errno) -> PodNetworkError {
        PodNetworkError("\(what): \(String(cString: strerror(code)))")
    }
}
