import NIOCore
import NIOHTTP1
import WardenCore

/// HTTP proxy: `CONNECT host:port` becomes a tunnel; `GET http://host/…` (any method, absolute URL)
/// is sent to the origin in origin form with `Connection: close` and its answer relayed as bytes.
/// Anything else gets an error status. One request per connection for plain HTTP. The request
/// line, the headers and the first 64 KiB of a body are looked at for canary tokens first.
final class HTTPProxyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let shared: ProxyContext
    enum State { case waitingForHead, connecting, forwarding(Channel), done }
    var state = State.waitingForHead
    var pending: [HTTPServerRequestPart] = []
    /// Where the request goes (host:port) and how (`channel` of an exfiltration), once the head is read.
    var destination = "", channel = "http"
    var body: CanaryScanner
    var via: String { channel == "connect" ? "http-connect" : "http" }

    init(_ shared: ProxyContext) {
        self.shared = shared
        body = shared.canaries.scanner()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (state, part) {
        case (.waitingForHead, .head(let head)):
            state = .connecting
            if head.method == .CONNECT { connectTunnel(context: context, head: head) } else { forwardPlain(context: context, head: head) }
        case (.connecting, _):
            if exfiltrated(part, context: context) { return }
            pending.append(part)
        case (.forwarding(let peer), .body(let b)):
            if exfiltrated(part, context: context) { return }
            peer.writeAndFlush(HTTPClientRequestPart.body(.byteBuffer(b)), promise: nil)
        case (.forwarding(let peer), .end(let trailers)):
            if exfiltrated(part, context: context) { return }
            peer.writeAndFlush(HTTPClientRequestPart.end(trailers), promise: nil)
            state = .done
        default:
            break   // a second request on the same connection: answered when the first one ends (closed)
        }
    }

    /// A canary token in the host (also split across its labels), the request line or a header:
    /// the connection is closed unanswered.
    func exfiltrated(_ head: HTTPRequestHead, host: String, context: ChannelHandlerContext) -> Bool {
        guard !shared.canaries.isEmpty else { return false }
        let text = "\(head.method) \(head.uri)\n" + head.headers.map { "\($0.name): \($0.value)\n" }.joined()
        let hit = shared.canaries.find(inName: host) ?? shared.canaries.find(in: text)
        return shared.exfiltration(hit, destination: destination, channel: channel, via: via, connection: context.channel)
    }

    /// A canary token in the body (its first 64 KiB, across parts) or in trailers: client and origin are closed.
    func exfiltrated(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) -> Bool {
        let hit: CanaryMatcher.Hit?
        switch part {
        case .body(let b): hit = b.withUnsafeReadableBytes { body.feed($0) }
        case .end(let trailers?): hit = shared.canaries.find(in: trailers.map { "\($0.name): \($0.value)\n" }.joined())
        default: hit = nil
        }
        guard shared.exfiltration(hit, destination: destination, channel: channel, via: via, connection: context.channel) else { return false }
        if case .forwarding(let peer) = state { peer.close(promise: nil) }
        state = .done
        return true
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if case .waitingForHead = state {
            shared.garbage(via: "http", "\(error)")
            respond(context: context, .badRequest, "ww: this is not an HTTP proxy request\n")
        } else {
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, case .waitingForHead = state {
            shared.garbage(via: "http", "no request in time")
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func respond(context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ text: String) {
        state = .done
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(text.utf8.count))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    func connectTunnel(context: ChannelHandlerContext, head: HTTPRequestHead) {
        guard let target = NetworkEndpoint.parse(head.uri, defaultPort: nil), let port = target.port else {
            shared.garbage(via: "http-connect", "CONNECT to \(head.uri), not host:port")
            return respond(context: context, .badRequest, "ww: CONNECT needs host:port\n")
        }
        destination = "\(target.host):\(port)"
        channel = "connect"
        if exfiltrated(head, host: target.host, context: context) { state = .done; return }
        shared.connectIfAdmitted(host: target.host, port: port, via: "http-connect", channel: context.channel) { rule in
            self.respond(context: context, .forbidden, "ww: \(target.host) is refused by this game's network policy (\(rule))\n")
        }.whenComplete { result in
            switch result {
            case .failure(let error):
                self.shared.failed(host: target.host, port: port, via: "http-connect", error)
                self.respond(context: context, .badGateway, "ww: cannot reach \(target.host):\(port): \(error)\n")
            case .success(nil):
                break
            case .success(let peer?):
                let ok = HTTPResponseHead(version: .http1_1, status: .custom(code: 200, reasonPhrase: "Connection Established"))
                context.writeAndFlush(self.wrapOutboundOut(.head(ok)), promise: nil)
                // The tunnel: HTTP handlers out, bytes both ways (anything the client sent early comes along).
                GlueHandler.join(context, to: peer, removing: ["http-proxy", "http-encoder", "http-decoder"],
                                 watch: CanaryWatch(self.shared, destination: self.destination, via: "http-connect"))
            }
        }
    }

    func forwardPlain(context: ChannelHandlerContext, head: HTTPRequestHead) {
        guard let url = AbsoluteURL(head.uri) else {
            shared.garbage(via: "http", "\(head.method) \(head.uri.prefix(200)): not an absolute http:// URL")
            return respond(context: context, .badRequest, "ww: this proxy takes absolute http:// URLs (or CONNECT)\n")
        }
        destination = "\(url.host):\(url.port)"
        if exfiltrated(head, host: url.host, context: context) { state = .done; return }
        shared.connectIfAdmitted(host: url.host, port: url.port, via: "http", channel: context.channel) { rule in
            self.respond(context: context, .forbidden, "ww: \(url.host) is refused by this game's network policy (\(rule))\n")
        }.whenComplete { result in
            switch result {
            case .failure(let error):
                self.shared.failed(host: url.host, port: url.port, via: "http", error)
                self.respond(context: context, .badGateway, "ww: cannot reach \(url.host):\(url.port): \(error)\n")
            case .success(nil):
                break
            case .success(let peer?):
                guard case .connecting = self.state else { return peer.close(promise: nil) }   // a token in the body came first
                var h = head
                h.uri = url.path
                h.headers.remove(name: "Proxy-Connection")
                h.headers.remove(name: "Proxy-Authorization")
                h.headers.replaceOrAdd(name: "Connection", value: "close")
                if !h.headers.contains(name: "Host") { h.headers.add(name: "Host", value: url.hostHeader) }
                do {
                    // Answer bytes go back untouched: the client side stops encoding responses.
                    try peer.pipeline.syncOperations.addHandler(HTTPRequestEncoder())
                    try peer.pipeline.syncOperations.addHandler(ResponseRelay(client: context.channel))
                    context.pipeline.removeHandler(name: "http-encoder", promise: nil)
                } catch {
                    peer.close(promise: nil)
                    return context.close(promise: nil)
                }
                peer.write(HTTPClientRequestPart.head(h), promise: nil)
                self.state = .forwarding(peer)
                let queued = self.pending
                self.pending = []
                for part in queued {
                    switch part {
                    case .body(let b): peer.write(HTTPClientRequestPart.body(.byteBuffer(b)), promise: nil)
                    case .end(let t): peer.write(HTTPClientRequestPart.end(t), promise: nil); self.state = .done
                    case .head: break
                    }
                }
                peer.flush()
                peer.read()
            }
        }
    }
}
