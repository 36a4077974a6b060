// What one request to the kubelet's API is answered with: a whole body, a chunked stream
// written as it comes (followed logs), or a stream proxied from the container runtime.
import Foundation
import NIOHTTP1

enum KubeletResponse: Sendable {
    case full(status: HTTPResponseStatus, contentType: String, body: [UInt8], headers: [(String, String)] = [])
    /// A chunked body: `produce` writes it piece by piece and returns at its end. It is
    /// cancelled when the client goes away.
    case stream(contentType: String, produce: @Sendable (_ write: @Sendable ([UInt8]) async throws -> Void) async throws -> Void)
    /// The request's upgrade passed on to the runtime's streaming server at this URL (exec,
    /// attach, port-forward): see StreamProxy.
    case upgrade(url: String)

    static func text(_ text: String, status: HTTPResponseStatus = .ok) -> KubeletResponse {
        .full(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    /// A problem, as the kubelet reports one: a line of text with the status.
    static func problem(_ status: HTTPResponseStatus, _ message: String) -> KubeletResponse {
        text(message + "\n", status: status)
    }

    static func json(_ value: some Encodable) -> KubeletResponse {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            return .full(status: .ok, contentType: "application/json", body: Array(try encoder.encode(value)) + [10])
        } catch {
            return problem(.internalServerError, "cannot encode the answer: \(error)")
        }
    }
}

/// A request's path segments (percent-decoded) and query parameters (each name's values in
/// order; "+" is a space, as in Go's url.ParseQuery).
struct KubeletRequest: Sendable {
    var method: HTTPMethod
    var segments: [String]
    var query: [String: [String]]
    /// The query as it came (port-forward's ports are parsed from it as the runtime parses them).
    var rawQuery: String
    /// The client asks to switch protocols (Connection: Upgrade): a stream.
    var isUpgrade: Bool

    init(method: HTTPMethod, uri: String, isUpgrade: Bool = false) {
        self.method = method
        self.isUpgrade = isUpgrade
        let (path, rawQuery) = uri.firstIndex(of: "?").map { (String(uri[..<$0]), String(uri[uri.index(after: $0)...])) } ?? (uri, "")
        segments = path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        self.rawQuery = rawQuery
        var query: [String: [String]] = [:]
        for pair in rawQuery.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            query[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        self.query = query
    }

    func value(_ name: String) -> String? { query[name]?.last }

    /// A boolean parameter as Go's strconv.ParseBool reads it ("1", "t", "true", ...); a
    /// parameter present with no value counts as true.
    func flag(_ names: String...) throws -> Bool {
        for name in names {
            guard let value = value(name) else { continue }
            switch value.lowercased() {
            case "", "1", "t", "true", "yes": return true
            case "0", "f", "false", "no": return false
            default: throw RequestProblem("parameter \(name)=\(value) is not a boolean (true or false)")
            }
        }
        return false
    }

    /// A whole-number parameter, nil when absent.
    func number(_ name: String, minimum: Int = 0) throws -> Int? {
        guard let value = value(name) else { return nil }
        guard let n = Int(value), n >= minimum else {
            throw RequestProblem("parameter \(name)=\(value) must be a whole number of at least \(minimum)")
        }
        return n
    }
}

/// A request the kubelet cannot serve as asked: answered 400 with the message.
struct RequestProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
