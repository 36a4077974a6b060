// The port-forward stream, as the kubelet serves it over WebSocket: one connection into the
// pod per requested port, made when the client connects. Port i's bytes travel on channel 2i,
// its errors (as text) on channel 2i+1; the first message on each is the port number. The
// stream closes once every port's connection has ended; a client that leaves ends them all.
import Glibc
import NIOCore
import NIOPosix
import NIOWebSocket

enum PortForwardStream {
    typealias PodConnection = NIOAsyncChannel<ByteBuffer, ByteBuffer>
    typealias Link = (inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>)

    static func run(_ session: PortForwardSession, ports: [UInt16], inbound: NIOAsyncChannelInboundStream<WebSocketFrame>,
                    writer: ChannelWriter, group: any EventLoopGroup) async {
        for (index, port) in ports.enumerated() {
            try? await writer.send(ForwardedPorts.dataChannel(index: index), ForwardedPorts.prefix(port))
            try? await writer.send(ForwardedPorts.errorChannel(index: index), ForwardedPorts.prefix(port))
        }
        var connections: [PodConnection?] = []
        for (index, port) in ports.enumerated() {
            do {
                let fd = try await session.connect(port)
                do {
                    connections.append(try await ClientBootstrap(group: group).withConnectedSocket(fd) { channel in
                        channel.eventLoop.makeCompletedFuture { try PodConnection(wrappingChannelSynchronously: channel) }
                    })
                } catch {
                    close(fd)
                    throw error
                }
            } catch {
                connections.append(nil)
                try? await writer.send(ForwardedPorts.errorChannel(index: index),
                                       Array("error forwarding port \(port): \(error)".utf8))
            }
        }
        try? await withLinks(connections, []) { links in
            await serve(links, inbound: inbound, writer: writer)
        }
    }

    private enum Event: Sendable {
        case clientLeft
        case portsDone
    }

    private static func serve(_ links: [Link?], inbound: NIOAsyncChannelInboundStream<WebSocketFrame>, writer: ChannelWriter) async {
        await withTaskGroup(of: Event.self) { group in
            group.addTask {
                await MessageReader.forEach(inbound, writer: writer) { message in
                    // Even channels carry data to the pod; the client has nothing to say on odd ones.
                    let index = Int(message.channel) / 2
                    guard message.channel % 2 == 0, index < links.count, let link = links[index] else { return }
                    try? await link.outbound.write(ByteBuffer(bytes: message.payload))
                }
                return .clientLeft
            }
            group.addTask {
                await withTaskGroup(of: Void.self) { pumps in
                    for (index, link) in links.enumerated() {
                        guard let link else { continue }
                        pumps.addTask {
                            do {
                                for try await chunk in link.inbound {
                                    try await writer.send(ForwardedPorts.dataChannel(index: index), chunk)
                                }
                            } catch {}
                        }
                    }
                }
                return .portsDone
            }
            if case .portsDone = await group.next()! {
                try? await writer.close()
                writer.outbound.finish()
                group.addTask {
                    try? await Task.sleep(for: CommandStream.closeGrace)
                    return .clientLeft
                }
                _ = await group.next()
            }
            group.cancelAll()
        }
    }

    /// Runs `body` with every connection open, closing them all after.
    private static func withLinks(_ connections: [PodConnection?], _ links: [Link?], _ body: ([Link?]) async -> Void) async throws {
        guard links.count < connections.count else { return await body(links) }
        guard let connection = connections[links.count] else { return try await withLinks(connections, links + [nil], body) }
        try await connection.executeThenClose { inbound, outbound in
            try await withLinks(connections, links + [(inbound, outbound)], body)
        }
    }
}
