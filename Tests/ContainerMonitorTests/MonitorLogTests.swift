// What the container prints ends up in the CRI log: streams, full and partial lines.
import ContainerMonitor
import XCTest

final class MonitorLogTests: XCTestCase {
    func testStdoutAndStderrLinesAreTaggedByStream() throws {
        let container = try MonitoredContainer(self, args: ["sh", "-c", "echo one; echo two >&2; echo; echo three"])
        try container.create()
        try container.start()
        XCTAssertEqual(try container.waitForExit().exitCode, 0)
        let lines = try container.logLines()
        // Two pipes: the order between the streams is not kept, the order within each is.
        XCTAssertEqual(lines.filter { $0.stream == .stdout }.map(\.text), ["one", "", "three"])
        XCTAssertEqual(lines.filter { $0.stream == .stderr }.map(\.text), ["two"])
        XCTAssertEqual(lines.map(\.tag), [.full, .full, .full, .full])
        XCTAssertEqual(lines.map(\.timestamp), lines.map(\.timestamp).sorted(), "times in order")
        let finished = try XCTUnwrap(ExitRecord.read(container.exitFile)).finishedAt
        XCTAssertLessThanOrEqual(lines.last!.timestamp, finished)
    }

    func testAStreamEndingWithoutANewlineEndsWithAPartialLine() throws {
        let container = try MonitoredContainer(self, args: ["sh", "-c", "printf 'no newline'; printf 'err ' >&2; printf 'tail' >&2"])
        try container.create()
        try container.start()
        _ = try container.waitForExit()
        let lines = try container.logLines()
        XCTAssertEqual(lines.count, 2, "\(lines.map(\.formatted))")
        XCTAssertEqual(lines.first { $0.stream == .stdout }?.text, "no newline")
        XCTAssertEqual(lines.first { $0.stream == .stdout }?.tag, .partial)
        XCTAssertEqual(lines.first { $0.stream == .stderr }?.text, "err tail", "pieces of one line are joined")
        XCTAssertEqual(lines.first { $0.stream == .stderr }?.tag, .partial)
    }

    func testALongLineIsSplitIntoPartialsEndingInAFullLine() throws {
        // 40000 bytes: two partial records of 16384 and the rest as the full record.
        let container = try MonitoredContainer(self, args: ["sh", "-c", "head -c 40000 /dev/zero | tr '\\0' a; echo; echo next"])
        try container.create()
        try container.start()
        _ = try container.waitForExit()
        let lines = try container.logLines()
        XCTAssertEqual(lines.map(\.tag), [.partial, .partial, .full, .full])
        XCTAssertEqual(lines.map(\.content.count), [16384, 16384, 40000 - 2 * 16384, 4])
        XCTAssertTrue(lines[0...2].allSatisfy { $0.content.allSatisfy { $0 == UInt8(ascii: "a") } })
        XCTAssertEqual(lines[3].text, "next")
    }
}
