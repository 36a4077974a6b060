// The client side of port-forward, for skiffctl: listens on a local port and, for each
// connection accepted there, opens a stream for one pod port (?port=N, as the kubelet reads it)
// and pipes bytes both ways until either side closes. A stream URL works once, so each
// connection asks for a new one (skiffctl calls PortForward again).
import NIOCore
import NIOPosix
import NIOWebSocket

public final class PortForwarder: Sendable {
    public let remotePort: UInt16
    /// Where it listens (the port it got when asked for 0).
    public let localHost: String
    public let localPort: Int

    private typealias Local = NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private let listener: NIOAsyncChannel<Local, Never>
    private let open: OpenChannels
    private let group: any EventLoopGroup
    private let report: @Sendable (String) -> Void
    private let newURL: @Sendable () async throws -> String
    private let dialer: StreamDialer?

    private init(remotePort: UInt16, localHost: String, localPort: Int, listener: NIOAsyncChannel<Local, Never>,
                 open: OpenChannels, group: any EventLoopGroup, newURL: @escaping @Sendable () async throws -> String,
                 dialer: StreamDialer?, report: @escaping @Sendable (String) -> Void) {
        self.newURL = newURL
        self.dialer = dialer
        self.remotePort = remotePort
        self.localHost = localHost
        self.localPort = localPort
        self.listener = listener
        self.open = open
        self.group = group
        self.report = report
    }

    /// Listens on `localHost`:`localPort` (0: a free port) for connections to forward to
    /// `remotePort` in a pod; `newURL` gives a PortForward URL for each connection. `report`
    /// hears what goes wrong with a connection (the server's error channel, a refused stream).
    public static func listen(remotePort: UInt16, localHost: String = "127.0.0.1", localPort: Int = 0,
                              group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                              newURL: @escaping @Sendable () async throws -> String, dialer: StreamDialer? = nil,
                              report: @escaping @Sendable (String) -> Void) async throws -> PortForwarder {
        let open = OpenChannels()
        let listener: NIOAsyncChannel<Local, Never>
        do {
            listener = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(host: localHost, port: localPort) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        open.add(channel)
                        return try Local(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw StreamingError("port-forward: cannot listen on \(localHost):\(localPort): \(error)")
        }
        guard let bound = listener.channel.localAddress?.port else {
            try? await listener.channel.close()
            throw StreamingError("port-forward: no local port after binding \(localHost):\(localPort)")
        }
        return PortForwarder(remotePort: remotePort, localHost: localHost, localPort: bound,
                             listener: listener, open: open, group: group, newURL: newURL, dialer: dialer, report: report)
    }

    /// Forwards connections until `shutdown()` or cancellation.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { tasks in
            try await listener.executeThenClose { inbound in
                for try await connection in inbound {
                    tasks.addTask { await self.forward(connection) }
                }
            }
        }
    }

    /// Stops listening and closes the connections being forwarded.
    public func shutdown() {
        listener.channel.close(promise: nil)
        open.closeAll()
    }

    private enum Event: Sendable {
        case localEnded
        case remoteEnded
    }

    private func forward(_ connection: Local) async {
        try? await connection.executeThenClose { localIn, localOut in
            let stream: WebSocketClient.Stream
            do {
                let url = try StreamURL(try await newURL())
                (stream, _) = try await WebSocketClient.connect(url.adding(query: "port", String(remotePort)),
                                                                protocols: [.v4, .portForward], dialer: dialer, group: group)
            } catch {
                report("port-forward to port \(remotePort): \(error)")
                return
            }
            open.add(stream.channel)
            try await stream.executeThenClose { wsIn, wsOut in
                let writer = ChannelWriter(outbound: wsOut, isClient: true)
                await withTaskGroup(of: Event.self) { group in
                    group.addTask {
                        do {
                            for try await chunk in localIn { try await writer.send(ForwardedPorts.dataChannel(index: 0), chunk) }
                        } catch {
                            return .remoteEnded   // the local side broke: nothing more to do
                        }
                        // Local EOF: the protocol cannot half-close, so wait for the pod's side to end.
                        return .localEnded
                    }
                    group.addTask { [report, remotePort] in
                        var seenPrefix: Set<UInt8> = []
                        await MessageReader.forEach(wsIn, writer: writer) { message in
                            // Each channel's first message is the port number, not data.
                            guard seenPrefix.contains(message.channel) else { seenPrefix.insert(message.channel); return }
                            switch message.channel {
                            case ForwardedPorts.dataChannel(index: 0):
                                try? await localOut.write(ByteBuffer(bytes: message.payload))
                            case ForwardedPorts.errorChannel(index: 0):
                                report("port-forward to port \(remotePort): \(String(decoding: message.payload, as: UTF8.self))")
                            default:
                                break
                            }
                        }
                        return .remoteEnded
                    }
                    while let event = await group.next() {
                        if case .remoteEnded = event { break }
                    }
                    group.cancelAll()
                }
            }
        }
    }
}
