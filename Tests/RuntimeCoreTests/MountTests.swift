// Mounts, the root filesystem, masked and read-only paths, and mount destinations that try to
// lead out of the rootfs.
import Foundation
import OCISpec
import TestSupport
import XCTest

final class MountTests: XCTestCase {
    func testBindMountReadOnlyAndReadWrite() throws {
        let host = try makeScratchDirectory("bind")
        try "from-host\n".write(toFile: host + "/data", atomically: true, encoding: .utf8)
        let bundle = try TestBundle(args: ["sh", "-c", "cat /ro/data; echo x > /ro/new 2>/dev/null && echo ro-writable; echo written > /rw/out; grep ' /ro ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1"])
        bundle.spec.mounts?.append(Mount(destination: "/ro", type: "bind", source: host, options: ["bind", "ro"]))
        bundle.spec.mounts?.append(Mount(destination: "/rw", type: "bind", source: host, options: ["rbind", "rw"]))
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "from-host\nro\n")
        XCTAssertEqual(try String(contentsOfFile: host + "/out", encoding: .utf8), "written\n")
    }

    func testTmpfsWithOptionsAndFileBindMount() throws {
        let file = try makeScratchDirectory("file") + "/hosts"
        try "10.0.0.1 skiffhost\n".write(toFile: file, atomically: true, encoding: .utf8)
        let bundle = try TestBundle(args: ["sh", "-c", "grep ' /scratch ' /proc/mounts | cut -d' ' -f3,4; cat /etc/hosts"])
        bundle.spec.mounts?.append(Mount(destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["nosuid", "size=1m", "mode=700"]))
        bundle.spec.mounts?.append(Mount(destination: "/etc/hosts", type: "bind", source: file, options: ["bind", "ro"]))
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("tmpfs rw,nosuid,relatime,size=1024k,mode=700"), result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("10.0.0.1 skiffhost\n"), result.stdout)
    }

    func testRelativeBindSourceIsRelativeToTheBundle() throws {
        let bundle = try TestBundle(args: ["cat", "/mnt/note"])
        try FileManager.default.createDirectory(atPath: bundle.directory + "/shared", withIntermediateDirectories: true)
        try "bundle-relative\n".write(toFile: bundle.directory + "/shared/note", atomically: true, encoding: .utf8)
        bundle.spec.mounts?.append(Mount(destination: "/mnt", type: "bind", source: "shared", options: ["bind"]))
        let result = try bundle.run()
        XCTAssertEqual(result.stdout, "bundle-relative\n", result.stderr)
    }

    func testSymlinkedDestinationCannotLeaveTheRootfs() throws {
        let outside = try makeScratchDirectory("outside")
        let bundle = try TestBundle(args: ["sh", "-c", "ls /escape/ && cat /escape/secret"])
        // /escape in the image points at the host directory, absolutely and through "..".
        try FileManager.default.createSymbolicLink(atPath: bundle.rootfs + "/escape", withDestinationPath: "../../../../../../..\(outside)")
        let source = try makeScratchDirectory("src")
        try "inside\n".write(toFile: source + "/secret", atomically: true, encoding: .utf8)
        bundle.spec.mounts?.append(Mount(destination: "/escape", type: "bind", source: source, options: ["bind"]))
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), [], "nothing was mounted or made outside the rootfs")
        XCTAssertTrue(FileManager.default.fileExists(atPath: bundle.rootfs + outside), "the link was followed inside the rootfs")
        XCTAssertTrue(result.stdout.contains("inside"), result.stdout)
    }

    func testReadonlyRootMaskedAndReadonlyPaths() throws {
        let bundle = try TestBundle(args: ["sh", "-c", """
            touch /newfile 2>/dev/null && echo root-writable
            cat /proc/kcore 2>/dev/null | wc -c
            ls /sys/firmware | wc -l
            echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo sys-writable
            echo done
            """])
        bundle.spec.root?.readonly = true
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "0\n0\ndone\n")
    }

    func testCgroupMountShowsTheContainersHierarchies() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "ls /sys/fs/cgroup | sort | tr '\\n' ' '; touch /sys/fs/cgroup/x 2>/dev/null && echo writable; echo"])
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        for name in ["memory", "pids", "cpu", "cpuacct", "devices"] {
            XCTAssertTrue(result.stdout.contains(name), "\(name) in \(result.stdout)")
        }
        XCTAssertFalse(result.stdout.contains("writable"))
    }

    func testAFailedMountLeavesNothingBehind() throws {
        let bundle = try TestBundle()
        bundle.spec.mounts?.append(Mount(destination: "/broken", type: "bind", source: "/nonexistent/source", options: ["bind"]))
        let mountsBefore = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).split(separator: "\n").count
        let result = try bundle.run("failed-mount")
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("/nonexistent/source"), result.stderr)
        XCTAssertTrue(result.stderr.contains("mounts[7]"), "the error names the mount: \(result.stderr)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bundle.stateRoot), [])
        XCTAssertEqual(try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).split(separator: "\n").count, mountsBefore)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/failed-mount"), "no cgroup is left")
    }

    func testTmpfsCopyUpKeepsTheImagesFiles() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "cat /etc/passwd | head -1; grep ' /etc ' /proc/mounts | cut -d' ' -f3"])
        bundle.spec.mounts?.append(Mount(destination: "/etc", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup", "mode=755"]))
        let result = try bundle.run()
        XCTAssertEqual(result.stdout, "root:x:0:0:root:/root:/bin/sh\ntmpfs\n", result.stderr)
    }

    func testNoPivotRunsInTheRootfs() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "ls /bin/busybox && hostname"])
        try bundle.writeConfig()
        let result = try bundle.runtime(["run", "--no-pivot", "--bundle", bundle.directory, "nopivot"])
        XCTAssertEqual(result.stdout, "/bin/busybox\nskiff\n", result.stderr)
    }
}
