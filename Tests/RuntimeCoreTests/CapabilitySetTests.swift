// Parsing of process.capabilities, and the sets applied for real in forked children.
import CSkiffSystem
import Glibc
import OCISpec
import XCTest
@testable import RuntimeCore

final class CapabilitySetTests: XCTestCase {
    private let everything = CapabilityMask(bits: .max)

    // MARK: parsing

    func testNames() {
        let all = CapabilitySet.allNames
        XCTAssertEqual(all.first, "CAP_CHOWN")
        XCTAssertEqual(all[5], "CAP_KILL")
        XCTAssertEqual(all[21], "CAP_SYS_ADMIN")
        XCTAssertEqual(all.count, CapabilityNames.lastCap + 1)   // kernel's last cap, here CAP_CHECKPOINT_RESTORE
        XCTAssertTrue(all.contains("CAP_SYS_RESOURCE"))           // known, even though this host lacks it
        XCTAssertTrue(all.allSatisfy { $0.hasPrefix("CAP_") && $0 == $0.uppercased() })
    }

    func testParsesEachSet() throws {
        let set = try CapabilitySet(Capabilities(
            bounding: ["CAP_CHOWN", "CAP_KILL"], effective: ["CAP_KILL"], inheritable: ["CAP_NET_RAW"],
            permitted: ["CAP_KILL", "CAP_NET_RAW"], ambient: ["CAP_NET_RAW"]), held: everything)
        XCTAssertEqual(set.bounding.names, ["CAP_CHOWN", "CAP_KILL"])
        XCTAssertEqual(set.effective.names, ["CAP_KILL"])
        XCTAssertEqual(set.inheritable.names, ["CAP_NET_RAW"])
        XCTAssertEqual(set.permitted.names, ["CAP_KILL", "CAP_NET_RAW"])
        XCTAssertEqual(set.ambient.names, ["CAP_NET_RAW"])
        XCTAssertEqual(set.bounding.bits, 0b10_0001)
    }

    func testNoCapabilitiesMeansEmptySets() throws {
        let set = try CapabilitySet(nil, held: everything)
        XCTAssertEqual([set.bounding, set.effective, set.inheritable, set.permitted, set.ambient].map(\.bits), [0, 0, 0, 0, 0])
    }

    func testUnknownNameNamesTheSet() {
        for set in ["bounding", "effective", "inheritable", "permitted", "ambient"] {
            var caps = Capabilities()
            switch set {
            case "bounding": caps.bounding = ["CAP_KILL", "CAP_FOO"]
            case "effective": caps.effective = ["CAP_FOO"]
            case "inheritable": caps.inheritable = ["CAP_FOO"]
            case "permitted": caps.permitted = ["CAP_FOO"]
            default: caps.ambient = ["CAP_FOO"]
            }
            XCTAssertThrowsError(try CapabilitySet.validate(caps)) {
                XCTAssertEqual("\($0)", "process.capabilities.\(set): unknown capability \"CAP_FOO\"")
            }
        }
        // Names are exact: lowercase or without the prefix is not a capability name in a spec.
        XCTAssertThrowsError(try CapabilitySet.validate(Capabilities(bounding: ["cap_chown"])))
        XCTAssertThrowsError(try CapabilitySet.validate(Capabilities(bounding: ["CHOWN"])))
    }

    func testCapabilitiesNotHeldAreDroppedSilently() throws {
        let all = CapabilitySet.allNames
        var held = everything
        held.bits &= ~(1 << 24)   // CAP_SYS_RESOURCE, as on this host
        let set = try CapabilitySet(Capabilities(bounding: all, effective: all, inheritable: all, permitted: all, ambient: all),
                                    held: held)
        XCTAssertFalse(set.bounding.names.contains("CAP_SYS_RESOURCE"))
        XCTAssertFalse(set.effective.contains(24))
        XCTAssertEqual(set.bounding.names.count, all.count - 1)
        // And with what this process really holds, it still parses.
        XCTAssertNoThrow(try CapabilitySet(Capabilities(bounding: all, effective: all, permitted: all)))
    }

    func testEffectiveMustBePermitted() {
        XCTAssertThrowsError(try CapabilitySet(Capabilities(effective: ["CAP_KILL", "CAP_CHOWN"], permitted: ["CAP_KILL"]),
                                               held: everything)) {
            XCTAssertEqual("\($0)", "process.capabilities.effective: CAP_CHOWN not in permitted")
        }
    }

