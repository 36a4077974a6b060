// Ids by unique prefix, as docker and crictl users type them: "4f2a" for
// "4f2a9c0b…". An exact id always wins; otherwise exactly one id must start with the prefix.

public enum IDPrefix {
    /// The one id in `ids` that `prefix` names. `kind` ("container", "pod sandbox", "image")
    /// words the error for an unknown or ambiguous prefix.
    public static func resolve(_ prefix: String, among ids: [String], kind: String) throws -> String {
        guard !prefix.isEmpty else { throw CtlError("\(kind) id", "empty") }
        if ids.contains(prefix) { return prefix }
        let matches = Array(Set(ids.filter { $0.hasPrefix(prefix) })).sorted()
        switch matches.count {
        case 1:
            return matches[0]
        case 0:
            throw CtlError("\(kind) \"\(prefix)\"", "not found (no \(kind) id starts with \"\(prefix)\")")
        default:
            let shown = matches.prefix(5).map(HumanUnits.shortID).joined(separator: ", ")
            throw CtlError("\(kind) \"\(prefix)\"", "ambiguous: \(matches.count) \(kind)s' ids start with it (\(shown)\(matches.count > 5 ? ", …" : ""))")
        }
    }
}
