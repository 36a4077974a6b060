// -o/--output: json, yaml or table, as crictl spells them.

public enum OutputFormat: String, Sendable, CaseIterable {
    case json, yaml, table

    /// The format `text` names ("yml" too), or an error listing the choices.
    public init(parsing text: String) throws {
        let folded = text.lowercased()
        if folded == "yml" {
            self = .yaml
            return
        }
        guard let format = OutputFormat(rawValue: folded) else {
            throw CtlError("output format \"\(text)\"", "unknown; use json, yaml or table")
        }
        self = format
    }
}
