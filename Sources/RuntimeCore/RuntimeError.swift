// Errors that name the step and the object, e.g. "mount proc at /proc: Operation not permitted".
import Glibc

public struct RuntimeError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }

    /// An error from a system call: `stage` says what we were doing, errno says why it failed.
    public static func system(_ stage: String, errno code: Int32 = errno) -> RuntimeError {
        RuntimeError("\(stage): \(String(cString: strerror(code)))")
    }
}

/// Throws `RuntimeError.system` when a libc call returns -1 (errno set).
@discardableResult
@inline(__always)
func check(_ result: Int32, _ stage: @autoclosure () -> String) throws -> Int32 {
    if result < 0 { throw RuntimeError.system(stage()) }
    return result
}

/// Throws when one of our C wrappers returns -errno.
@discardableResult
@inline(__always)
func checkNeg(_ result: Int32, _ stage: @autoclosure () -> String) throws -> Int32 {
    if result < 0 { throw RuntimeError.system(stage(), errno: -result) }
    return result
}
