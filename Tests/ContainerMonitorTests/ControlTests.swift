// The control socket: reopening the log after rotation, resizing the terminal.
@testable import ContainerMonitor
import Foundation
import XCTest

final class ControlTests: XCTestCase {
    func testReopenLogAfterTheLogWasRenamed() throws {
        let container = try MonitoredContainer(self, args: ["sh", "-c", "read a; echo first; read b; echo second"], stdin: true)
        try container.create()
        let attach = try AttachConnection(socketPath: container.attachSocket)
        try container.start()
        try attach.write("\n")
        try container.waitForLog(containing: "first")

        let rotated = container.logPath + ".1"
        XCTAssertEqual(rename(container.logPath, rotated), 0)
        try container.control.reopenLog()
        XCTAssertTrue(FileManager.default.fileExists(atPath: container.logPath), "a new, empty log")
        try attach.write("\n")
        XCTAssertEqual(try container.waitForExit().exitCode, 0)
        XCTAssertEqual(try container.logLines(rotated).map(\.text), ["first"])
        XCTAssertEqual(try container.logLines().map(\.text), ["second"])
    }

    func testResizeWithoutATerminalIsAnError() throws {
        let container = try MonitoredContainer(self, args: ["sleep", "100"])
        try container.create()
        XCTAssertThrowsError(try container.control.resize(rows: 10, columns: 20)) {
            XCTAssertEqual("\($0)", "the container has no terminal")
        }
        XCTAssertThrowsError(try container.control.request("bogus")) {
            XCTAssertTrue("\($0)".contains("unknown request"), "\($0)")
        }
    }
}
