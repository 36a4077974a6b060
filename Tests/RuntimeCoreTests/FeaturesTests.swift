// The features document: its content comes from the same tables the loaders use.
import Foundation
import OCISpec
import XCTest
@testable import RuntimeCore

final class FeaturesTests: XCTestCase {
    private let features = RuntimeFeatures.features(mountOptions: ["bind", "rbind", "ro"])

    func testVersionsHooksAndMountOptions() {
        XCTAssertEqual(features.ociVersionMin, "1.0.0")
        XCTAssertEqual(features.ociVersionMax, specVersion)
        XCTAssertEqual(features.hooks, ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"])
        XCTAssertEqual(features.mountOptions, ["bind", "rbind", "ro"])
        XCTAssertEqual(features.annotations?["io.github.seccomp.libseccomp.version"], "2.5.4")
    }

    func testLinux() throws {
        let linux = try XCTUnwrap(features.linux)
        XCTAssertEqual(linux.capabilities, CapabilitySet.allNames)
        XCTAssertTrue(linux.namespaces?.contains("user") ?? false)
        XCTAssertEqual(linux.cgroup?.systemd, false)
        XCTAssertEqual(linux.cgroup?.v1, true)
        XCTAssertEqual(linux.apparmor?.enabled, FileManager.default.fileExists(atPath: "/sys/kernel/security/apparmor"))
        XCTAssertEqual(linux.selinux?.enabled, FileManager.default.fileExists(atPath: "/sys/fs/selinux"))
        XCTAssertEqual(linux.mountExtensions?.idmap?.enabled, false)
    }

    func testSeccompListsWhatTheLoaderAccepts() throws {
        let seccomp = try XCTUnwrap(features.linux?.seccomp)
        XCTAssertEqual(seccomp.enabled, true)
        XCTAssertEqual(seccomp.actions?.count, 9)
        XCTAssertEqual(seccomp.operators?.count, 7)
        XCTAssertTrue(seccomp.archs?.contains("SCMP_ARCH_X86_64") ?? false)
        XCTAssertFalse(seccomp.archs?.contains("SCMP_ARCH_LOONGARCH64") ?? true)   // libseccomp 2.5.4 has no loongarch
        XCTAssertEqual(seccomp.knownFlags?.count, 4)
        XCTAssertEqual(seccomp.supportedFlags, ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"])

        // Everything advertised validates: each arch (alone: one filter cannot mix byte orders),
        // every action in a rule, every operator, every supported flag.
        for arch in seccomp.archs ?? [] {
            XCTAssertNoThrow(try SeccompProgram(Seccomp(defaultAction: "SCMP_ACT_ALLOW", architectures: [arch])), arch)
        }
        var profile = Seccomp(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                              flags: seccomp.supportedFlags)
        profile.listenerPath = "/run/agent.sock"
        profile.syscalls = (seccomp.actions ?? []).filter { $0 != "SCMP_ACT_ALLOW" }.enumerated().map {
            .init(names: ["acct"], action: $1, args: [.init(index: 0, value: UInt64($0), op: "SCMP_CMP_EQ")])
        }
        profile.syscalls! += (seccomp.operators ?? []).map {
            .init(names: ["kill"], action: "SCMP_ACT_ERRNO", args: [.init(index: 1, value: 1, op: $0)])
        }
        XCTAssertNoThrow(try SeccompFilter.validate(profile))
    }

    func testJSONShape() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(features)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"ociVersionMin\"", "\"mountExtensions\"", "\"idmap\"", "\"knownFlags\"", "\"supportedFlags\"",
                    "\"intelRdt\"", "\"systemdUser\""] {
            XCTAssertTrue(text.contains(key), key)
        }
        XCTAssertEqual(try JSONDecoder().decode(Features.self, from: data), features)
        // runc's output decodes too (fields we do not produce included).
        let runc = #"{"ociVersionMin":"1.0.0","ociVersionMax":"1.1.0","linux":{"cgroup":{"v2":true},"seccomp":{"enabled":true}},"potentiallyUnsafeConfigAnnotations":["bundle"],"x":1}"#
        let decoded = try JSONDecoder().decode(Features.self, from: Data(runc.utf8))
        XCTAssertEqual(decoded.linux?.cgroup?.v2, true)
        XCTAssertEqual(decoded.potentiallyUnsafeConfigAnnotations, ["bundle"])
    }
}
