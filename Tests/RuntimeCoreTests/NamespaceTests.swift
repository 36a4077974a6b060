// Namespaces from config.json, created or joined, seen from inside the container.
import Foundation
import OCISpec
import TestSupport
import XCTest

final class NamespaceTests: XCTestCase {
    func testNewNamespacesIsolateTheContainer() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "echo pid=$$; hostname; ls /sys/class/net; cat /proc/self/cgroup | head -1"])
        bundle.spec.hostname = "box1"
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "pid=1", "the process is PID 1 of its own PID namespace")
        XCTAssertEqual(lines[1], "box1")
        XCTAssertEqual(lines[2], "lo", "a new network namespace has only loopback")
        XCTAssertTrue(lines[3].hasSuffix(":/"), "in its cgroup namespace the container's cgroup is the root: \(lines[3])")
    }

    func testNamespacesDifferFromTheHost() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "for n in ipc uts net mnt pid cgroup; do readlink /proc/self/ns/$n; done"])
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        let inside = result.stdout.split(separator: "\n").map(String.init)
        let host = try ["ipc", "uts", "net", "mnt", "pid", "cgroup"].map {
            try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/\($0)")
        }
        XCTAssertEqual(inside.count, 6)
        for (a, b) in zip(inside, host) { XCTAssertNotEqual(a, b) }
    }

    func testJoinsANamespaceByPath() throws {
        // A network namespace held by a process of ours, joined through its /proc path.
        let holder = try Command.start("/usr/bin/unshare", ["--net", "sh", "-c", "/sbin/ip link add skiffdummy0 type veth peer name skiffpeer0; exec sleep 60"])
        defer { Command.stop(holder) }
        let path = "/proc/\(holder)/ns/net"
        let deadline = Date().addingTimeInterval(5)
        while (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net"))
                && Date() < deadline { usleep(10_000) }
        usleep(100_000)
        let bundle = try TestBundle(args: ["sh", "-c", "ls /sys/class/net | sort | tr '\\n' ' '"])
        let namespaces = bundle.spec.linux?.namespaces?.map { $0.type == "network" ? Namespace(type: "network", path: path) : $0 }
        bundle.spec.linux?.namespaces = namespaces
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "lo skiffdummy0 skiffpeer0 ", "the container sees the joined namespace's interfaces")
    }

    func testJoiningAMissingNamespaceNamesThePath() throws {
        let bundle = try TestBundle()
        bundle.spec.linux?.namespaces?.append(Namespace(type: "user", path: "/proc/999999999/ns/user"))
        let result = try bundle.run()
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("/proc/999999999/ns/user"), result.stderr)
    }

    func testUserNamespaceMapsRootToAnUnprivilegedUID() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "id -u; cat /proc/self/uid_map; touch /tmp/file; stat -c %u /tmp/file"])
        bundle.spec.linux?.namespaces?.append(Namespace(type: "user"))
        bundle.spec.linux?.uidMappings = [IDMapping(containerID: 0, hostID: 100000, size: 65536)]
        bundle.spec.linux?.gidMappings = [IDMapping(containerID: 0, hostID: 100000, size: 65536)]
        try shell("chown -R 100000:100000 '\(bundle.rootfs)'; chmod 755 '\(bundle.directory)'")
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        XCTAssertEqual(lines, ["0", "0 100000 65536", "0"], "root inside, mapped to 100000 outside")
        var st = stat()
        XCTAssertEqual(stat(bundle.rootfs + "/tmp/file", &st), 0)
        XCTAssertEqual(st.st_uid, 100000, "files the container's root makes belong to the mapped uid on the host")
    }

    func testTimeNamespaceOffsetsTheMonotonicClock() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "cut -d' ' -f1 /proc/uptime"])
        bundle.spec.linux?.namespaces?.append(Namespace(type: "time"))
        bundle.spec.linux?.timeOffsets = ["boottime": TimeOffset(secs: 86400 * 365, nanosecs: 0)]
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        let uptime = Double(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        XCTAssertGreaterThan(uptime, 86400 * 365, "boottime is offset by a year")
    }

    func testHostnameWithoutUTSNamespaceIsRefused() throws {
        let bundle = try TestBundle()
        bundle.spec.linux?.namespaces?.removeAll { $0.type == "uts" }
        let result = try bundle.run()
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("hostname"), result.stderr)
    }
}
