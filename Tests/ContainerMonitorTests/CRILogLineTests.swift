// Parsing CRI log records and the times in them (no containers needed).
import ContainerMonitor
import XCTest

final class CRILogLineTests: XCTestCase {
    func testFullAndPartialRecords() throws {
        let full = try CRILogLine(parsing: "2016-10-06T00:17:09.669794202Z stdout F log content 1\n")
        XCTAssertEqual(full.stream, .stdout)
        XCTAssertEqual(full.tag, .full)
        XCTAssertEqual(full.text, "log content 1")
        XCTAssertEqual(full.timestamp.rfc3339Nano, "2016-10-06T00:17:09.669794202Z")

        let partial = try CRILogLine(parsing: "2016-10-06T00:17:10.113242941Z stderr P log  content 2 ")
        XCTAssertEqual(partial.stream, .stderr)
        XCTAssertTrue(partial.isPartial)
        XCTAssertEqual(partial.text, "log  content 2 ", "spaces in the content are kept")
    }

    func testEmptyContentAndExtraTags() throws {
        XCTAssertEqual(try CRILogLine(parsing: "2016-10-06T00:17:09.669794202Z stdout F ").content, [])
        XCTAssertEqual(try CRILogLine(parsing: "2016-10-06T00:17:09.669794202Z stdout F").content, [])
        XCTAssertEqual(try CRILogLine(parsing: "2016-10-06T00:17:09Z stdout P:x y").tag, .partial)
    }

    func testFormattedRoundTrips() throws {
        let line = "2026-11-23T22:22:10.000000001Z stderr F \u{1b}[31mred\u{1b}[0m"
        XCTAssertEqual(try CRILogLine(parsing: line).formatted, line)
    }

    func testBadRecordsNameWhatIsWrong() {
        XCTAssertThrowsError(try CRILogLine(parsing: "yesterday stdout F x")) {
            XCTAssertTrue("\($0)".contains("timestamp"), "\($0)")
        }
        XCTAssertThrowsError(try CRILogLine(parsing: "2016-10-06T00:17:09Z stdin F x")) {
            XCTAssertTrue("\($0)".contains("stdout or stderr"), "\($0)")
        }
        XCTAssertThrowsError(try CRILogLine(parsing: "2016-10-06T00:17:09Z stdout X x")) {
            XCTAssertTrue("\($0)".contains("F or P"), "\($0)")
        }
    }

    func testParseAllSkipsEmptyLines() throws {
        let lines = try CRILogLine.parseAll("2016-10-06T00:17:09Z stdout F a\n\n2016-10-06T00:17:10Z stdout F b\n")
        XCTAssertEqual(lines.map(\.text), ["a", "b"])
    }
}

final class TimestampTests: XCTestCase {
    func testKnownInstants() throws {
        XCTAssertEqual(Timestamp(rfc3339: "1970-01-01T00:00:00Z")?.nanosecondsSince1970, 0)
        XCTAssertEqual(Timestamp(rfc3339: "2000-03-01T00:00:00.5Z")?.nanosecondsSince1970, 951_868_800_500_000_000)
        XCTAssertEqual(Timestamp(rfc3339: "1969-12-31T23:59:59.999999999Z")?.nanosecondsSince1970, -1)
        XCTAssertEqual(Timestamp(rfc3339: "2016-10-06T02:17:09+02:00"), Timestamp(rfc3339: "2016-10-06T00:17:09Z"))
    }

    func testFormatsUTCWithNineDigits() {
        XCTAssertEqual(Timestamp(nanosecondsSince1970: 951_868_800_500_000_000).rfc3339Nano, "2000-03-01T00:00:00.500000000Z")
        XCTAssertEqual(Timestamp(nanosecondsSince1970: -1).rfc3339Nano, "1969-12-31T23:59:59.999999999Z")
        let now = Timestamp.now()
        XCTAssertEqual(Timestamp(rfc3339: now.rfc3339Nano), now)
    }

    func testRejectsWhatIsNotATime() {
        for text in ["", "2016-10-06", "2016-10-06T00:17:09", "2016-13-06T00:17:09Z", "2016-10-06T00:17:09.Z",
                     "2016-10-06T00:17:09.1234567890Z", "2016-10-06T00:17:09Zjunk",
                     "2999-01-01T00:00:00Z"] {   // past what Int64 nanoseconds hold
            XCTAssertNil(Timestamp(rfc3339: text), text)
        }
    }
}

final class ExitRecordTests: XCTestCase {
    func testParsesTheMonitorsLine() throws {
        let record = try ExitRecord(parsing: "137 9 2026-11-23T22:23:21.544048166Z\n")
        XCTAssertEqual(record.exitCode, 137)
        XCTAssertEqual(record.signal, 9)
        XCTAssertEqual(record.finishedAt.rfc3339Nano, "2026-11-23T22:23:21.544048166Z")
        XCTAssertThrowsError(try ExitRecord(parsing: "done"))
    }

    func testNoFileYetIsNil() throws {
        XCTAssertNil(try ExitRecord.read("/nonexistent/exit"))
    }
}
