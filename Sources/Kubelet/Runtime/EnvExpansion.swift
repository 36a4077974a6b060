// Kubernetes' $(VAR) expansion in env values, command and args: a defined variable is
// replaced, an undefined reference stays as written, and $$ escapes a $.

public enum EnvExpansion {
    public static func expand(_ input: String, _ lookup: (String) -> String?) -> String {
        var output = ""
        var chars = Substring(input)
        while let dollar = chars.firstIndex(of: "$") {
            output += chars[..<dollar]
            chars = chars[chars.index(after: dollar)...]
            guard let next = chars.first else {
                output += "$"
                break
            }
            switch next {
            case "$":
                output += "$"
                chars = chars.dropFirst()
            case "(":
                guard let close = chars.firstIndex(of: ")") else {
                    output += "$"
                    continue
                }
                let name = String(chars[chars.index(after: chars.startIndex)..<close])
                if !name.isEmpty, let value = lookup(name) {
                    output += value
                } else {
                    output += "$(" + name + ")"
                }
                chars = chars[chars.index(after: close)...]
            default:
                output += "$"
            }
        }
        output += chars
        return output
    }
}
