// The escapes runtimes have had, and the promise that bad input changes nothing.
import CSkiffSystem
import Foundation
import OCISpec
import TestSupport
import XCTest

final class SafetyTests: XCTestCase {
    func testNoHostDescriptorReachesTheContainer() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "ls /proc/self/fd | sort -n | tr '\\n' ' '"])
        let result = try bundle.run()
        // 0-2 are stdio; 3 is the fd ls itself opens to read the directory.
        XCTAssertEqual(result.stdout, "0 1 2 3 ", result.stderr)
    }

    func testPreservedDescriptorsAreTheOnlyExtraOnes() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "ls /proc/self/fd | sort -n | tr '\\n' ' '"])
        try bundle.writeConfig()
        // fd 3 and 4 open in the caller: with --preserve-fds 1 only fd 3 passes.
        let result = try Command.run("/bin/sh", ["-c", "exec 3</dev/null 4</dev/null; exec '\(runtimeBinary)' --root '\(bundle.stateRoot)' run --preserve-fds 1 --bundle '\(bundle.directory)' fds"])
        XCTAssertEqual(result.stdout, "0 1 2 3 4 ", "fd 3 preserved, 4 is ls's own: \(result.stderr)")
    }

    func testRuntimeBinaryCannotBeReopenedForWriting() throws {
        // The CVE-2019-5736 pattern: hold /proc/<runtime>/exe, wait for the runtime to exit, then
        // reopen it for writing. The runtime runs from a read-only mount, so that must fail.
        let bundle = try TestBundle(args: ["sleep", "60"])
        try bundle.create("exe", start: true)
        let execPID = try Command.start(runtimeBinary, ["--root", bundle.stateRoot, "exec", "exe", "sleep", "2"])
        // Hold its exe once it runs the container-facing code: after the re-exec, before it exits.
        var held: Int32 = -1
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let fd = open("/proc/\(execPID)/exe", Int32(SK_O_PATH))
            var fs = statvfs()
            if fd >= 0 && fstatvfs(fd, &fs) == 0 && (UInt(fs.f_flag) & UInt(SK_ST_RDONLY)) != 0 { held = fd; break }
            if fd >= 0 { close(fd) }
            usleep(1_000)
        }
        XCTAssertGreaterThanOrEqual(held, 0, "the runtime re-executes itself from a read-only mount")
        defer { close(held) }
        var status: Int32 = 0
        waitpid(execPID, &status, 0)
        let writable = open("/proc/self/fd/\(held)", O_WRONLY)
        let error = errno
        if writable >= 0 { close(writable) }
        XCTAssertLessThan(writable, 0, "the runtime's binary must not be writable through its exe link")
        XCTAssertEqual(error, EROFS)
    }

    func testMalformedConfigNamesTheField() throws {
        let bundle = try TestBundle()
        try bundle.writeConfig()
        var json = try String(contentsOfFile: bundle.directory + "/config.json", encoding: .utf8)
        json = json.replacingOccurrences(of: "\"cwd\" : \"\\/\"", with: "\"cwd\" : 42")
        try json.write(toFile: bundle.directory + "/config.json", atomically: true, encoding: .utf8)
        let result = try bundle.runtime(["run", "--bundle", bundle.directory, "bad"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("process.cwd"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bundle.stateRoot), [])
    }

    func testInvalidValuesNameTheField() throws {
        let cases: [(String, (inout Spec) -> Void)] = [
            ("root.path", { $0.root = Root(path: "missing-rootfs") }),
            ("process.args", { $0.process?.args = [] }),
            ("process.cwd", { $0.process?.cwd = "relative" }),
            ("linux.namespaces[6].type", { $0.linux?.namespaces?.append(Namespace(type: "bogus")) }),
            ("process.rlimits[0].type", { $0.process?.rlimits = [Rlimit(type: "RLIMIT_BOGUS", hard: 1, soft: 1)] }),
            ("linux.devices[0].type", { $0.linux?.devices = [Device(type: "x", path: "/dev/x")] }),
            ("ociVersion", { $0.ociVersion = nil }),
            ("linux.uidMappings", { $0.linux?.namespaces?.append(Namespace(type: "user")) }),
            ("hooks.poststart[0].path", { var h = Hooks(); h.poststart = [Hook(path: "relative")]; $0.hooks = h }),
            ("hooks.prestart[0].timeout", { var h = Hooks(); h.prestart = [Hook(path: "/bin/true", timeout: 0)]; $0.hooks = h }),
        ]
        for (field, change) in cases {
            let bundle = try TestBundle()
            change(&bundle.spec)
            let result = try bundle.run("invalid")
            XCTAssertNotEqual(result.status, 0, field)
            XCTAssertTrue(result.stderr.contains(field), "error should name \(field): \(result.stderr)")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bundle.stateRoot), [], field)
        }
    }

    func testInvalidIDIsRefused() throws {
        let bundle = try TestBundle()
        try bundle.writeConfig()
        let result = try bundle.runtime(["create", "--bundle", bundle.directory, "../escape"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("invalid container id"), result.stderr)
    }
}
