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

/// The state of a devices cgroup: a default and the exceptions to it. Exceptions are keyed by
/// exact match, as the kernel keeps them; they all carry the opposite verdict of the default.
public struct DeviceRuleSet: Equatable, Sendable {
    public private(set) var defaultAllow: Bool
    public private(set) var exceptions: [DeviceMatch: DeviceAccess]

    public init(defaultAllow: Bool, exceptions: [DeviceMatch: DeviceAccess] = [:]) {
        self.defaultAllow = defaultAllow; self.exceptions = exceptions
    }

    /// Folds an ordered rule list. As in runc, the list starts from "deny all": an empty list
    /// denies every device, and a list without an "a" rule allows only what it names.
    public init(rules: [DeviceRule], defaultAllow: Bool = false) throws {
        self.init(defaultAllow: defaultAllow)
        for rule in rules { try apply(rule) }
    }

    public init(oci rules: [Resources.DeviceCgroup]) throws {
        try self.init(rules: rules.map(DeviceRule.init))
    }

    /// Reads devices.list: "a *:* rwm" means allow-all; otherwise it lists what is allowed.
    /// (In allow-all mode the kernel does not list the deny exceptions.)
    public init(devicesList text: String) throws {
        self.init(defaultAllow: false)
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count == 3, let kind = DeviceMatch.Kind(rawValue: f[0].first ?? "?"), f[0].count == 1 else {
                throw RuntimeError("devices.list: cannot parse \"\(line)\"")
            }
            let numbers = f[1].split(separator: ":", omittingEmptySubsequences: false)
            guard numbers.count == 2 else { throw RuntimeError("devices.list: cannot parse \"\(line)\"") }
            func number(_ s: Substring) throws -> Int64 {
                if s == "*" { return -1 }
                guard let n = Int64(s) else { throw RuntimeError("devices.list: cannot parse \"\(line)\"") }
                return n
            }
            let match = DeviceMatch(kind: kind, major: try number(numbers[0]), minor: try number(numbers[1]))
            try apply(DeviceRule(match, try DeviceAccess(parsing: String(f[2])), allow: true))
        }
    }

    /// One rule, with the kernel's semantics: type "a" resets the whole state; a rule with the
    /// default's verdict removes access from the exact-match exception only.
    public mutating func apply(_ rule: DeviceRule) throws {
        if rule.match.kind == .all {
            defaultAllow = rule.allow
            exceptions = [:]
        } else if rule.allow == defaultAllow {
            try remove(rule)
        } else {
            exceptions[rule.match, default: []].formUnion(rule.access)
        }
    }

    private mutating func remove(_ rule: DeviceRule) throws {
        // The kernel removes exact matches only, so "deny c 1:3" does nothing against an
        // "allow c *:*" exception. Silently keeping access the user meant to take away would be
        // a security hole: refuse instead, as runc does.
        let m = rule.match
        for wider in [DeviceMatch(kind: m.kind, major: -1, minor: m.minor),
                      DeviceMatch(kind: m.kind, major: m.major, minor: -1),
                      DeviceMatch(kind: m.kind)] where wider != m {
            if let access = exceptions[wider], !access.intersection(rule.access).isEmpty {
                throw RuntimeError("linux.resources.devices: rule \"\(rule.allow ? "allow" : "deny") \(rule.v1Line)\" cannot take access away from the wider rule \"\(wider.text) \(access)\"; order the rules from wide to narrow with the same verdict, or drop the wide one")
            }
        }
        let left = exceptions[m, default: []].subtracting(rule.access)
        exceptions[m] = left.isEmpty ? nil : left
    }

    /// The exceptions in a stable order.
    public var sortedExceptions: [(match: DeviceMatch, access: DeviceAccess)] {
        exceptions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The rules that take a cgroup from `self` to `target`, disturbing running processes as
    /// little as possible: only when the default must change (or is unknown: allow-all lists
    /// hide their deny exceptions) does it start with a reset to "deny all"/"allow all".
    public func transition(to target: DeviceRuleSet) -> [DeviceRule] {
        var rules: [DeviceRule] = []
        var current = exceptions
        if defaultAllow || defaultAllow != target.defaultAllow {
            rules.append(DeviceRule(DeviceMatch(kind: .all), .all, allow: target.defaultAllow))
            current = [:]
        }
        for (match, access) in current.sorted(by: { $0.key < $1.key }) {
            let dropped = access.subtracting(target.exceptions[match] ?? [])
            if !dropped.isEmpty { rules.append(DeviceRule(match, dropped, allow: target.defaultAllow)) }
        }
        for (match, access) in target.sortedExceptions {
            let gained = access.subtracting(current[match] ?? [])
            if !gained.isEmpty { rules.append(DeviceRule(match, gained, allow: !target.defaultAllow)) }
        }
        return rules
    }
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

    /// What runc allows every container besides the config's rules: mknod of any device, the
    /// standard /dev nodes, and the pty devices.
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
    ]
}
