// Reading CRI logs: partial lines joined per stream, --tail, --since, timestamps, a growing
// file read line by line, the previous attempt's path.
import ContainerMonitor
import Foundation
@testable import SkiffCtl
import TestSupport
import XCTest

final class LogTests: XCTestCase {
    func record(_ line: String) throws -> CRILogLine { try CRILogLine(parsing: line) }

    func testPartialRecordsJoinWithTheirFullRecordPerStream() throws {
        var joiner = LogLineJoiner()
        var out: [LogEntry] = []
        for line in [
            "2026-11-23T10:00:00.000000001Z stdout P hel",
            "2026-11-23T10:00:00.000000002Z stderr F oops",
            "2026-11-23T10:00:00.000000003Z stdout P lo, ",
            "2026-11-23T10:00:00.000000004Z stdout F world",
            "2026-11-23T10:00:00.000000005Z stdout F ",
            "2026-11-23T10:00:00.000000006Z stderr P no newline at the end",
        ] {
            if let entry = joiner.add(try record(line)) { out.append(entry) }
        }
        XCTAssertEqual(out.map(\.text), ["oops", "hello, world", ""])
        XCTAssertEqual(out.map(\.stream), [.stderr, .stdout, .stdout])
        XCTAssertEqual(out[1].timestamp, Timestamp(rfc3339: "2026-11-23T10:00:00.000000001Z"), "a joined line has its first part's time")
        let rest = joiner.flush()
        XCTAssertEqual(rest.map(\.text), ["no newline at the end"])
        XCTAssertEqual(rest.first?.complete, false)
        XCTAssertEqual(String(decoding: rest[0].formatted(timestamps: false), as: UTF8.self), "no newline at the end")
        XCTAssertEqual(String(decoding: out[1].formatted(timestamps: true), as: UTF8.self),
                       "2026-11-23T10:00:00.000000001Z hello, world\n")
    }

    func testTailAndSinceSelectLines() throws {
        let entries = (1...5).map {
            LogEntry(timestamp: Timestamp(nanosecondsSince1970: Int64($0) * 1_000_000_000), stream: .stdout, content: Array("line \($0)".utf8))
        }
        XCTAssertEqual(LogSelection.select(entries, since: nil, tail: 2).map(\.text), ["line 4", "line 5"])
        XCTAssertEqual(LogSelection.select(entries, since: nil, tail: 0).map(\.text), [])
        XCTAssertEqual(LogSelection.select(entries, since: nil, tail: 10).count, 5)
        XCTAssertEqual(LogSelection.select(entries, since: Timestamp(nanosecondsSince1970: 3_000_000_000), tail: nil).map(\.text),
                       ["line 3", "line 4", "line 5"])
        XCTAssertEqual(LogSelection.select(entries, since: Timestamp(nanosecondsSince1970: 2_500_000_000), tail: 1).map(\.text), ["line 5"])
    }

    func testSinceIsAnRFC3339TimeOrADurationBack() throws {
        let now = Timestamp(rfc3339: "2026-11-23T10:00:00Z")!
        XCTAssertEqual(try LogSelection.since("2026-11-23T09:00:00Z", now: now), Timestamp(rfc3339: "2026-11-23T09:00:00Z"))
        XCTAssertEqual(try LogSelection.since("2026-11-23T11:00:00+02:00", now: now), Timestamp(rfc3339: "2026-11-23T09:00:00Z"))
        XCTAssertEqual(try LogSelection.since("90s", now: now), Timestamp(rfc3339: "2026-11-23T09:58:30Z"))
        XCTAssertEqual(try LogSelection.since("1h", now: now), Timestamp(rfc3339: "2026-11-23T09:00:00Z"))
        XCTAssertThrowsError(try LogSelection.since("yesterday", now: now)) { XCTAssertTrue("\($0)".contains("yesterday"), "\($0)") }
    }

    func testAGrowingFileIsReadAsItIsWrittenHoldingBackAnUnfinishedLine() throws {
        let dir = try makeScratchDirectory("ctl-logs")
        let path = dir + "/0.log"
        FileManager.default.createFile(atPath: path, contents: nil)
        let reader = try LogFileReader(path: path)
        XCTAssertEqual(reader.readRecords(), [])
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.write(Data("2026-11-23T10:00:00.000000001Z stdout F one\n2026-11-23T10:00:00.0000".utf8))
        XCTAssertEqual(reader.readRecords().map(\.text), ["one"])
        handle.write(Data("00002Z stdout F two\n".utf8))
        XCTAssertEqual(reader.readRecords().map(\.text), ["two"])
        XCTAssertEqual(reader.readRecords(), [])
        try handle.close()

        // Rotated: a new file under the same name is read from its start.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try "2026-11-23T10:00:01.000000000Z stderr F three\n".write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertEqual(reader.readRecords().map(\.text), ["three"])
    }

    func testAMissingLogFileIsAnErrorNamingIt() {
        XCTAssertThrowsError(try LogFileReader(path: "/nonexistent/skiff/0.log")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/skiff/0.log"), "\(error)")
        }
    }

    func testThePreviousAttemptsLogIsTheFileBefore() throws {
        XCTAssertEqual(try ShowLogs.previousLogPath("/var/log/pods/ns_web_u/app/3.log"), "/var/log/pods/ns_web_u/app/2.log")
        XCTAssertThrowsError(try ShowLogs.previousLogPath("/var/log/pods/ns_web_u/app/0.log")) {
            XCTAssertTrue("\($0)".contains("no previous log"), "\($0)")
        }
        XCTAssertThrowsError(try ShowLogs.previousLogPath("/logs/app.log"))
    }
}
