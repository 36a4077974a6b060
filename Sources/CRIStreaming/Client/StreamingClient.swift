// The client side of exec and attach, for skiffctl: opens the URL the RPC returned, offers
// v5.channel.k8s.io then v4.channel.k8s.io, pumps local stdin to channel 0 and channels 1/2 to
// local stdout/stderr, sends terminal sizes on channel 4, and returns the remote exit code the
// error channel reports.
import Glibc
import NIOCore
import NIOPosix
import NIOWebSocket

public enum StreamingClient {
    /// The local side of a stream.
    public struct LocalStreams: Sendable {
        /// Read and sent as the command's stdin (nil: none); not closed.
        public var stdin: Int32?
        public var stdout: Int32
        public var stderr: Int32
        /// Terminal sizes to send: the first right away, then each change (nil: none).
        public var terminalSizes: AsyncStream<TerminalSize>?

        public init(stdin: Int32? = nil, stdout: Int32 = 1, stderr: Int32 = 2, terminalSizes: AsyncStream<TerminalSize>? = nil) {
            self.stdin = stdin
            self.stdout = stdout
            self.stderr = stderr
            self.terminalSizes = terminalSizes
        }
    }

    /// What exec and attach clients offer, best first: v5 can tell the server stdin ended.
    public static let protocols: [StreamProtocol] = [.v5, .v4]

    /// Runs an exec or attach stream to its end; returns the remote command's exit code (0 for
    /// an attach whose container exited). Throws what the server reported as a failure.
    public static func run(url: String, local: LocalStreams, protocols: [StreamProtocol] = protocols, dialer: StreamDialer? = nil,
                           group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> Int32 {
        let target = try StreamURL(url)
        let (stream, chosen) = try await WebSocketClient.connect(target, protocols: protocols, dialer: dialer, group: group)
        let streamProtocol = chosen ?? .v1
        let stdinReader = try local.stdin.map { try DescriptorReader($0) }
        defer { stdinReader?.stop() }
        return try await stream.executeThenClose { inbound, outbound in
            let writer = ChannelWriter(outbound: outbound, isClient: true)
            var errorChannel: [UInt8] = []
            var outputFailure: (any Error)?
            await withTaskGroup(of: Void.self) { group in
                if let stdinReader {
                    group.addTask {
                        for await chunk in stdinReader.chunks {
                            do { try await writer.send(.stdin, chunk) } catch { return }
                            stdinReader.chunkSent()
                        }
                        // stdin ended: v5 can say so (a `cat` then finishes); v4 cannot.
                        if streamProtocol.supportsClose { try? await writer.send(.close, [StreamChannel.stdin.rawValue]) }
                    }
                }
                if let sizes = local.terminalSizes {
                    group.addTask {
                        for await size in sizes {
                            do { try await writer.send(.resize, size.encoded()) } catch { return }
                        }
                    }
                }
                await MessageReader.forEach(inbound, writer: writer) { message in
                    switch message.channel {
                    case StreamChannel.stdout.rawValue, StreamChannel.stderr.rawValue:
                        guard !message.payload.isEmpty, outputFailure == nil else { return }
                        let fd = message.channel == StreamChannel.stdout.rawValue ? local.stdout : local.stderr
                        do { try message.payload.withUnsafeBytes { try writeAll(fd, $0) } } catch { outputFailure = error }
                    case StreamChannel.error.rawValue:
                        errorChannel += message.payload
                    default:
                        break
                    }
                }
                stdinReader?.stop()
                group.cancelAll()
            }
            if let outputFailure { throw outputFailure }
            return try exitCode(errorChannel, streamProtocol)
        }
    }

    /// The exit code the error channel reported, or the failure it reported as an error.
    static func exitCode(_ errorChannel: [UInt8], _ streamProtocol: StreamProtocol) throws -> Int32 {
        guard streamProtocol.sendsStatus else {
            // v1: only failures are reported, as text.
            if errorChannel.isEmpty { return 0 }
            throw StreamingError(String(decoding: errorChannel, as: UTF8.self))
        }
        guard !errorChannel.isEmpty else {
            throw StreamingError("the stream ended without reporting how the command ended (the connection was lost)")
        }
        let status = try StreamStatus.decode(errorChannel)
        if let code = status.exitCode { return code }
        throw StreamingError(status.message ?? "the command failed (\(status.reason ?? "no reason given"))")
    }

    /// Runs a stream on this process's own stdio: with `tty`, the local terminal goes raw for
    /// the duration and its size (and each change) is sent. The common case for skiffctl.
    public static func runOnStandardStreams(url: String, stdin: Bool, tty: Bool) async throws -> Int32 {
        let terminal = tty && stdin ? LocalTerminal(rawModeOn: 0) : nil
        defer { terminal?.restore() }
        var sizes: AsyncStream<TerminalSize>?
        if tty, let initial = LocalTerminal.size(of: 1) ?? LocalTerminal.size(of: 0) {
            let changes = LocalTerminal.sizeChanges(of: isatty(1) == 1 ? 1 : 0)
            sizes = AsyncStream { continuation in
                continuation.yield(initial)
                let forward = Task {
                    for await size in changes { continuation.yield(size) }
                    continuation.finish()
                }
                continuation.onTermination = { _ in forward.cancel() }
            }
        }
        return try await run(url: url, local: LocalStreams(stdin: stdin ? 0 : nil, stdout: 1, stderr: 2, terminalSizes: sizes))
    }
}
