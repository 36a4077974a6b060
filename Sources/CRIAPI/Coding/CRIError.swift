// Errors on the CRI wire: a gRPC status code and a message, sent as an HTTP status plus
// {"code": "NotFound", "message": "..."}.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A failed CRI call, as the server reports it and the client surfaces it.
public struct CRIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// gRPC status codes, named as gRPC's Go package prints them (and as they go on the wire).
    public enum Code: String, Sendable, CaseIterable, Codable {
        case ok = "OK"
        case canceled = "Canceled"
        case unknown = "Unknown"
        case invalidArgument = "InvalidArgument"
        case deadlineExceeded = "DeadlineExceeded"
        case notFound = "NotFound"
        case alreadyExists = "AlreadyExists"
        case permissionDenied = "PermissionDenied"
        case resourceExhausted = "ResourceExhausted"
        case failedPrecondition = "FailedPrecondition"
        case aborted = "Aborted"
        case outOfRange = "OutOfRange"
        case unimplemented = "Unimplemented"
        case `internal` = "Internal"
        case unavailable = "Unavailable"
        case dataLoss = "DataLoss"
        case unauthenticated = "Unauthenticated"

        /// The gRPC number (OK = 0 … Unauthenticated = 16).
        public var number: Int { Self.allCases.firstIndex(of: self)! }

        /// The HTTP status the server answers with: the usual gRPC↔HTTP pairing.
        public var httpStatus: Int {
            switch self {
            case .ok: return 200
            case .canceled: return 499
            case .unknown, .internal, .dataLoss: return 500
            case .invalidArgument, .failedPrecondition, .outOfRange: return 400
            case .deadlineExceeded: return 504
            case .notFound: return 404
            case .alreadyExists, .aborted: return 409
            case .permissionDenied: return 403
            case .resourceExhausted: return 429
            case .unimplemented: return 501
            case .unavailable: return 503
            case .unauthenticated: return 401
            }
        }

        /// Read leniently: the name ("NotFound"), gRPC's upper-case name ("NOT_FOUND") or
        /// the number; anything else is Unknown.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                self = Self.allCases.indices.contains(number) ? Self.allCases[number] : .unknown
                return
            }
            let name = try container.decode(String.self)
            let folded = name.filter { $0 != "_" }.lowercased()
            self = Self.allCases.first { $0.rawValue.lowercased() == folded }
                ?? (folded == "cancelled" ? .canceled : .unknown)
        }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func notFound(_ message: String) -> CRIError { CRIError(.notFound, message) }
    public static func invalidArgument(_ message: String) -> CRIError { CRIError(.invalidArgument, message) }
    public static func alreadyExists(_ message: String) -> CRIError { CRIError(.alreadyExists, message) }
    public static func failedPrecondition(_ message: String) -> CRIError { CRIError(.failedPrecondition, message) }
    public static func unimplemented(_ message: String) -> CRIError { CRIError(.unimplemented, message) }
    public static func `internal`(_ message: String) -> CRIError { CRIError(.internal, message) }
    public static func unavailable(_ message: String) -> CRIError { CRIError(.unavailable, message) }
    public static func deadlineExceeded(_ message: String) -> CRIError { CRIError(.deadlineExceeded, message) }
}

/// The JSON body of an error response, and of the error line that ends a failed event stream
/// (there wrapped as {"error": {...}}).
public struct CRIErrorBody: Codable, Sendable, Equatable {
    public var code: CRIError.Code
    public var message: String

    public init(_ error: CRIError) {
        code = error.code
        message = error.message
    }

    public var error: CRIError { CRIError(code, message) }
}
