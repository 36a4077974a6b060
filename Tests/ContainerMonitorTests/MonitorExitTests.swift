// The exit file: the container's exit code (128 + signal when killed), written by a monitor
// that outlives whoever launched it.
import ContainerMonitor
import Foundation
import TestSupport
import XCTest

final class MonitorExitTests: XCTestCase {
    func testExitCodesAreRecorded() throws {
        for code in [0, 3] {
            let container = try MonitoredContainer(self, args: ["sh", "-c", "exit \(code)"])
            try container.create()
            try container.start()
            let record = try container.waitForExit()
            XCTAssertEqual(record.exitCode, Int32(code))
            XCTAssertEqual(record.signal, 0)
            XCTAssertLessThanOrEqual(abs(record.finishedAt.nanosecondsSince1970 - Timestamp.now().nanosecondsSince1970),
                                     10_000_000_000, "finished just now: \(record.finishedAt)")
        }
    }

    func testAKilledContainerExits137() throws {
        let container = try MonitoredContainer(self, args: ["sleep", "100"])
        try container.create()
        try container.start()
        XCTAssertNil(try ExitRecord.read(container.exitFile), "no exit file while it runs")
        XCTAssertEqual(try container.runtime(["kill", container.id, "KILL"]).status, 0)
        let record = try container.waitForExit()
        XCTAssertEqual(record.exitCode, 137)
        XCTAssertEqual(record.signal, 9)
    }

    func testTheMonitorIsDetachedAndReportsItsPids() throws {
        let container = try MonitoredContainer(self, args: ["sleep", "100"])
        let created = try container.create()
        XCTAssertEqual(getsid(created.monitorPID), created.monitorPID, "a session of its own")
        XCTAssertNotEqual(parentPID(of: created.monitorPID), getpid(), "not our child")
        XCTAssertEqual(parentPID(of: created.containerPID), created.monitorPID, "it adopted the container")
        XCTAssertEqual(try String(contentsOfFile: container.launch.pidFile, encoding: .utf8), "\(created.containerPID)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: container.attachSocket))
        XCTAssertEqual(try container.runtime(["delete", "--force", container.id]).status, 0)
        XCTAssertEqual(try container.waitForExit().exitCode, 137, "a container deleted before start was killed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: container.attachSocket), "sockets removed at exit")
    }

    /// The daemon's restart: the process that launched the monitor is killed before the
    /// container even starts; the monitor still logs the container and records its exit.
    func testTheMonitorOutlivesItsLauncher() throws {
        let container = try MonitoredContainer(self, args: ["sh", "-c", "sleep 1; echo still logged; exit 7"])
        try container.writeConfig()
        let report = container.directory + "/report"
        // A stand-in daemon: runs the monitor with the sync pipe as a file, then waits around.
        let daemon = try Command.start("/bin/sh", ["-c", "\"$0\" \"$@\" 3>\(report); exec sleep 600",
                                                   monitorBinary] + container.launch.arguments)
        let deadline = Date().addingTimeInterval(20)
        while !logText(report).hasSuffix("\n") && Date() < deadline { usleep(20_000) }
        let fields = logText(report).split(separator: " ")
        guard fields.count == 3, fields[0] == "created", let monitorPID = Int32(fields[2].dropLast()) else {
            throw TestFailure("report: \(logText(report))")
        }
        Command.stop(daemon)
        defer { stopMonitor(monitorPID, containerID: container.id) }

        XCTAssertEqual(kill(monitorPID, 0), 0, "the monitor runs on")
        try container.start()
        let record = try container.waitForExit()
        XCTAssertEqual(record.exitCode, 7)
        XCTAssertEqual(try container.logLines().map(\.text), ["still logged"])
    }

    private func parentPID(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }
}
