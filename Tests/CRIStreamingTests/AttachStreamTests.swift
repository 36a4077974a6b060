// Attach over the real server and client, with a stand-in for a container monitor: a real
// process whose pipes play the monitor's attach socket.
@testable import CRIStreaming
import Foundation
import Glibc
import TestSupport
import XCTest

/// A running command joined through its pipes, as a monitor's attach socket joins a container.
final class PipeAttachment: AttachedContainer, @unchecked Sendable {
    let child: ChildProcess
    private let stdinFD: Int32
    private let output: AsyncStream<(channel: StreamChannel, bytes: [UInt8])>
    private let readers: [DescriptorReader]
    private let lock = NSLock()
    private var sizes: [TerminalSize] = []
    private var stdinClosed = false

    init(_ arguments: [String]) throws {
        var stdin: [Int32] = [0, 0], stdout: [Int32] = [0, 0], stderr: [Int32] = [0, 0]
        guard pipe(&stdin) == 0, pipe(&stdout) == 0, pipe(&stderr) == 0 else { throw TestFailure("pipe") }
        child = try ChildProcess(arguments, stdin: .descriptor(stdin[0]), stdout: .descriptor(stdout[1]), stderr: .descriptor(stderr[1]))
        [stdin[0], stdout[1], stderr[1]].forEach { Glibc.close($0) }
        stdinFD = stdin[1]
        let outFD = stdout[0], errFD = stderr[0]
        let out = try DescriptorReader(outFD), err = try DescriptorReader(errFD)
        readers = [out, err]
        output = AsyncStream { continuation in
            let pump = Task {
                await withTaskGroup(of: Void.self) { group in
                    for (reader, channel) in [(out, StreamChannel.stdout), (err, .stderr)] {
                        group.addTask {
                            for await chunk in reader.chunks { continuation.yield((channel, chunk)); reader.chunkSent() }
                        }
                    }
                }
                Glibc.close(outFD)
                Glibc.close(errFD)
                continuation.finish()
            }
            continuation.onTermination = { _ in pump.cancel() }
        }
    }

    var resizes: [TerminalSize] { lock.withLock { sizes } }
    func wait() async -> Int32 { await child.wait() }

    func read() async throws -> (channel: StreamChannel, bytes: [UInt8])? {
        var iterator = output.makeAsyncIterator()
        return await iterator.next()
    }

    func write(_ bytes: [UInt8]) async throws {
        _ = bytes.withUnsafeBytes { Glibc.write(stdinFD, $0.baseAddress, $0.count) }
    }

    func closeStdin() async throws {
        lock.withLock {
            if !stdinClosed { Glibc.close(stdinFD) }
            stdinClosed = true
        }
    }

    func resize(_ size: TerminalSize) async throws { lock.withLock { sizes.append(size) } }

    func close() { readers.forEach { $0.stop() } }
}

final class AttachStreamTests: XCTestCase {
    func testAttachCarriesStdinAndOutputAndEndsWithTheContainer() async throws {
        try await withStreamingServer { server in
            let container = try PipeAttachment(["/bin/sh", "-c", "cat; echo bye >&2"])
            let options = StreamOptions(stdin: true, stdout: true, stderr: true)
            let url = try server.register(.attach(AttachSession(options: options) { container }))
            let local = try LocalSide(self, stdin: true)
            local.type("attached\n")
            local.endInput()
            let code = try await StreamingClient.run(url: url, local: local.streams)
            XCTAssertEqual(code, 0, "an attach that saw its container end reports Success")
            XCTAssertEqual(local.output, "attached\n")
            XCTAssertEqual(local.errors, "bye\n")
            let exit = await container.wait()
            XCTAssertEqual(exit, 0)
        }
    }

    func testResizesReachTheContainerWithATerminal() async throws {
        try await withStreamingServer { server in
            let container = try PipeAttachment(["/bin/cat"])
            let options = StreamOptions(stdin: true, stdout: true, stderr: false, tty: true)
            let url = try server.register(.attach(AttachSession(options: options) { container }))
            let local = try LocalSide(self, stdin: true)
            let sizes = AsyncStream<TerminalSize> { continuation in
                continuation.yield(TerminalSize(width: 120, height: 40))
                continuation.finish()
            }
            let client = Task {
                try await StreamingClient.run(url: url, local: StreamingClient.LocalStreams(
                    stdin: local.stdinRead, stdout: local.stdout, stderr: local.stderr, terminalSizes: sizes))
            }
            let resized = await eventually { container.resizes == [TerminalSize(width: 120, height: 40)] }
            XCTAssertTrue(resized, "\(container.resizes)")
            local.type("x\n")
            local.endInput()
            let code = try await client.value
            XCTAssertEqual(code, 0)
            XCTAssertEqual(local.output, "x\n")
        }
    }

    func testALeavingClientLeavesTheContainerRunning() async throws {
        try await withStreamingServer { server in
            let container = try PipeAttachment(["/bin/cat"])
            let options = StreamOptions(stdin: true, stdout: true, stderr: true)
            let url = try server.register(.attach(AttachSession(options: options) { container }))
            let raw = try await RawStream.open(url, protocols: [.v4])
            try await raw.stream.executeThenClose { inbound, outbound in
                let writer = ChannelWriter(outbound: outbound, isClient: true)
                try await writer.send(.stdin, Array("one\n".utf8))
                var iterator = inbound.makeAsyncIterator()
                while let frame = try await iterator.next() {
                    if String(buffer: frame.unmaskedData).contains("one") { break }
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            XCTAssertEqual(kill(container.child.pid, 0), 0, "attach never kills the container")
            try await container.closeStdin()
            let exit = await container.wait()
            XCTAssertEqual(exit, 0)
        }
    }
}

