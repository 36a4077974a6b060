// A monitor that cannot create the container says why and leaves nothing behind.
import ContainerMonitor
import Foundation
import XCTest

final class LaunchErrorTests: XCTestCase {
    func testABadRuntimePathIsReported() throws {
        let container = try MonitoredContainer(self, args: ["true"])
        container.launch.runtime = "/nonexistent/skiff-runtime"
        try assertFailsCleanly(container, saying: "cannot run the OCI runtime /nonexistent/skiff-runtime: No such file or directory")
    }

    func testABadBundleGivesTheRuntimesError() throws {
        let container = try MonitoredContainer(self, args: ["true"])
        try container.writeConfig()
        container.launch.bundle = container.directory
        try assertFailsCleanly(container, saying: "config.json") // skiff-runtime's words or runc's
    }

    func testABadFlagIsReported() throws {
        let container = try MonitoredContainer(self, args: ["true"])
        container.launch.logPath = "relative.log"
        try assertFailsCleanly(container, saying: "--log-path must be an absolute path")
    }

    func testAnExitFileThatCouldNotBeWrittenIsAnErrorUpFront() throws {
        let container = try MonitoredContainer(self, args: ["true"])
        container.launch.exitFile = container.directory + "/missing/exit"
        try assertFailsCleanly(container, saying: "exit file directory \(container.directory)/missing: No such file or directory")
    }

    /// The runtime created the container but sent no terminal (the config has none): the
    /// monitor deletes the container it cannot serve.
    func testAContainerCreatedWithoutTheExpectedTerminalIsDeleted() throws {
        let container = try MonitoredContainer(self, args: ["sleep", "100"])
        container.launch.terminal = true
        try assertFailsCleanly(container, saying: "the runtime sent no terminal")
    }

    func testAMissingMonitorIsReported() throws {
        let container = try MonitoredContainer(self, args: ["true"])
        container.launch.monitor = "/nonexistent/skiff-monitor"
        try assertFailsCleanly(container, saying: "run the monitor /nonexistent/skiff-monitor: No such file or directory")
    }

    private func assertFailsCleanly(_ container: MonitoredContainer, saying expected: String,
                                    file: StaticString = #filePath, line: UInt = #line) throws {
        try container.writeConfig()
        XCTAssertThrowsError(try container.launch.launch(), file: file, line: line) {
            XCTAssertTrue("\($0)".contains(expected), "\($0)", file: file, line: line)
        }
        XCTAssertFalse(processRunning(mentioning: container.id), "no monitor or container left", file: file, line: line)
        for path in [container.launch.attachSocket, container.launch.controlSocket, container.logPath, container.exitFile,
                     container.launch.attachSocket + ".console", container.launch.pidFile] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "\(path) removed", file: file, line: line)
        }
        let state = (try? FileManager.default.contentsOfDirectory(atPath: container.stateRoot)) ?? []
        XCTAssertEqual(state, [], "no container in the runtime's state", file: file, line: line)
    }
}
