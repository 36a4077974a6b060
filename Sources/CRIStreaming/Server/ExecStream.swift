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
            // Each descriptor is either still ours to close or owned by its channel.
            var loose = [stdin, stdout, stderr].compactMap { $0 }
            var opened: [PipeChannel] = []
            func wrap(_ fd: Int32?, halfClosure: Bool = false,
                      _ make: @escaping (NIOPipeBootstrap, Int32, @escaping @Sendable (any Channel) -> EventLoopFuture<PipeChannel>) async throws -> PipeChannel
            ) async throws -> PipeChannel? {
                guard let fd else { return nil }
                let channel = try await open(group: group, halfClosure: halfClosure) { try await make($0, fd, $1) }
                loose.removeAll { $0 == fd }
                opened.append(channel)
                return channel
            }
            let channels: (PipeChannel?, PipeChannel?, PipeChannel?)
            do {
                channels = (try await wrap(stdin, halfClosure: true) { try await $0.takingOwnershipOfDescriptor(output: $1, channelInitializer: $2) },
                            try await wrap(stdout) { try await $0.takingOwnershipOfDescriptor(input: $1, channelInitializer: $2) },
                            try await wrap(stderr) { try await $0.takingOwnershipOfDescriptor(input: $1, channelInitializer: $2) })
            } catch {
                loose.forEach { close($0) }
                for channel in opened { try? await channel.channel.close() }
                throw error
            }
            try await withChannel(channels.0) { _, stdinWriter in
                try await withChannel(channels.1) { stdoutStream, _ in
                    try await withChannel(channels.2) { stderrStream, _ in
                        var outputs: [Output] = []
                        if let stdoutStream { outputs.append((.stdout, stdoutStream)) }
                        if let stderrStream { outputs.append((.stderr, stderrStream)) }
                        try await body(stdinWriter, outputs)
                    }
                }
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
