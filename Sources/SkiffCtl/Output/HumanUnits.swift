// Times and sizes the way crictl shows them: "2 minutes ago", "4.27MB", ids cut to 13 characters.

public enum HumanUnits {
    /// "About a minute ago" for something created `nanoseconds` before now.
    public static func ago(_ nanoseconds: Int64) -> String {
        duration(nanoseconds) + " ago"
    }

    /// Go's units.HumanDuration wording, which crictl prints.
    public static func duration(_ nanoseconds: Int64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        let minutes = seconds / 60
        let hours = Int64((Double(nanoseconds) / 3_600e9).rounded())
        switch true {
        case seconds < 1: return "Less than a second"
        case seconds == 1: return "1 second"
        case seconds < 60: return "\(seconds) seconds"
        case minutes == 1: return "About a minute"
        case minutes < 60: return "\(minutes) minutes"
        case hours == 1: return "About an hour"
        case hours < 48: return "\(hours) hours"
        case hours < 24 * 7 * 2: return "\(hours / 24) days"
        case hours < 24 * 30 * 2: return "\(hours / 24 / 7) weeks"
        case hours < 24 * 365 * 2: return "\(hours / 24 / 30) months"
        default: return "\(hours / 24 / 365) years"
        }
    }

    /// Decimal units with three significant digits: "742kB", "4.27MB", "0B".
    public static func size(_ bytes: UInt64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return significant(value, 3) + units[unit]
    }

    /// `value` with `digits` significant digits, without trailing zeros ("%g" style).
    static func significant(_ value: Double, _ digits: Int) -> String {
        guard value != 0 else { return "0" }
        var magnitude = 0
        var v = abs(value)
        while v >= 10 { v /= 10; magnitude += 1 }
        while v < 1 { v *= 10; magnitude -= 1 }
        let decimals = max(0, digits - 1 - magnitude)
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        // Rounding up may add a digit (999.6 → 1000): that is still the value to print.
        var text = decimals == 0 ? String(Int64(rounded)) : String(rounded)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// A container or pod id as tables show it: the first 13 characters.
    public static func shortID(_ id: String) -> String {
        String(id.prefix(13))
    }

    /// An image id as tables show it: without "sha256:", 13 characters.
    public static func shortImageID(_ id: String) -> String {
        var hex = Substring(id)
        if let colon = hex.firstIndex(of: ":") { hex = hex[hex.index(after: colon)...] }
        return String(hex.prefix(13))
    }
}
