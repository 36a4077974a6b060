// exec: processes joining a running container.
import Foundation
import OCISpec
import TestSupport
import XCTest

final class ExecTests: XCTestCase {
    func testExecJoinsTheContainer() throws {
        let bundle = try TestBundle(args: ["sleep", "60"])
        bundle.spec.hostname = "inside"
        try bundle.create("ex", start: true)
        let result = try bundle.runtime(["exec", "ex", "sh", "-c", "hostname; ls /sys/class/net; echo $$; exit 4"])
        XCTAssertEqual(result.status, 4, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(2)), ["inside", "lo"])
        XCTAssertNotEqual(lines.last, "1", "exec'd processes are not the init")
        let ps = try bundle.runtime(["ps", "--format", "json", "ex"])
        XCTAssertEqual(ps.status, 0, ps.stderr)
    }

    func testExecUserEnvCwdAndProcessFile() throws {
        let bundle = try TestBundle(args: ["sleep", "60"])
        try bundle.create("exu", start: true)
        let flags = try bundle.runtime(["exec", "--user", "1000:1000", "--env", "X=42", "--cwd", "/tmp", "exu", "sh", "-c", "id -u; id -g; echo $X; pwd"])
        XCTAssertEqual(flags.stdout, "1000\n1000\n42\n/tmp\n", flags.stderr)

        var process = OCISpec.Process(args: ["sh", "-c", "echo from-file; id -u"], env: ["PATH=/bin"], cwd: "/")
        process.user = User(uid: 65534, gid: 65534)
        let file = bundle.directory + "/process.json"
        try JSONEncoder().encode(process).write(to: URL(fileURLWithPath: file))
        let fromFile = try bundle.runtime(["exec", "--process", file, "exu"])
        XCTAssertEqual(fromFile.stdout, "from-file\n65534\n", fromFile.stderr)
    }

    func testExecDetachedWritesPidFile() throws {
        let bundle = try TestBundle(args: ["sleep", "60"])
        try bundle.create("exd", start: true)
        let pidFile = bundle.directory + "/exec.pid"
        let result = try bundle.runtime(["exec", "-d", "--pid-file", pidFile, "exd", "sleep", "30"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let pid = try XCTUnwrap(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        usleep(300_000)
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        XCTAssertFalse(stat.contains(") Z "), "the detached process outlives the runtime")
        let pids = try bundle.runtime(["ps", "--format", "json", "exd"]).stdout
        XCTAssertTrue(pids.contains(String(pid)), "it is in the container's cgroup: \(pids)")
    }

    func testExecInAStoppedContainerFails() throws {
        let bundle = try TestBundle(args: ["true"])
        try bundle.create("exs", start: true)
        try bundle.wait("exs", for: .stopped)
        let result = try bundle.runtime(["exec", "exs", "true"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("stopped"), result.stderr)
    }

    func testExecOfAMissingProgramNamesIt() throws {
        let bundle = try TestBundle(args: ["sleep", "60"])
        try bundle.create("exm", start: true)
        let result = try bundle.runtime(["exec", "exm", "does-not-exist"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("does-not-exist"), result.stderr)
    }
}
