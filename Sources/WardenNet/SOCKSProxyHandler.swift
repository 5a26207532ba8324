import NIOCore
import NIOSOCKS
import WardenCore

/// SOCKS5 (no authentication, CONNECT only): host names are decided by the policy; so are literal
/// addresses, which pass only when an allow entry covers them. A canary token in the target, or in
/// the first 64 KiB sent through the tunnel, closes the connection.
final class SOCKSProxyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ClientMessage
    typealias OutboundOut = ServerMessage
    let shared: ProxyContext
    var started = false

    init(_ shared: ProxyContext) { self.shared = shared }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .greeting(let greeting):
            guard greeting.methods.contains(.noneRequired) else {
                shared.garbage(via: "socks5", "the client offers no method without authentication")
                context.writeAndFlush(wrapOutboundOut(.selectedAuthenticationMethod(.init(method: .noneAcceptable)))).whenComplete { _ in context.close(promise: nil) }
                return
            }
            context.writeAndFlush(wrapOutboundOut(.selectedAuthenticationMethod(.init(method: .noneRequired))), promise: nil)
        case .authenticationData:
            context.close(promise: nil)
        case .request(let request):
            started = true
            let host: String, port: Int
            switch request.addressType {
            case .domain(let name, let p): host = name.lowercased(); port = p
            case .address(let a):
                guard let ip = a.ipAddress, let p = a.port else { return reply(context, .addressUnsupported) }
                host = ip; port = p
            }
            let destination = "\(host):\(port)"
            if shared.exfiltration(shared.canaries.find(inName: host), destination: destination, channel: "socks", via: "socks5", connection: context.channel) { return }
            guard request.command == .connect else {
                shared.garbage(via: "socks5", "command \(request.command.value) (only CONNECT is served)")
                return reply(context, .commandUnsupported)
            }
            shared.connectIfAdmitted(host: host, port: port, via: "socks5", channel: context.channel) { _ in
                self.reply(context, .notAllowed)
            }.whenComplete { result in
                switch result {
                case .failure(let error):
                    self.shared.failed(host: host, port: port, via: "socks5", error)
                    self.reply(context, .hostUnreachable)
                case .success(nil):
                    break
                case .success(let peer?):
                    let bound = SOCKSAddress.address(try! NIOCore.SocketAddress(ipAddress: "0.0.0.0", port: 0))
                    context.writeAndFlush(self.wrapOutboundOut(.response(SOCKSResponse(reply: .succeeded, boundAddress: bound))), promise: nil)
                    GlueHandler.join(context, to: peer, removing: ["socks-proxy", "socks-handshake"],
                                     watch: CanaryWatch(self.shared, destination: destination, via: "socks5"))
                }
            }
        }
    }

    func reply(_ context: ChannelHandlerContext, _ r: SOCKSServerReply) {
        let bound = SOCKSAddress.address(try! NIOCore.SocketAddress(ipAddress: "0.0.0.0", port: 0))
        context.writeAndFlush(wrapOutboundOut(.response(SOCKSResponse(reply: r, boundAddress: bound)))).whenComplete { _ in context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !started { shared.garbage(via: "socks5", "\(error)") }
        context.close(promise: nil)
    }

    /// Out of the pipeline before the handshake handler: when that one is removed at close it hands
    /// on its buffered bytes, which must reach the pipeline's end, not this handler.
    func channelInactive(context: ChannelHandlerContext) {
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, !started {
            shared.garbage(via: "socks5", "no request in time")
            context.close(promise: nil)
        } else { context.fireUserInboundEventTriggered(event) }
    }
}
