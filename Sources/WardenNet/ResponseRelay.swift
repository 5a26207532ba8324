import NIOCore

/// The origin's answer to a plain request, relayed byte for byte; the client is closed after it.
final class ResponseRelay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let client: Channel

    init(client: Channel) { self.client = client }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        client.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        client.flush()
        if client.isWritable { context.read() } else {
            client.pipeline.addHandler(WritabilityWaiter { context.read() }).whenFailure { _ in context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        client.writeAndFlush(context.channel.allocator.buffer(capacity: 0)).whenComplete { _ in self.client.close(promise: nil) }
    }

    /// The origin's connection allows half-closure: its end of the answer arrives as input closed,
    /// not as inactive. The answer is complete, so both sides close (else a client reading to the
    /// end would wait forever).
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}

/// Calls `then` once when the channel becomes writable again, and removes itself.
final class WritabilityWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let then: () -> Void
    init(_ then: @escaping () -> Void) { self.then = then }
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            then()
        }
        context.fireChannelWritabilityChanged()
    }
}
