// Capability names ("CAP_CHOWN") ↔ numbers, from libcap's own table, and which ones this kernel
// and this process have.
import CCap
import Glibc

/// A set of capabilities as a bit mask (bit n = capability n), as the kernel keeps them.
public struct CapabilityMask: Equatable, Sendable {
    public var bits: UInt64
    public init(bits: UInt64 = 0) { self.bits = bits }

    public func contains(_ cap: Int) -> Bool { cap < 64 && bits & (1 << UInt64(cap)) != 0 }
    public mutating func insert(_ cap: Int) { bits |= 1 << UInt64(cap) }
    public func intersection(_ other: CapabilityMask) -> CapabilityMask { CapabilityMask(bits: bits & other.bits) }

    public var values: [Int] { (0..<64).filter(contains) }
    public var names: [String] { values.map(CapabilityNames.name) }
}

enum CapabilityNames {
    /// libcap's names, index = number, up to the last one it knows (which may be above the kernel's).
    static let known: [String] = {
        var names: [String] = []
        for cap in 0..<64 {
            guard let text = cap_to_name(cap_value_t(cap)) else { break }
            let name = String(cString: text)
            _ = ccap_free_text(text)
            if name.first?.isNumber ?? true { break }   // libcap spells caps it has no name for as numbers
            names.append(name.uppercased())
        }
        return names
    }()

    static func number(_ name: String) -> Int? { known.firstIndex(of: name) }

    static func name(_ cap: Int) -> String { cap < known.count ? known[cap] : "CAP_\(cap)" }

    /// The highest capability this kernel has (libcap probes the same, for when /proc is not there).
    static let lastCap: Int = {
        if let text = FileIO.readIfExists("/proc/sys/kernel/cap_last_cap"), let n = Int(text.filter(\.isNumber)) {
            return n
        }
        return Int(cap_max_bits()) - 1
    }()

    /// Capabilities both libcap and the kernel know.
    static var all: [String] { Array(known.prefix(lastCap + 1)) }

    /// What this process can pass on: in its bounding set (which can never grow back) and in its
    /// permitted set (which cap_set_proc cannot raise beyond).
    static func held() throws -> CapabilityMask {
        guard let caps = cap_get_proc() else { throw RuntimeError.system("capabilities: cap_get_proc") }
        defer { _ = ccap_free_caps(caps) }
        var mask = CapabilityMask()
        for cap in 0...min(lastCap, 63) {
            var permitted = CAP_CLEAR
            guard cap_get_flag(caps, cap_value_t(cap), CAP_PERMITTED, &permitted) == 0 else { continue }
            if permitted == CAP_SET && cap_get_bound(cap_value_t(cap)) == 1 { mask.insert(cap) }
        }
        return mask
    }
}
