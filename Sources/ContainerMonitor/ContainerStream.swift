// The container's output streams, as the CRI log names them and the attach framing numbers them.
public enum ContainerStream: String, Sendable, Hashable {
    case stdout, stderr

    /// The leading byte of an attach message (skiff-monitor's framing, as conmon's).
    public var attachID: UInt8 { self == .stdout ? 1 : 2 }

    public init?(attachID: UInt8) {
        switch attachID {
        case 1: self = .stdout
        case 2: self = .stderr
        default: return nil
        }
    }
}
