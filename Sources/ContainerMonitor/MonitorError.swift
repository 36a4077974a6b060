// Errors of the daemon's side of the monitor: the step and the object that failed.
import Glibc

public struct MonitorError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }

    /// "<step>: <strerror(errno)>" for a failed system call.
    static func system(_ step: String, _ code: Int32 = errno) -> MonitorError {
        MonitorError("\(step): \(String(cString: strerror(code)))")
    }
}
