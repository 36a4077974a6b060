// The WWW-Authenticate header of a registry's 401: `Bearer realm="...",service="...",scope="..."`
// (the distribution token spec) or `Basic realm="..."`. Parameter values may be quoted and
// may contain commas inside the quotes (scopes list actions as "pull,push").

public struct RegistryAuthChallenge: Sendable, Equatable {
    public enum Scheme: String, Sendable { case bearer, basic }
    public var scheme: Scheme
    public var parameters: [String: String]

    public var realm: String? { parameters["realm"] }
    public var service: String? { parameters["service"] }
    public var scope: String? { parameters["scope"] }

    /// Nil for a scheme we do not speak or a header that is not a challenge.
    public init?(header: String) {
        let trimmed = header.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " ") ?? (trimmed.isEmpty ? nil : trimmed.endIndex) else { return nil }
        guard let scheme = Scheme(rawValue: trimmed[..<space].lowercased()) else { return nil }
        self.scheme = scheme
        self.parameters = RegistryAuthChallenge.parseParameters(trimmed[space...])
    }

    /// key=value or key="value" pairs separated by commas; keys are case-insensitive.
    static func parseParameters(_ text: Substring) -> [String: String] {
        var out: [String: String] = [:]
        var i = text.startIndex
        func skip(_ chars: Set<Character>) { while i < text.endIndex, chars.contains(text[i]) { i = text.index(after: i) } }
        while i < text.endIndex {
            skip([" ", ","])
            let keyStart = i
            while i < text.endIndex, text[i] != "=", text[i] != "," { i = text.index(after: i) }
            let key = text[keyStart..<i].trimmingSpaces.lowercased()
            guard i < text.endIndex, text[i] == "=" else { continue }
            i = text.index(after: i)
            var value = ""
            if i < text.endIndex, text[i] == "\"" {
                i = text.index(after: i)
                while i < text.endIndex, text[i] != "\"" {
                    if text[i] == "\\", text.index(after: i) < text.endIndex { i = text.index(after: i) }
                    value.append(text[i]); i = text.index(after: i)
                }
                if i < text.endIndex { i = text.index(after: i) }
            } else {
                let start = i
                while i < text.endIndex, text[i] != "," { i = text.index(after: i) }
                value = String(text[start..<i]).trimmingSpaces
            }
            if !key.isEmpty { out[key] = value }
        }
        return out
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
