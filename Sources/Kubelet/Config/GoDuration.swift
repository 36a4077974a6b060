// Go's time.Duration text, as KubeletConfiguration writes durations: "20s", "1m30s", "500ms", "1h".

public enum GoDuration {
    public struct ParseError: Error, CustomStringConvertible {
        public var text: String
        public var description: String { "duration \"\(text)\": expected a number and a unit (ns, us, ms, s, m, h), e.g. \"20s\" or \"1m30s\"" }
    }

    public static func parse(_ text: String) throws -> Duration {
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if rest == "0" { return .zero }
        guard !rest.isEmpty else { throw ParseError(text: text) }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(number) else { throw ParseError(text: text) }
            rest = rest.dropFirst(number.count)
            // Longest unit first: "ms" before "m", "ns" before... none start alike otherwise.
            guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) }) else {
                throw ParseError(text: text)
            }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return .milliseconds(Int64((total * 1000).rounded()))
    }
}

extension Duration {
    /// Seconds as a Double, for arithmetic with dates.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
