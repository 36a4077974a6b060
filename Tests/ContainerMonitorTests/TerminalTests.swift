// --terminal: the container's stdio is a pty the monitor holds; resizes reach it.
import ContainerMonitor
import XCTest

final class TerminalTests: XCTestCase {
    func testTheContainerHasATerminalThatCanBeResized() throws {
        let container = try MonitoredContainer(self, args: ["sh", "-c", "tty; read x; stty size; echo bye >&2"],
                                               terminal: true, stdin: true)
        try container.create()
        let attach = try AttachConnection(socketPath: container.attachSocket)
        try container.start()
        let tty = try readAttach(attach, until: { $0.map(\.text).joined().contains("\n") })
        XCTAssertTrue(tty.map(\.text).joined().hasPrefix("/dev/pts/"), tty.map(\.text).joined())

        try container.control.resize(rows: 40, columns: 100)
        try attach.write("go\n")
        let rest = try readAttach(attach, until: { $0.map(\.text).joined().contains("bye") })
        XCTAssertTrue(rest.map(\.text).joined().contains("40 100"), rest.map(\.text).joined())
        XCTAssertEqual(Set((tty + rest).map(\.stream)), [.stdout], "a terminal has one stream")

        XCTAssertEqual(try container.waitForExit().exitCode, 0)
        let lines = try container.logLines()
        XCTAssertTrue(lines.allSatisfy { $0.stream == .stdout })
        XCTAssertTrue(lines.contains { $0.text.hasPrefix("/dev/pts/") }, "\(lines.map(\.text))")
        XCTAssertTrue(lines.contains { $0.text.contains("40 100") }, "\(lines.map(\.text))")
        XCTAssertTrue(lines.contains { $0.text.contains("bye") }, "stderr is the terminal too")
    }
}
