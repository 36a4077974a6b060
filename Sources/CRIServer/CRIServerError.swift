// Errors of the daemon's logic, by the gRPC status code CRI callers see.
public enum CRIServerError: Error, CustomStringConvertible, Sendable {
    case notFound(String)
    case invalidArgument(String)
    case alreadyExists(String)
    case failedPrecondition(String)
    case deadlineExceeded(String)
    case unimplemented(String)
    case `internal`(String)

    public var description: String {
        switch self {
        case .notFound(let m), .invalidArgument(let m), .alreadyExists(let m), .failedPrecondition(let m),
             .deadlineExceeded(let m), .unimplemented(let m), .internal(let m): return m
        }
    }
}
