import NIOCore

/// Sends `CONNECT target` to the upstream proxy and waits for its 2xx status line and blank line.
final class UpstreamConnectHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let target: String
    let promise: EventLoopPromise<Void>
    var received = ByteBuffer()

    init(target: String, promise: EventLoopPromise<Void>) {
        self.target = target
        self.promise = promise
    }

    func handlerAdded(context: ChannelHandlerContext) {
        var b = context.channel.allocator.buffer(capacity: 128)
        b.writeString("CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n\r\n")
        context.writeAndFlush(NIOAny(b), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        received.writeBuffer(&chunk)
        let text = String(buffer: received)
        guard let end = text.range(of: "\r\n\r\n") else {
            if received.readableBytes > 16384 { promise.fail(ProxyError.upstreamRefused("an over-long header")); context.close(promise: nil) }
            else { context.read() }
            return
        }
        let status = text[..<(text.firstIndex(of: "\r") ?? end.lowerBound)]
        let parts = status.split(separator: " ")
        guard parts.count >= 2, parts[1].hasPrefix("2") else {
            promise.fail(ProxyError.upstreamRefused(String(status)))
            context.close(promise: nil)
            return
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        promise.succeed(())
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ProxyError.upstreamRefused("nothing (connection closed)"))
    }
}
