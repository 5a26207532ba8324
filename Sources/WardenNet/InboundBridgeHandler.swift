import NIOCore
import NIOPosix
import WardenCore

/// A host port of `inbound_ports`: each connection is joined to the game's port through the
/// inbound bridge's unix socket.
final class InboundBridgeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let target: String
    let port: Int
    let trail: (any EventRecorder)?

    init(target: String, port: Int, trail: (any EventRecorder)?) {
        self.target = target
        self.port = port
        self.trail = trail
    }

    func channelActive(context: ChannelHandlerContext) {
        let peer = context.channel.remoteAddress?.description ?? "?"
        trail?.record("inbound_connect", [("port", .int(Int64(port))), ("from", .string(peer))])
        ClientBootstrap(group: context.eventLoop).channelOption(.autoRead, value: false)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(unixDomainSocketPath: target).whenComplete { result in
                switch result {
                case .failure: context.close(promise: nil)
                case .success(let inner):
                    GlueHandler.join(context, to: inner, removing: ["inbound"])
                }
            }
    }
}
