// Exec over the real server and client, with real processes (sh, cat) on pipes or a terminal.
@testable import CRIStreaming
import Foundation
import Glibc
import TestSupport
import XCTest

final class ExecStreamTests: XCTestCase {
    private func exec(_ server: StreamingServer, _ command: [String], _ options: StreamOptions) throws -> String {
        try server.register(.exec(ExecSession(options: options) { try ExecProcess.spawn(command, options: options) }))
    }

    func testStdinGoesThroughCatAndComesBack() async throws {
        try await withStreamingServer { server in
            let url = try exec(server, ["/bin/cat"], StreamOptions(stdin: true, stdout: true, stderr: true))
            let local = try LocalSide(self, stdin: true)
            local.type("hello\nworld\n")
            local.endInput()   // v5 tells the server; cat sees end of file and exits
            let code = try await StreamingClient.run(url: url, local: local.streams)
            XCTAssertEqual(code, 0)
            XCTAssertEqual(local.output, "hello\nworld\n")
            XCTAssertEqual(local.errors, "")
        }
    }

    func testExitCodeIsReportedOnTheErrorChannel() async throws {
        try await withStreamingServer { server in
            let url = try exec(server, ["/bin/sh", "-c", "exit 3"], StreamOptions())
            let local = try LocalSide(self, stdin: false)
            let code = try await StreamingClient.run(url: url, local: local.streams)
            XCTAssertEqual(code, 3)

            // On the wire: the readiness message, then a metav1.Status the kubelet would send.
            let raw = try await RawStream.open(try exec(server, ["/bin/sh", "-c", "exit 3"], StreamOptions()), protocols: [.v4])
            XCTAssertEqual(raw.chosen, .v4)
            let messages = try await raw.exchange()
            XCTAssertEqual(messages.first, ChannelMessage(.stdout, []), "an empty message on stdout says the stream is up")
            let status = messages.filter { $0.channel == StreamChannel.error.rawValue }
            XCTAssertEqual(status.count, 1)
            let json = try JSONSerialization.jsonObject(with: Data(status[0].payload)) as? [String: Any]
            XCTAssertEqual(json?["status"] as? String, "Failure")
            XCTAssertEqual(json?["reason"] as? String, "NonZeroExitCode")
            let causes = (json?["details"] as? [String: Any])?["causes"] as? [[String: Any]]
            XCTAssertEqual(causes?.first?["reason"] as? String, "ExitCode")
            XCTAssertEqual(causes?.first?["message"] as? String, "3")
            XCTAssertNotNil(json?["metadata"] as? [String: Any])
        }
    }

    func testSuccessIsReportedAsSuccessStatus() async throws {
        try await withStreamingServer { server in
            let raw = try await RawStream.open(try exec(server, ["/bin/echo", "hi"], StreamOptions()), protocols: [.v4])
            let messages = try await raw.exchange()
            XCTAssertEqual(text(messages, on: .stdout), "hi\n")
            XCTAssertEqual(text(messages, on: .error), #"{"metadata":{},"status":"Success"}"#)
        }
    }

    func testStdoutAndStderrStaySeparate() async throws {
        try await withStreamingServer { server in
            let url = try exec(server, ["/bin/sh", "-c", "echo out; echo err >&2; echo more"], StreamOptions())
            let local = try LocalSide(self, stdin: false)
            let code = try await StreamingClient.run(url: url, local: local.streams)
            XCTAssertEqual(code, 0)
            XCTAssertEqual(local.output, "out\nmore\n")
            XCTAssertEqual(local.errors, "err\n")
        }
    }

    func testUnrequestedStderrIsNotSent() async throws {
        try await withStreamingServer { server in
            let url = try exec(server, ["/bin/sh", "-c", "echo out; echo err >&2"], StreamOptions(stdout: true, stderr: false))
            let local = try LocalSide(self, stdin: false)
            _ = try await StreamingClient.run(url: url, local: local.streams)
            XCTAssertEqual(local.output, "out\n")
            XCTAssertEqual(local.errors, "")
        }
    }

    func testTerminalModeRunsOnAPseudoTerminalAndResizes() async throws {
        try await withStreamingServer { server in
            let options = StreamOptions(stdin: true, stdout: true, stderr: false, tty: true)
            let url = try exec(server, ["/bin/sh", "-c", "tty; read x; stty size"], options)
            let local = try LocalSide(self, stdin: true)
            // The size goes first; the line that lets the command go on comes after it.
            let sizes = AsyncStream<TerminalSize> { continuation in
                continuation.yield(TerminalSize(width: 101, height: 31))
                continuation.finish()
            }
            let client = Task {
                try await StreamingClient.run(url: url, local: StreamingClient.LocalStreams(
                    stdin: local.stdinRead, stdout: local.stdout, stderr: local.stderr, terminalSizes: sizes))
            }
            let printed = await eventually { local.output.contains("/dev/pts/") }
            XCTAssertTrue(printed, "tty prints its terminal: \(local.output)")
            try await Task.sleep(for: .milliseconds(200))
            local.type("go\n")
            let code = try await client.value
            XCTAssertEqual(code, 0)
            let lines = local.output.split(separator: "\r\n").map(String.init)
            XCTAssertTrue(lines.first?.hasPrefix("/dev/pts/") ?? false, "\(lines)")
            XCTAssertEqual(lines.last, "31 101", "stty size shows the size sent on the resize channel: \(lines)")
            XCTAssertEqual(local.errors, "")
        }
    }

    func testV4ClientWithoutStdin() async throws {
        try await withStreamingServer { server in
            let url = try exec(server, ["/bin/sh", "-c", "echo v4; exit 7"], StreamOptions())
            let local = try LocalSide(self, stdin: false)
            let code = try await StreamingClient.run(url: url, local: local.streams, protocols: [.v4])
            XCTAssertEqual(code, 7)
            XCTAssertEqual(local.output, "v4\n")
        }
    }

    func testV1ReportsOnlyFailuresAsText() async throws {
        try await withStreamingServer { server in
            let raw = try await RawStream.open(try exec(server, ["/bin/sh", "-c", "exit 2"], StreamOptions()), protocols: [.v1])
            XCTAssertEqual(raw.chosen, .v1)
            let messages = try await raw.exchange()
            XCTAssertEqual(text(messages, on: .error), "command terminated with non-zero exit code: exit status 2")
        }
    }

    func testACommandThatCannotStartIsAFailureStatus() async throws {
        try await withStreamingServer { server in
            let url = try exec(server, ["/nonexistent/program"], StreamOptions())
            let local = try LocalSide(self, stdin: false)
            do {
                _ = try await StreamingClient.run(url: url, local: local.streams)
                XCTFail("a command that cannot start has no exit code")
            } catch let error as StreamingError {
                XCTAssertTrue(error.description.contains("/nonexistent/program"), "\(error)")
            }
        }
    }

    func testAClientThatLeavesKillsTheCommand() async throws {
        try await withStreamingServer { server in
            let directory = try makeScratchDirectory("exec-leave")
            let pidFile = directory + "/pid"
            let url = try exec(server, ["/bin/sh", "-c", "echo $$ > \(pidFile); echo started; exec sleep 60"], StreamOptions())
            let raw = try await RawStream.open(url, protocols: [.v4])
            try await raw.stream.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                while let frame = try await iterator.next() {
                    if String(buffer: frame.unmaskedData).contains("started") { break }
                }
            }   // closed without a word
            let pid = try XCTUnwrap(Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
            let gone = await eventually { kill(pid, 0) != 0 }
            XCTAssertTrue(gone, "the command (pid \(pid)) is killed and reaped when its client leaves")
        }
    }
}
