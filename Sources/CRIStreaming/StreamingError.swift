// Errors of the streaming library: what failed, in words a user can act on.

public struct StreamingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