    func testAmbientNeedsPermittedAndInheritable() throws {
        let set = try CapabilitySet(Capabilities(inheritable: ["CAP_KILL", "CAP_NET_RAW"], permitted: ["CAP_KILL", "CAP_CHOWN"],
                                                 ambient: ["CAP_KILL", "CAP_NET_RAW", "CAP_CHOWN"]), held: everything)
        XCTAssertEqual(set.ambient.names, ["CAP_KILL"])
    }

    func testDefaultSpecCapabilitiesAreValid() throws {
        try CapabilitySet.validate(Spec.defaultSpec().process?.capabilities)
    }

    // MARK: applied for real

    private let file = "/tmp/skiff-cap-test-\(getpid())"

    override func setUp() { close(open(file, O_CREAT | O_WRONLY, 0o600)) }
    override func tearDown() { unlink(file) }

    /// The child applies `caps` (bounding, then the rest) and tries chown; exits with chown's errno.
    private func chownErrno(with caps: Capabilities) -> ChildOutcome {
        runInChild { _ in
            let set = try CapabilitySet(caps)
            try set.applyBounding()
            try set.apply()
            return chown(file, 1234, 1234) == 0 ? 0 : errno
        }
    }

    func testChownFailsWithoutCapChown() {
        let withoutChown = CapabilitySet.allNames.filter { $0 != "CAP_CHOWN" }
        let denied = chownErrno(with: Capabilities(bounding: withoutChown, effective: withoutChown, permitted: withoutChown))
        XCTAssertEqual(denied.exitCode, EPERM, denied.output)
        // Control: the same, with CAP_CHOWN kept.
        let all = CapabilitySet.allNames
        let allowed = chownErrno(with: Capabilities(bounding: all, effective: all, permitted: all))
        XCTAssertEqual(allowed.exitCode, 0, allowed.output)
    }

    func testBoundingSetIsDropped() {
        let outcome = runInChild { report in
            try CapabilitySet(Capabilities(bounding: ["CAP_CHOWN", "CAP_KILL"])).applyBounding()
            report(procStatusField("CapBnd") ?? "?")
            return 0
        }
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
        XCTAssertEqual(outcome.output, "0000000000000021\n")
    }

    func testSetsAndAmbientAfterUidChange() {
        let outcome = runInChild { report in
            let set = try CapabilitySet(Capabilities(
                bounding: ["CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_SETPCAP"], effective: ["CAP_CHOWN"],
                inheritable: ["CAP_NET_BIND_SERVICE"], permitted: ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"],
                ambient: ["CAP_NET_BIND_SERVICE"]))
            try set.applyBounding()
            // The uid change as the init does it: keep permitted across setresuid.
            guard sk_set_keepcaps(1) == 0, sk_setresgid(1000, 1000, 1000) == 0, sk_setresuid(1000, 1000, 1000) == 0 else {
                return 2
            }
            try set.apply()
            for field in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] { report(procStatusField(field) ?? "?") }
            return chown(file, 1234, 1234) == 0 ? 0 : errno   // CAP_CHOWN survived the change to uid 1000
        }
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
        XCTAssertEqual(outcome.output.split(separator: "\n"), [
            "0000000000000400",   // inheritable: NET_BIND_SERVICE (10)
            "0000000000000401",   // permitted: CHOWN (0) + NET_BIND_SERVICE
            "0000000000000001",   // effective: CHOWN
            "0000000000000501",   // bounding: CHOWN, NET_BIND_SERVICE, SETPCAP (8)
            "0000000000000400",   // ambient: NET_BIND_SERVICE
        ])
    }

    func testPrivilegedSetAppliesDespiteMissingHostCapability() {
        let all = CapabilitySet.allNames
        let outcome = runInChild { report in
            let set = try CapabilitySet(Capabilities(bounding: all, effective: all, inheritable: all, permitted: all, ambient: all))
            try set.applyBounding()
            try set.apply()
            report(procStatusField("CapEff") ?? "?")
            return 0
        }
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
        XCTAssertEqual(outcome.output, (procStatusField("CapBnd") ?? "") + "\n")   // everything this host has
    }
}
