// A streaming server per test, local "terminals" made of pipes and files, and a raw WebSocket
// client to look at the frames themselves.
@testable import CRIStreaming
import Foundation
import Glibc
import NIOCore
import NIOWebSocket
import TestSupport
import XCTest

extension XCTestCase {
    /// Runs `body` against a fresh server, shut down after however `body` ends.
    func withStreamingServer(tokenLifetime: Duration = .seconds(60), _ body: (StreamingServer) async throws -> Void) async throws {
        let server = try await StreamingServer.bind(host: "127.0.0.1", port: 0, tokenLifetime: tokenLifetime)
        let serving = Task { try await server.run() }
        do {
            try await body(server)
        } catch {
            server.shutdown()
            try? await serving.value
            throw error
        }
        server.shutdown()
        try await serving.value
    }
}

/// The local side of a client stream: stdin a pipe the test writes, stdout and stderr files.
final class LocalSide: @unchecked Sendable {
    let directory: String
    let stdinRead: Int32?
    private var stdinWrite: Int32?
    let stdout: Int32
    let stderr: Int32

    init(_ test: XCTestCase, stdin: Bool) throws {
        directory = try test.makeScratchDirectory("stream")
        if stdin {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw TestFailure("pipe failed") }
            stdinRead = fds[0]
            stdinWrite = fds[1]
        } else {
            stdinRead = nil
        }
        stdout = open(directory + "/stdout", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        stderr = open(directory + "/stderr", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    }

    deinit {
        [stdinRead, stdinWrite, stdout, stderr].compactMap { $0 }.forEach { close($0) }
    }

    func type(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(stdinWrite!, $0.baseAddress, $0.count) }
    }

    func endInput() {
        if let fd = stdinWrite { close(fd) }
        stdinWrite = nil
    }

    var streams: StreamingClient.LocalStreams {
        StreamingClient.LocalStreams(stdin: stdinRead, stdout: stdout, stderr: stderr)
    }

    var output: String { (try? String(contentsOfFile: directory + "/stdout", encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? "" }
}

/// A WebSocket client that shows the frames as they come: for asserting the protocol itself.
struct RawStream {
    let stream: WebSocketClient.Stream
    let chosen: StreamProtocol?

    static func open(_ url: String, protocols: [StreamProtocol]) async throws -> RawStream {
        let (stream, chosen) = try await WebSocketClient.connect(try StreamURL(url), protocols: protocols)
        return RawStream(stream: stream, chosen: chosen)
    }

    /// Sends `messages`, then collects every message until the server closes.
    func exchange(sending messages: [ChannelMessage] = []) async throws -> [ChannelMessage] {
        try await stream.executeThenClose { inbound, outbound in
            let writer = ChannelWriter(outbound: outbound, isClient: true)
            for m in messages { try await writer.send(m.channel, m.payload) }
            var received: [ChannelMessage] = []
            await MessageReader.forEach(inbound, writer: writer) { received.append($0) }
            return received
        }
    }
}

/// Text of all messages on `channel`.
func text(_ messages: [ChannelMessage], on channel: StreamChannel) -> String {
    String(decoding: messages.filter { $0.channel == channel.rawValue }.flatMap(\.payload), as: UTF8.self)
}

/// Waits until `condition` holds, up to `timeout`.
func eventually(_ timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
