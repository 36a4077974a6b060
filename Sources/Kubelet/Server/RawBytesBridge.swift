// Turns a connection of the kubelet's HTTP server into a plain byte pipe once a stream has been
// upgraded: the HTTP codec handlers come out of the pipeline and a bridge takes their place, so
// the connection's NIOAsyncChannel (typed for HTTP parts) carries raw bytes as `.body` parts
// both ways. The WebSocket client sends nothing before it has the 101 answer, so no bytes are
// in flight while the handlers change.
import NIOCore
import NIOHTTP1

enum RawBytesBridge {
    /// Takes HTTP off `channel`'s pipeline; from then on each `.body` part read or written is
    /// the connection's bytes as they are.
    static func install(on channel: any Channel) async throws {
        try await channel.eventLoop.submit {
            let sync = channel.pipeline.syncOperations
            let errors = try sync.context(handlerType: HTTPServerProtocolErrorHandler.self)
            try sync.addHandler(Bridge(), position: .after(errors.handler))
            let http = [
                errors,
                try sync.context(handlerType: NIOHTTPResponseHeadersValidator.self),
                try sync.context(handlerType: HTTPServerPipelineHandler.self),
                try sync.context(handlerType: HTTPResponseEncoder.self),
                try sync.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self),
            ]
            for context in http { sync.removeHandler(context: context, promise: nil) }
        }.get()
    }

    /// Bytes in become `.body` parts; `.body` parts out become bytes (heads and ends are
    /// nothing on a raw stream).
    private final class Bridge: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = HTTPServerRequestPart
        typealias OutboundIn = HTTPServerResponsePart
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.fireChannelRead(wrapInboundOut(.body(unwrapInboundIn(data))))
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            switch unwrapOutboundIn(data) {
            case .body(.byteBuffer(let bytes)): context.write(wrapOutboundOut(bytes), promise: promise)
            case .body(.fileRegion(let region)): context.write(NIOAny(region), promise: promise)
            case .head, .end: promise?.succeed(())
            }
        }
    }
}
