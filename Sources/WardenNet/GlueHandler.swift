import NIOCore

/// Joins two channels: what one reads the other writes, reading pauses while the other cannot keep
/// up, and closing either closes both.
final class GlueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    var partner: GlueHandler?
    var context: ChannelHandlerContext?
    var pendingRead = false

    /// Joins the client's channel (`context`'s) to `peer`: glue on both, the client's protocol
    /// handlers (by name) out — what they buffered passes on, through `watch` when given, to the
    /// glue — and reading started on both sides. If the glue cannot be added, both close.
    static func join(_ context: ChannelHandlerContext, to peer: Channel, removing names: [String], watch: CanaryWatch? = nil) {
        let mine = GlueHandler(), theirs = GlueHandler()
        mine.partner = theirs
        theirs.partner = mine
        let client = context.channel
        do {
            try peer.pipeline.syncOperations.addHandler(theirs)
            if let watch, !watch.scanner.isDone { try context.pipeline.syncOperations.addHandler(watch) }
            try context.pipeline.syncOperations.addHandler(mine)
        } catch {
            peer.close(promise: nil)
            client.close(promise: nil)
            return
        }
        for name in names { client.pipeline.removeHandler(name: name, promise: nil) }
        peer.read()
        client.read()
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil; partner = nil }

    func partnerWrite(_ data: NIOAny) { context?.write(data, promise: nil) }
    func partnerFlush() { context?.flush() }
    func partnerClose() { context?.close(promise: nil) }
    var partnerWritable: Bool { context?.channel.isWritable ?? false }
    func partnerBecameWritable() {
        if pendingRead { pendingRead = false; context?.read() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { partner?.partnerWrite(data) }
    /// Both sides may run without autoRead: the next read is asked for here, once the partner can
    /// take more (else when it becomes writable again).
    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
        if partner?.partnerWritable ?? false { context.read() } else { pendingRead = true }
    }
    func channelInactive(context: ChannelHandlerContext) { partner?.partnerClose() }

    /// One side finished sending (half-close): the other side's output is closed too, and the
    /// answer can still flow back.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed { partner?.partnerCloseOutput() }
        context.fireUserInboundEventTriggered(event)
    }
    func partnerCloseOutput() { context?.close(mode: .output, promise: nil) }
    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
    }

    func read(context: ChannelHandlerContext) {
        if partner?.partnerWritable ?? false { context.read() } else { pendingRead = true }
    }
}
