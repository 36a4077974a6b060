// Hooks: every kind runs at its point of the lifecycle with the state on stdin; a failing or
// hanging hook fails create and leaves nothing behind.
import Foundation
import OCISpec
import TestSupport
import XCTest

final class HookTests: XCTestCase {
    /// A hook that appends its name, the state's status and whether it sees the rootfs's marker.
    private func hook(_ name: String, log: String) -> Hook {
        Hook(path: "/bin/sh", args: ["sh", "-c", "read -r state; echo \"\(name) $(echo \"$state\" | grep -o '\"status\":\"[a-z]*\"') $(echo \"$state\" | grep -o '\"pid\":[0-9]*')\" >> \(log)"])
    }

    func testEveryHookRunsInOrderWithTheState() throws {
        let log = try makeScratchDirectory("hooks") + "/log"
        let bundle = try TestBundle(args: ["sh", "-c", "echo container-ran >> /hooklog"])
        try FileManager.default.createDirectory(atPath: bundle.rootfs + "/bin", withIntermediateDirectories: true)
        var hooks = Hooks()
        hooks.prestart = [hook("prestart", log: log)]
        hooks.createRuntime = [hook("createRuntime", log: log)]
        hooks.createContainer = [hook("createContainer", log: log)]
        // startContainer runs inside the container: its path and log are container paths.
        hooks.startContainer = [Hook(path: "/bin/sh", args: ["sh", "-c", "echo startContainer >> /hooklog"])]
        hooks.poststart = [hook("poststart", log: log)]
        hooks.poststop = [hook("poststop", log: log)]
        bundle.spec.hooks = hooks
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.map { String($0.split(separator: " ")[0]) },
                       ["prestart", "createRuntime", "createContainer", "poststart", "poststop"])
        XCTAssertTrue(lines[0].contains("\"status\":\"creating\""), lines[0])
        XCTAssertNotNil(lines[0].range(of: "\"pid\":[0-9]+", options: .regularExpression), "the state carries the pid: \(lines[0])")
        XCTAssertTrue(lines[3].contains("\"status\":\"running\""), lines[3])
        XCTAssertTrue(lines[4].contains("\"status\":\"stopped\""), lines[4])
        XCTAssertEqual(try String(contentsOfFile: bundle.rootfs + "/hooklog", encoding: .utf8), "startContainer\ncontainer-ran\n")
    }

    func testFailingHookFailsCreateAndCleansUp() throws {
        let bundle = try TestBundle(args: ["sleep", "60"])
        var hooks = Hooks()
        hooks.createRuntime = [Hook(path: "/bin/sh", args: ["sh", "-c", "exit 3"])]
        bundle.spec.hooks = hooks
        try bundle.writeConfig()
        let result = try bundle.runtime(["create", "--bundle", bundle.directory, "hookfail"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("hooks.createRuntime[0]") && result.stderr.contains("exit status 3"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bundle.stateRoot), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/pids/hookfail"))
    }

    func testHookTimeout() throws {
        let bundle = try TestBundle(args: ["true"])
        var hooks = Hooks()
        hooks.prestart = [Hook(path: "/bin/sleep", args: ["sleep", "30"], timeout: 1)]
        bundle.spec.hooks = hooks
        let start = Date()
        let result = try bundle.run()
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("timed out after 1s"), result.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    func testFailingPoststartOnlyWarns() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "exit 0"])
        var hooks = Hooks()
        hooks.poststart = [Hook(path: "/bin/false")]
        bundle.spec.hooks = hooks
        let result = try bundle.run()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("poststart"), "a warning names the hook: \(result.stderr)")
    }
}
