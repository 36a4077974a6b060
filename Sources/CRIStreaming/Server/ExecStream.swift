// The exec stream: starts the command once the client is connected, and moves bytes between
// the WebSocket and the command's pipes or terminal (NIO pipe channels, so a slow client slows
// the command down instead of filling memory). Its exit code ends the stream.
import Glibc
import NIOCore
import NIOPosix
import NIOWebSocket
import Synchronization

enum ExecStream {
    static func run(_ session: ExecSession, inbound: NIOAsyncChannelInboundStream<WebSocketFrame>, writer: ChannelWriter,
                    streamProtocol: StreamProtocol, group: any EventLoopGroup) async {
        do { try await CommandStream.sendReady(writer, session.options) } catch { return }
        let process: ExecProcess
        do {
            process = try await session.start()
        } catch {
            await CommandStream.finish(writer, streamProtocol, .failure("\(error)"))
            return
        }
        do {
            try await withProcessIO(process.stdio, group: group) { stdin, outputs in
                let stdinOpen = Mutex(stdin != nil)
                let endpoints = CommandEndpoints(
                    pumpOutput: { send in
                        await withTaskGroup(of: Void.self) { pumps in
                            for (channel, stream) in outputs {
                                pumps.addTask {
                                    // A terminal's master reads EIO once the last slave closes: an end, not an error.
                                    do { for try await chunk in stream { try await send(channel, chunk) } } catch {}
                                }
                            }
                        }
                    },
                    writeStdin: { bytes in
                        guard let stdin, stdinOpen.withLock({ $0 }) else { return }
                        // Failing means the command closed its stdin: later input has nowhere to go.
                        do { try await stdin.write(bytes) } catch { stdinOpen.withLock { $0 = false } }
                    },
                    closeStdin: {
                        // A terminal has no separate stdin to close; its master carries the output too.
                        guard case .pipes = process.stdio, let stdin else { return }
                        if stdinOpen.withLock({ open in defer { open = false }; return open }) { stdin.finish() }
                    },
                    resize: { size in process.resize(size) },
                    outcome: {
                        do { return .exited(try await process.wait()) } catch { return .failure("\(error)") }
                    },
                    abandon: {
                        process.kill()
                    })
                await CommandStream.run(inbound: inbound, writer: writer, streamProtocol: streamProtocol,
                                        options: session.options, endpoints: endpoints)
            }
        } catch {
            process.kill()
            _ = try? await process.wait()
            await CommandStream.finish(writer, streamProtocol, .failure("exec: \(error)"))
        }
    }

    typealias Output = (StreamChannel, NIOAsyncChannelInboundStream<ByteBuffer>)

    /// Wraps the command's descriptors in NIO channels for the duration of `body`, closing them
    /// after (and closing every descriptor not wrapped yet if one cannot be).
    static func withProcessIO(_ stdio: ExecProcess.Stdio, group: any EventLoopGroup,
                              _ body: (NIOAsyncChannelOutboundWriter<ByteBuffer>?, [Output]) async throws -> Void) async throws {
        switch stdio {
        case .terminal(let master):
            let channel = try await open(group: group) { try await $0.takingOwnershipOfDescriptor(inputOutput: master, channelInitializer: $1) }
            try await channel.executeThenClose { inbound, outbound in try await body(outbound, [(.stdout, inbound)]) }
        case .pipes(let stdin, let stdout, let stderr):
            var pending = [stdin, stdout, stderr].compactMap { $0 }
            func take(_ fd: Int32?) -> Int32? {
                if let fd { pending.removeAll { $0 == fd } }
                return fd
            }
            do {
                let stdinChannel = try await take(stdin).asyncMap { fd in
                    try await open(group: group, halfClosure: true) { try await $0.takingOwnershipOfDescriptor(output: fd, channelInitializer: $1) }
                }
                let stdoutChannel = try await take(stdout).asyncMap { fd in
                    try await open(group: group) { try await $0.takingOwnershipOfDescriptor(input: fd, channelInitializer: $1) }
                }
                let stderrChannel = try await take(stderr).asyncMap { fd in
                    try await open(group: group) { try await $0.takingOwnershipOfDescriptor(input: fd, channelInitializer: $1) }
                }
                try await withChannel(stdinChannel) { _, stdinWriter in
                    try await withChannel(stdoutChannel) { stdoutStream, _ in
                        try await withChannel(stderrChannel) { stderrStream, _ in
                            var outputs: [Output] = []
                            if let stdoutStream { outputs.append((.stdout, stdoutStream)) }
                            if let stderrStream { outputs.append((.stderr, stderrStream)) }
                            try await body(stdinWriter, outputs)
                        }
                    }
                }
            } catch {
                pending.forEach { close($0) }
                throw error
            }
        }
    }

    typealias PipeChannel = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    private static func open(
        group: any EventLoopGroup, halfClosure: Bool = false,
        _ make: (NIOPipeBootstrap, @escaping @Sendable (any Channel) -> EventLoopFuture<PipeChannel>) async throws -> PipeChannel
    ) async throws -> PipeChannel {
        try await make(NIOPipeBootstrap(group: group)) { channel in
            channel.eventLoop.makeCompletedFuture {
                try PipeChannel(wrappingChannelSynchronously: channel,
                                configuration: .init(isOutboundHalfClosureEnabled: halfClosure))
            }
        }
    }

    private static func withChannel(
        _ channel: PipeChannel?,
        _ body: (NIOAsyncChannelInboundStream<ByteBuffer>?, NIOAsyncChannelOutboundWriter<ByteBuffer>?) async throws -> Void
    ) async throws {
        guard let channel else { return try await body(nil, nil) }
        try await channel.executeThenClose { inbound, outbound in try await body(inbound, outbound) }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
