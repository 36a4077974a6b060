// `spec`: the default config.json, as runc prints it (hostname aside), and its rootless variant.
import Foundation
import Glibc
import XCTest
@testable import OCISpec

final class DefaultSpecTests: XCTestCase {
    func testProcess() throws {
        let spec = Spec.defaultSpec()
        XCTAssertEqual(spec.ociVersion, specVersion)
        let process = try XCTUnwrap(spec.process)
        XCTAssertEqual(process.terminal, true)
        XCTAssertEqual(process.user, User(uid: 0, gid: 0))
        XCTAssertEqual(process.args, ["sh"])
        XCTAssertEqual(process.env, ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"])
        XCTAssertEqual(process.cwd, "/")
        let caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        XCTAssertEqual(process.capabilities, Capabilities(bounding: caps, effective: caps, permitted: caps))
        XCTAssertEqual(process.rlimits, [Rlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)])
        XCTAssertEqual(process.noNewPrivileges, true)
        XCTAssertEqual(spec.root, Root(path: "rootfs", readonly: true))
        XCTAssertEqual(spec.hostname, "skiff")
    }

    func testMounts() throws {
        let mounts = try XCTUnwrap(Spec.defaultSpec().mounts)
        XCTAssertEqual(mounts.map(\.destination), ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"])
        XCTAssertEqual(mounts.map { $0.type ?? "" }, ["proc", "tmpfs", "devpts", "tmpfs", "mqueue", "sysfs", "cgroup"])
        XCTAssertEqual(mounts[2].options, ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"])
        XCTAssertEqual(mounts[3].options, ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"])
        XCTAssertEqual(mounts[6].options, ["nosuid", "noexec", "nodev", "relatime", "ro"])
    }

    func testLinux() throws {
        let linux = try XCTUnwrap(Spec.defaultSpec().linux)
        XCTAssertEqual(linux.resources?.devices, [Resources.DeviceCgroup(allow: false, access: "rwm")])
        XCTAssertEqual(linux.namespaces?.map(\.type), ["pid", "network", "ipc", "uts", "mount", "cgroup"])
        XCTAssertEqual(linux.maskedPaths?.count, 10)
        XCTAssertTrue(linux.maskedPaths?.contains("/proc/kcore") ?? false)
        XCTAssertEqual(linux.readonlyPaths, ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"])
        XCTAssertNil(linux.uidMappings)
    }

    func testRootless() throws {
        let spec = Spec.defaultSpec(rootless: true)
        let linux = try XCTUnwrap(spec.linux)
        XCTAssertEqual(linux.namespaces?.map(\.type), ["pid", "ipc", "uts", "mount", "user"])
        XCTAssertEqual(linux.uidMappings, [IDMapping(containerID: 0, hostID: getuid(), size: 1)])
        XCTAssertEqual(linux.gidMappings, [IDMapping(containerID: 0, hostID: getgid(), size: 1)])
        XCTAssertNil(linux.resources)
        let mounts = try XCTUnwrap(spec.mounts)
        let sys = try XCTUnwrap(mounts.first { $0.destination == "/sys" })
        XCTAssertEqual(sys.type, "none")
        XCTAssertEqual(sys.source, "/sys")
        XCTAssertEqual(sys.options, ["rbind", "nosuid", "noexec", "nodev", "ro"])
        XCTAssertFalse(mounts.contains { $0.destination == "/sys/fs/cgroup" })
        XCTAssertFalse(mounts.contains { $0.options?.contains { $0.hasPrefix("gid=") || $0.hasPrefix("uid=") } ?? false })
        XCTAssertEqual(mounts.first { $0.destination == "/dev/pts" }?.options,
                       ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"])
    }

    func testJSONRoundTrip() throws {
        for rootless in [false, true] {
            let spec = Spec.defaultSpec(rootless: rootless)
            let data = try JSONEncoder().encode(spec)
            XCTAssertEqual(try JSONDecoder().decode(Spec.self, from: data), spec)
        }
        let text = String(decoding: try JSONEncoder().encode(Spec.defaultSpec()), as: UTF8.self)
        XCTAssertTrue(text.contains("\"noNewPrivileges\":true"))
        XCTAssertTrue(text.contains("\"ociVersion\":\"\(specVersion)\""))
    }
}
