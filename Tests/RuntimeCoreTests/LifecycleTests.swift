// The runtime-spec lifecycle through the real binary: states, transitions, exit codes, errors.
import Foundation
import OCISpec
import XCTest

final class LifecycleTests: XCTestCase {
    func testRunReturnsOutputAndExitStatus() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "echo hello from $(hostname); exit 7"])
        let result = try bundle.run()
        XCTAssertEqual(result.stdout, "hello from skiff\n")
        XCTAssertEqual(result.status, 7)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bundle.stateRoot), [], "run removes its state")
    }

    func testCreateStartKillDeleteStates() throws {
        let bundle = try TestBundle(args: ["sleep", "60"])
        try bundle.create("life")
        let created = try bundle.state("life")
        XCTAssertEqual(created.status, .created)
        XCTAssertEqual(created.id, "life")
        XCTAssertNotNil(created.pid)
        XCTAssertEqual(created.bundle, bundle.directory)

        XCTAssertEqual(try bundle.runtime(["start", "life"]).status, 0)
        XCTAssertEqual(try bundle.state("life").status, .running)
        let again = try bundle.runtime(["start", "life"])
        XCTAssertNotEqual(again.status, 0, "a running container cannot be started again")
        XCTAssertTrue(again.stderr.contains("running"), again.stderr)

        let refused = try bundle.runtime(["delete", "life"])
        XCTAssertNotEqual(refused.status, 0, "delete of a running container needs --force")
        XCTAssertEqual(try bundle.state("life").status, .running, "a refused delete changes nothing")

        XCTAssertEqual(try bundle.runtime(["kill", "life", "KILL"]).status, 0)
        try bundle.wait("life", for: .stopped)
        XCTAssertNil(try bundle.state("life").pid)
        XCTAssertNotEqual(try bundle.runtime(["kill", "life", "TERM"]).status, 0, "kill of a stopped container is an error")
        XCTAssertEqual(try bundle.runtime(["delete", "life"]).status, 0)
        let gone = try bundle.runtime(["state", "life"])
        XCTAssertNotEqual(gone.status, 0)
        XCTAssertTrue(gone.stderr.contains("does not exist"), gone.stderr)
    }

    func testProcessWaitsForStart() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "echo started > /tmp/marker; sleep 60"])
        try bundle.create("waits")
        usleep(200_000)
        XCTAssertFalse(FileManager.default.fileExists(atPath: bundle.rootfs + "/tmp/marker"), "the program must not run before start")
        XCTAssertEqual(try bundle.runtime(["start", "waits"]).status, 0)
        let deadline = Date().addingTimeInterval(5)
        while !FileManager.default.fileExists(atPath: bundle.rootfs + "/tmp/marker") && Date() < deadline { usleep(10_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: bundle.rootfs + "/tmp/marker"))
    }

    func testDuplicateIDIsRefused() throws {
        let bundle = try TestBundle(args: ["sleep", "60"])
        try bundle.create("dup")
        let second = try bundle.runtime(["create", "--bundle", bundle.directory, "dup"])
        XCTAssertNotEqual(second.status, 0)
        XCTAssertTrue(second.stderr.contains("already exists"), second.stderr)
        XCTAssertEqual(try bundle.state("dup").status, .created, "the first container is untouched")
    }

    func testKillTakesSignalNamesAndNumbers() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "trap 'echo got-usr1 > /tmp/sig; exit 0' USR1; while true; do sleep 0.1; done"])
        try bundle.create("sig", start: true)
        usleep(300_000)
        XCTAssertEqual(try bundle.runtime(["kill", "sig", "SIGUSR1"]).status, 0)
        try bundle.wait("sig", for: .stopped)
        XCTAssertEqual(try String(contentsOfFile: bundle.rootfs + "/tmp/sig", encoding: .utf8), "got-usr1\n")
        let bad = try bundle.runtime(["kill", "sig", "SIGNOPE"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("unknown signal"), bad.stderr)
    }

    func testListShowsContainers() throws {
        let bundle = try TestBundle(args: ["sleep", "60"])
        try bundle.create("listed")
        let table = try bundle.runtime(["list"])
        XCTAssertTrue(table.stdout.contains("listed"), table.stdout)
        XCTAssertTrue(table.stdout.contains("created"), table.stdout)
        let json = try bundle.runtime(["list", "--format", "json"])
        let entries = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        XCTAssertEqual(entries?.first?["id"] as? String, "listed")
        XCTAssertEqual(try bundle.runtime(["list", "-q"]).stdout, "listed\n")
    }

    func testDeleteForceStopsARunningContainer() throws {
        let bundle = try TestBundle(args: ["sleep", "60"])
        try bundle.create("forced", start: true)
        let pid = try XCTUnwrap(try bundle.state("forced").pid)
        XCTAssertEqual(try bundle.runtime(["delete", "--force", "forced"]).status, 0)
        XCTAssertNotEqual(try bundle.runtime(["state", "forced"]).status, 0)
        usleep(100_000)
        let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        XCTAssertTrue(stat == nil || stat!.contains(") Z "), "the process is gone")
        XCTAssertEqual(try bundle.runtime(["delete", "--force", "never-existed"]).status, 0, "delete --force of nothing is fine")
        XCTAssertNotEqual(try bundle.runtime(["delete", "never-existed"]).status, 0)
    }

    func testRunDetachedLeavesItRunningWithAPidFile() throws {
        let bundle = try TestBundle(args: ["sleep", "60"])
        try bundle.writeConfig()
        let pidFile = bundle.directory + "/run.pid"
        let result = try bundle.runtime(["run", "-d", "--pid-file", pidFile, "--bundle", bundle.directory, "detached"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let state = try bundle.state("detached")
        XCTAssertEqual(state.status, .running)
        XCTAssertEqual(try String(contentsOfFile: pidFile, encoding: .utf8), String(state.pid ?? -1))
        XCTAssertEqual(try bundle.runtime(["delete", "--force", "detached"]).status, 0)
    }
}
