// process.capabilities → the five capability sets of the container process (libcap).
import OCISpec

public struct CapabilitySet {
    public init(_ spec: Capabilities?) throws {}
    /// Drops everything outside `bounding` from the bounding set (needs CAP_SETPCAP; do it while root).
    public func applyBounding() throws {}
    /// Sets effective, permitted, inheritable and ambient. Call after the uid change (with keepcaps).
    public func apply() throws {}
}
