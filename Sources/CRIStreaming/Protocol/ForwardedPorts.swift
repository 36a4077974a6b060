// Which pod ports a port-forward stream carries: the URL's `port` query parameter, as the
// kubelet reads it (repeatable, each value a comma-separated list), or `ports` as a synonym.
// Port i has data on channel 2i and errors on channel 2i+1; the server's first message on each
// of the two is the port number, 2 bytes little-endian.

public enum ForwardedPorts {
    /// The ports named in a URL query ("port=8080,9090" or "port=8080&port=9090"); empty when
    /// the query names none. Throws for a value that is not a port in 1...65535.
    public static func parse(query: String) throws -> [UInt16] {
        var ports: [UInt16] = []
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts[0] == "port" || parts[0] == "ports" else { continue }
            let value = parts.count > 1 ? String(parts[1]) : ""
            guard !value.isEmpty else { throw StreamingError("query parameter \"\(parts[0])\" is empty") }
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let port = UInt16(item), port > 0 else {
                    throw StreamingError("query parameter \"\(parts[0])\": \"\(item)\" is not a port (1-65535)")
                }
                ports.append(port)
            }
        }
        return ports
    }

    public static func dataChannel(index: Int) -> UInt8 { UInt8(truncatingIfNeeded: 2 * index) }
    public static func errorChannel(index: Int) -> UInt8 { UInt8(truncatingIfNeeded: 2 * index + 1) }

    /// The first message's payload on both channels of a port.
    public static func prefix(_ port: UInt16) -> [UInt8] { [UInt8(port & 0xff), UInt8(port >> 8)] }

    /// The port a first message names.
    public static func port(fromPrefix payload: [UInt8]) -> UInt16? {
        guard payload.count == 2 else { return nil }
        return UInt16(payload[0]) | UInt16(payload[1]) << 8
    }
}
