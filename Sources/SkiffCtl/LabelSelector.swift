// --label key=value flags into the label selector the List calls take.

public enum LabelSelector {
    public static func parse(_ flags: [String]) throws -> [String: String] {
        var labels: [String: String] = [:]
        for flag in flags {
            guard let equals = flag.firstIndex(of: "="), equals != flag.startIndex else {
                throw CtlError("--label \(flag)", "expected key=value")
            }
            labels[String(flag[..<equals])] = String(flag[flag.index(after: equals)...])
        }
        return labels
    }
}
