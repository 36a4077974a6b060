// The attach stream: joins a running container's streams (its monitor holds them). Output goes
// out as it is printed; the container's exit ends the stream with Success, as the kubelet
// reports an attach that ended; a client that leaves just disconnects.
import NIOCore
import NIOWebSocket

enum AttachStream {
    static func run(_ session: AttachSession, inbound: NIOAsyncChannelInboundStream<WebSocketFrame>, writer: ChannelWriter,
                    streamProtocol: StreamProtocol) async {
        do { try await CommandStream.sendReady(writer, session.options) } catch { return }
        let container: any AttachedContainer
        do {
            container = try await session.connect()
        } catch {
            await CommandStream.finish(writer, streamProtocol, .failure("\(error)"))
            return
        }
        defer { container.close() }
        let endpoints = CommandEndpoints(
            pumpOutput: { send in
                while let (channel, bytes) = try? await container.read() {
                    do { try await send(channel, ByteBuffer(bytes: bytes)) } catch { return }
                }
            },
            writeStdin: { bytes in try? await container.write(Array(bytes.readableBytesView)) },
            closeStdin: { try? await container.closeStdin() },
            resize: { size in try? await container.resize(size) },
            outcome: { .success },
            abandon: { container.close() })
        await CommandStream.run(inbound: inbound, writer: writer, streamProtocol: streamProtocol,
                                options: session.options, endpoints: endpoints)
    }
}
