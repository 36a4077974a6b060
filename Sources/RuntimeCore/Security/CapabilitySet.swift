// process.capabilities → the five capability sets of the container process (libcap).
import CCap
import Glibc
import OCISpec

public struct CapabilitySet: Equatable, Sendable {
    public var bounding = CapabilityMask()
    public var effective = CapabilityMask()
    public var inheritable = CapabilityMask()
    public var permitted = CapabilityMask()
    public var ambient = CapabilityMask()

    /// Every capability both the kernel and libcap know, as CAP_ names (features, default spec).
    public static var allNames: [String] { CapabilityNames.all }

    /// Parses the sets for the calling process, which must be the one that will apply them (the
    /// container init, inside its user namespace): capabilities it does not hold itself are left
    /// out without error, so that a privileged container asking for every capability still starts
    /// on a host whose bounding set lacks some.
    public init(_ spec: Capabilities?) throws {
        try self.init(spec, held: CapabilityNames.held())
    }

    /// Checks the names only (for create, in the runtime process).
    public static func validate(_ spec: Capabilities?) throws {
        _ = try CapabilitySet(spec, held: CapabilityMask(bits: .max))
    }

    init(_ spec: Capabilities?, held: CapabilityMask) throws {
        func parse(_ names: [String]?, _ set: String) throws -> CapabilityMask {
            var mask = CapabilityMask()
            for name in names ?? [] {
                guard let cap = CapabilityNames.number(name) else {
                    throw RuntimeError("process.capabilities.\(set): unknown capability \"\(name)\"")
                }
                mask.insert(cap)
            }
            return mask.intersection(held)
        }
        bounding = try parse(spec?.bounding, "bounding")
        effective = try parse(spec?.effective, "effective")
        inheritable = try parse(spec?.inheritable, "inheritable")
        permitted = try parse(spec?.permitted, "permitted")
        ambient = try parse(spec?.ambient, "ambient")

        // The kernel refuses an effective capability that is not permitted: say which, up front.
        let stray = CapabilityMask(bits: effective.bits & ~permitted.bits)
        if stray.bits != 0 {
            throw RuntimeError("process.capabilities.effective: \(stray.names.joined(separator: ", ")) not in permitted")
        }
        // The kernel raises an ambient capability only if it is permitted and inheritable. runc
        // warns and goes on without it; so do we (without the warning).
        ambient = ambient.intersection(permitted).intersection(inheritable)
    }

    /// Drops everything outside `bounding` from the bounding set. Needs CAP_SETPCAP in the
    /// effective set: do it while still root, before apply().
    public func applyBounding() throws {
        for cap in 0...min(CapabilityNames.lastCap, 63) where !bounding.contains(cap) {
            guard cap_get_bound(cap_value_t(cap)) == 1 else { continue }   // already gone
            if cap_drop_bound(cap_value_t(cap)) != 0 {
                throw RuntimeError.system("process.capabilities.bounding: drop \(CapabilityNames.name(cap))")
            }
        }
    }

    /// Sets effective, permitted and inheritable, then ambient. Call after the uid/gid change
    /// (made with PR_SET_KEEPCAPS, so permitted survived it).
    public func apply() throws {
        guard let caps = cap_init() else { throw RuntimeError.system("capabilities: cap_init") }
        defer { _ = ccap_free_caps(caps) }
        for (flag, mask) in [(CAP_EFFECTIVE, effective), (CAP_PERMITTED, permitted), (CAP_INHERITABLE, inheritable)] {
            var values = mask.values.map { cap_value_t($0) }
            if values.isEmpty { continue }
            if cap_set_flag(caps, flag, Int32(values.count), &values, CAP_SET) != 0 {
                throw RuntimeError.system("capabilities: cap_set_flag")
            }
        }
        if cap_set_proc(caps) != 0 { throw RuntimeError.system("process.capabilities: set capabilities") }

        // Ambient last: raising one needs it already permitted and inheritable.
        if cap_reset_ambient() != 0 { throw RuntimeError.system("process.capabilities.ambient: reset") }
        for cap in ambient.values where cap_set_ambient(cap_value_t(cap), CAP_SET) != 0 {
            throw RuntimeError.system("process.capabilities.ambient: raise \(CapabilityNames.name(cap))")
        }
    }
}
