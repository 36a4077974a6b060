// Attach: clients of the attach socket see the output, framed by stream, and feed stdin.
import ContainerMonitor
import XCTest

final class AttachTests: XCTestCase {
    func testStdinReachesCatAndItsOutputComesBack() throws {
        let container = try MonitoredContainer(self, args: ["cat"], stdin: true, stdinOnce: true)
        try container.create()
        let attach = try AttachConnection(socketPath: container.attachSocket)
        try container.start()
        try attach.write("hello\n")
        let echoed = try readAttach(attach, until: { $0.map(\.text).joined() == "hello\n" })
        XCTAssertEqual(echoed.map(\.text).joined(), "hello\n")
        XCTAssertEqual(Set(echoed.map(\.stream)), [.stdout])

        // The only client ends its input: with --stdin-once cat sees end of file and exits.
        try attach.closeStdin()
        XCTAssertEqual(try container.waitForExit().exitCode, 0)
        XCTAssertNil(try attach.read(timeout: .seconds(5)), "the monitor hangs up once the container is gone")
        XCTAssertEqual(try container.logLines().map(\.text), ["hello"])
    }

    func testOutputIsFramedByStream() throws {
        let container = try MonitoredContainer(self, args: ["sh", "-c", "read x; echo out:$x; sleep 0.1; echo err:$x >&2"],
                                               stdin: true)
        try container.create()
        let attach = try AttachConnection(socketPath: container.attachSocket)
        let watcher = try AttachConnection(socketPath: container.attachSocket)
        try container.start()
        try attach.write("hi\n")
        for client in [attach, watcher] {
            let outputs = try readAttach(client, until: { $0.count >= 2 })
            XCTAssertEqual(outputs.map(\.stream), [.stdout, .stderr])
            XCTAssertEqual(outputs.map(\.text), ["out:hi\n", "err:hi\n"], "every client gets the output")
        }
        XCTAssertEqual(try container.waitForExit().exitCode, 0)
    }

    func testWithoutStdinTheContainerReadsEndOfFile() throws {
        let container = try MonitoredContainer(self, args: ["sh", "-c", "cat; echo cat-ended"])
        try container.create()
        let attach = try AttachConnection(socketPath: container.attachSocket)
        try attach.write("ignored\n") // the monitor drops it: there is no stdin to write to
        try container.start()
        XCTAssertEqual(try container.waitForExit().exitCode, 0)
        XCTAssertEqual(try container.logLines().map(\.text), ["cat-ended"])
    }
}
