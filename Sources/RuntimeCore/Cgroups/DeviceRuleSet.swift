// How the v1 devices controller folds an ordered rule list into "default + exceptions", and
// the fewest writes that move a cgroup from one such state to another.
import OCISpec

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
