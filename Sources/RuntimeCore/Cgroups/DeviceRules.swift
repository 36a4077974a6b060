// Device access rules (linux.resources.devices) and an emulation of how the v1 devices
// controller folds an ordered rule list into "default allow/deny + exceptions". Both drivers
// use the folded form: v1 to write the fewest, least disruptive lines, v2 to generate the eBPF
// program, so a rule list means the same on both.
import OCISpec

public struct DeviceAccess: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    // Bit values as in BPF_DEVCG_ACC_*.
    public static let mknod = DeviceAccess(rawValue: 1)
    public static let read = DeviceAccess(rawValue: 2)
    public static let write = DeviceAccess(rawValue: 4)
    public static let all: DeviceAccess = [.read, .write, .mknod]

    /// "rwm", "r", ...; throws on other letters or an empty string.
    public init(parsing text: String) throws {
        var access: DeviceAccess = []
        for c in text {
            switch c {
            case "r": access.insert(.read)
            case "w": access.insert(.write)
            case "m": access.insert(.mknod)
            default: throw RuntimeError("device rule access \"\(text)\": only r, w and m are allowed")
            }
        }
        if access.isEmpty { throw RuntimeError("device rule access is empty") }
        self = access
    }

    public var description: String {
        (contains(.read) ? "r" : "") + (contains(.write) ? "w" : "") + (contains(.mknod) ? "m" : "")
    }
}

/// Which devices a rule is about. major/minor -1 is the wildcard `*`.
public struct DeviceMatch: Hashable, Sendable, Comparable {
    public enum Kind: Character, Sendable, Comparable {
        case all = "a", block = "b", char = "c"
        public static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
    }
    public var kind: Kind
    public var major: Int64
    public var minor: Int64

    public init(kind: Kind, major: Int64 = -1, minor: Int64 = -1) {
        self.kind = kind; self.major = major; self.minor = minor
    }

    /// "c 1:3", "b *:*", "a *:*".
    public var text: String {
        "\(kind.rawValue) \(major < 0 ? "*" : String(major)):\(minor < 0 ? "*" : String(minor))"
    }

    public static func < (a: DeviceMatch, b: DeviceMatch) -> Bool {
        (a.major, a.minor, a.kind) < (b.major, b.minor, b.kind)
    }
}

public struct DeviceRule: Hashable, Sendable {
    public var match: DeviceMatch
    public var access: DeviceAccess
    public var allow: Bool

    public init(_ match: DeviceMatch, _ access: DeviceAccess, allow: Bool) {
        self.match = match; self.access = access; self.allow = allow
    }

    /// From the OCI form, with its defaults: type "a", any major/minor, access "rwm".
    public init(_ rule: Resources.DeviceCgroup) throws {
        let kind: DeviceMatch.Kind
        switch rule.type ?? "a" {
        case "a": kind = .all
        case "b": kind = .block
        case "c", "u": kind = .char  // "u" (unbuffered char) is a char device to the kernel
        default: throw RuntimeError("linux.resources.devices: type \"\(rule.type ?? "")\" cannot be controlled by cgroups (want a, b or c)")
        }
        self.match = DeviceMatch(kind: kind, major: rule.major ?? -1, minor: rule.minor ?? -1)
        self.access = try rule.access.map { try DeviceAccess(parsing: $0) } ?? .all
        self.allow = rule.allow
    }

    /// The line written to devices.allow or devices.deny: "c 1:3 rwm".
    public var v1Line: String { "\(match.text) \(access)" }
}

public enum DeviceRules {
    /// The resources the drivers apply: linux.resources with its device rules completed as runc
    /// completes them. On create the device rules are always applied (runc always restricts
    /// devices); on update only when the update names device rules.
    static func resolve(_ resources: Resources?, nodes: [Device], creating: Bool) -> Resources {
        var r = resources ?? Resources()
        if r.devices != nil || creating { r.devices = effective(r.devices, devices: nodes) }
        return r
    }

    /// The list runc hands its cgroup driver for a config: linux.resources.devices, then the
    /// devices every container gets (`defaultAllowed`), then an allow rule for each node in
    /// linux.devices. Without the defaults a config's usual "deny all" would take /dev/null away.
    public static func effective(_ rules: [Resources.DeviceCgroup]?, devices: [Device]?) -> [Resources.DeviceCgroup] {
        var list = (rules ?? []) + defaultAllowed
        for device in devices ?? [] where device.type != "p" {  // FIFOs are not device-controlled
            list.append(.init(allow: true, type: device.type == "u" ? "c" : device.type,
                              major: device.major, minor: device.minor, access: "rwm"))
        }
        return list
    }

    /// What runc (1.1.5) allows every container besides the config's rules: mknod of any
    /// device, the standard /dev nodes, the pty devices and tun/tap.
    public static let defaultAllowed: [Resources.DeviceCgroup] = [
        .init(allow: true, type: "c", major: nil, minor: nil, access: "m"),
        .init(allow: true, type: "b", major: nil, minor: nil, access: "m"),
        .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),    // /dev/null
        .init(allow: true, type: "c", major: 1, minor: 8, access: "rwm"),    // /dev/random
        .init(allow: true, type: "c", major: 1, minor: 7, access: "rwm"),    // /dev/full
        .init(allow: true, type: "c", major: 5, minor: 0, access: "rwm"),    // /dev/tty
        .init(allow: true, type: "c", major: 1, minor: 5, access: "rwm"),    // /dev/zero
        .init(allow: true, type: "c", major: 1, minor: 9, access: "rwm"),    // /dev/urandom
        .init(allow: true, type: "c", major: 136, minor: nil, access: "rwm"), // /dev/pts/*
        .init(allow: true, type: "c", major: 5, minor: 2, access: "rwm"),    // /dev/ptmx
        .init(allow: true, type: "c", major: 10, minor: 200, access: "rwm"), // /dev/net/tun
    ]
}
