import Dispatch
import CLinux
import Glibc
import Synchronization
import NIOCore
import NIOPosix
import NIOHTTP1
import NIOSOCKS
import WardenCore
import WardenLinux

/// The host side of a session's network (SPEC §5): for `network = proxy`, an HTTP proxy (CONNECT
/// and plain requests) and a SOCKS5 proxy on unix sockets the in-sandbox socat bridges connect to,
/// and the DNS relay; for inbound ports, host listeners that reach the game's port through the
/// inbound bridges. Every decision is recorded. One event-loop thread; the relay has its own.
public final class NetworkServices: SessionNetwork, @unchecked Sendable {
    let group: MultiThreadedEventLoopGroup
    var channels: [Channel] = []
    var dns: DNSRelay?
    let clients = ClientFinder()

    public func helperStarted(_ pid: pid_t) { clients.helper.withLock { $0 = pid } }

    init(group: MultiThreadedEventLoopGroup) { self.group = group }

    /// Starts what `plan` needs (nothing for off without inbound ports, observe and full).
    /// Fails (exit 125 by the caller) when a socket cannot be created or an inbound port is taken.
    public static func start(_ plan: NetworkPlan, trail: AuditTrail?) throws -> NetworkServices? {
        guard plan.mode == .proxy || !plan.inboundPorts.isEmpty, let sockets = plan.hostSocketDirectory, let inbound = plan.hostInboundDirectory else { return nil }
        // Many connections at once must not run ww out of descriptors: the soft limit goes up to the hard one.
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        // A client that connects and never asks is dropped (and recorded) after this long;
        // WW_TEST_PROXY_IDLE_SECONDS shortens it for the tests.
        let idle = Int64(getenv("WW_TEST_PROXY_IDLE_SECONDS").flatMap { Int(String(cString: $0)) } ?? 30)
        let services = NetworkServices(group: MultiThreadedEventLoopGroup(numberOfThreads: 1))
        do {
            if plan.mode == .proxy {
                let policy = plan.policy.compiled()
                let upstream = plan.upstreamProxy.flatMap { NetworkEndpoint.parse($0, defaultPort: nil) }
                let context = ProxyContext(policy: policy, trail: trail, upstreamProxy: upstream)
                context.clients = services.clients
                if let configured = plan.upstreamDNS { context.nameServer = try DNSRelay.upstream(configured) }
                let http = try services.listen(Paths.join(sockets, NetworkPlan.Socket.http), idleSeconds: idle) { sync in
                    try sync.addHandler(HTTPResponseEncoder(), name: "http-encoder")
                    try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)), name: "http-decoder")
                    try sync.addHandler(HTTPProxyHandler(context), name: "http-proxy")
                }
                let socks = try services.listen(Paths.join(sockets, NetworkPlan.Socket.socks), idleSeconds: idle) { sync in
                    try sync.addHandler(SOCKSServerHandshakeHandler(), name: "socks-handshake")
                    try sync.addHandler(SOCKSProxyHandler(context), name: "socks-proxy")
                }
                services.channels += [http, socks]
                services.dns = try DNSRelay.start(directory: sockets, policy: policy, upstream: try DNSRelay.upstream(plan.upstreamDNS), trail: trail,
                                                  finder: services.clients)
            }
            for port in plan.inboundPorts {
                let target = Paths.join(inbound, "\(port).sock")
                let channel: Channel
                do {
                    channel = try ServerBootstrap(group: services.group)
                        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                        .childChannelOption(.autoRead, value: false)
                        .childChannelOption(.allowRemoteHalfClosure, value: true)
                        .childChannelInitializer { client in
                            client.eventLoop.makeCompletedFuture {
                                try client.pipeline.syncOperations.addHandler(InboundBridgeHandler(target: target, port: port, trail: trail), name: "inbound")
                            }
                        }
                        .bind(host: "0.0.0.0", port: port).wait()
                } catch {
                    throw WardenError(.launch, "inbound port \(port) cannot be opened on this machine (\(error)); another program (or game) is using it: close it or choose another port")
                }
                services.channels.append(channel)
            }
        } catch {
            services.stop()
            if let e = error as? WardenError { throw e }
            throw WardenError(.launch, "the network proxy cannot start: \(error)")
        }
        return services
    }

    /// A proxy listener on a unix socket: each connection gets an idle timeout, then `handlers`.
    func listen(_ path: String, idleSeconds: Int64,
                _ handlers: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void) throws -> Channel {
        try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .seconds(idleSeconds)))
                    try handlers(channel.pipeline.syncOperations)
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
    }

    /// Closes every listener and connection and ends the relay and the event loop.
    public func stop() {
        for c in channels { try? c.close().wait() }
        channels = []
        dns?.stop()
        dns = nil
        try? group.syncShutdownGracefully()
        ClientFinder.queue.sync {}   // the last proxy records are written
    }
}

/// What every proxy connection shares.
final class ProxyContext: @unchecked Sendable {
    let policy: NetworkPolicy.Compiled
    let trail: AuditTrail?
    let upstreamProxy: NetworkEndpoint?
    /// `upstream_dns`: names are looked up there (nil: the host's resolver).
    var nameServer: SocketAddressBytes?
    var clients: ClientFinder?

    init(policy: NetworkPolicy.Compiled, trail: AuditTrail?, upstreamProxy: NetworkEndpoint?) {
        self.policy = policy
        self.trail = trail
        self.upstreamProxy = upstreamProxy
    }

    /// Decides and records one request, with the game process that made it when it can be found.
    /// Finding that process reads /proc (a read of /proc/PID/net/tcp took ~10 ms on the machine this
    /// was measured on), so for an allowed request it runs off the event loop: the connection does not
    /// wait for its record (a SOCKS connect took 18 ms before, 5-7 ms after, in one debug-build A/B).
    /// A refusal is looked up at once, while the client is surely still connected: it waits for nothing.
    func decide(host: String, port: Int, via: String, channel: Channel) -> NetworkDecision {
        let d = policy.decide(host: host)
        let kind = d.allowed ? "proxy_allow" : "proxy_deny"
        let details: [(String, AuditEvent.Value)] = [("host", .string(host)), ("port", .int(Int64(port))), ("via", .string(via)), ("rule", .string(d.rule))]
        guard let clients, let peer = clients.peer(of: channel) else {
            trail?.record(kind, details)
            return d
        }
        let bridgePort = via == "socks5" ? NetworkPlan.socksPort : NetworkPlan.httpProxyPort
        let trail = self.trail
        let lookup = {
            let client = clients.client(peer: peer, port: bridgePort)
            trail?.record(kind, pid: client?.pid, chain: client?.chain ?? [], details)
        }
        if d.allowed { ClientFinder.queue.async(execute: lookup) } else { ClientFinder.queue.sync(execute: lookup) }
        return d
    }

    func failed(host: String, port: Int, via: String, _ error: Error) {
        trail?.record("proxy_failed", [("host", .string(host)), ("port", .int(Int64(port))), ("via", .string(via)), ("error", .string("\(error)"))])
    }

    func garbage(via: String, _ what: String) {
        trail?.record("proxy_garbage", [("via", .string(via)), ("error", .string(what))])
    }

    /// A connection to host:port on `loop`, directly or through the upstream HTTP proxy (CONNECT).
    func connect(host: String, port: Int, on loop: EventLoop) -> EventLoopFuture<Channel> {
        var bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.seconds(10))
            .channelOption(.autoRead, value: false)
            .channelOption(.allowRemoteHalfClosure, value: true)
        if let server = nameServer { bootstrap = bootstrap.resolver(UpstreamResolver(server: server, loop: loop)) }
        guard let up = upstreamProxy, let upPort = up.port else { return bootstrap.connect(host: host, port: port) }
        return bootstrap.connect(host: up.host, port: upPort).flatMap { channel in
            let promise = loop.makePromise(of: Void.self)
            let target = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            do {
                try channel.pipeline.syncOperations.addHandler(UpstreamConnectHandler(target: target, promise: promise))
            } catch { return loop.makeFailedFuture(error) }
            channel.read()
            return promise.futureResult.map { channel }
        }
    }
}

enum ProxyError: Error, CustomStringConvertible {
    case upstreamRefused(String)
    var description: String {
        switch self { case .upstreamRefused(let line): return "the upstream proxy answered \(line)" }
    }
}

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

/// HTTP proxy: `CONNECT host:port` becomes a tunnel; `GET http://host/…` (any method, absolute URL)
/// is sent to the origin in origin form with `Connection: close` and its answer relayed as bytes.
/// Anything else gets an error status. One request per connection for plain HTTP.
final class HTTPProxyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let shared: ProxyContext
    enum State { case waitingForHead, connecting, forwarding(Channel), done }
    var state = State.waitingForHead
    var pending: [HTTPServerRequestPart] = []

    init(_ shared: ProxyContext) { self.shared = shared }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (state, part) {
        case (.waitingForHead, .head(let head)):
            state = .connecting
            if head.method == .CONNECT { connectTunnel(context: context, head: head) } else { forwardPlain(context: context, head: head) }
        case (.connecting, _):
            pending.append(part)
        case (.forwarding(let peer), .body(let b)):
            peer.writeAndFlush(HTTPClientRequestPart.body(.byteBuffer(b)), promise: nil)
        case (.forwarding(let peer), .end(let trailers)):
            peer.writeAndFlush(HTTPClientRequestPart.end(trailers), promise: nil)
            state = .done
        default:
            break   // a second request on the same connection: answered when the first one ends (closed)
        }
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
        let decision = shared.decide(host: target.host, port: port, via: "http-connect", channel: context.channel)
        guard decision.allowed else {
            return respond(context: context, .forbidden, "ww: \(target.host) is refused by this game's network policy (\(decision.rule))\n")
        }
        shared.connect(host: target.host, port: port, on: context.eventLoop).whenComplete { result in
            switch result {
            case .failure(let error):
                self.shared.failed(host: target.host, port: port, via: "http-connect", error)
                self.respond(context: context, .badGateway, "ww: cannot reach \(target.host):\(port): \(error)\n")
            case .success(let peer):
                let ok = HTTPResponseHead(version: .http1_1, status: .custom(code: 200, reasonPhrase: "Connection Established"))
                context.writeAndFlush(self.wrapOutboundOut(.head(ok)), promise: nil)
                // The tunnel: HTTP handlers out, bytes both ways (anything the client sent early comes along).
                GlueHandler.join(context, to: peer, removing: ["http-proxy", "http-encoder", "http-decoder"])
            }
        }
    }

    func forwardPlain(context: ChannelHandlerContext, head: HTTPRequestHead) {
        guard let url = AbsoluteURL(head.uri) else {
            shared.garbage(via: "http", "\(head.method) \(head.uri.prefix(200)): not an absolute http:// URL")
            return respond(context: context, .badRequest, "ww: this proxy takes absolute http:// URLs (or CONNECT)\n")
        }
        let decision = shared.decide(host: url.host, port: url.port, via: "http", channel: context.channel)
        guard decision.allowed else {
            return respond(context: context, .forbidden, "ww: \(url.host) is refused by this game's network policy (\(decision.rule))\n")
        }
        shared.connect(host: url.host, port: url.port, on: context.eventLoop).whenComplete { result in
            switch result {
            case .failure(let error):
                self.shared.failed(host: url.host, port: url.port, via: "http", error)
                self.respond(context: context, .badGateway, "ww: cannot reach \(url.host):\(url.port): \(error)\n")
            case .success(let peer):
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

/// `http://host[:port]/path?query` split for forwarding.
struct AbsoluteURL {
    var host: String
    var port: Int
    var path: String
    var hostHeader: String

    init?(_ uri: String) {
        guard uri.lowercased().hasPrefix("http://") else { return nil }
        let rest = uri.dropFirst(7)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var p = String(rest.dropFirst(authority.count))
        if p.isEmpty || p.hasPrefix("?") { p = "/" + p }
        guard !authority.contains("@"), let e = NetworkEndpoint.parse(String(authority), defaultPort: 80), let port = e.port else { return nil }
        host = e.host
        self.port = port
        path = p
        hostHeader = String(authority)
    }
}

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

/// SOCKS5 (no authentication, CONNECT only): host names are decided by the policy; so are literal
/// addresses, which pass only when an allow entry covers them.
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
            guard request.command == .connect else {
                shared.garbage(via: "socks5", "command \(request.command.value) (only CONNECT is served)")
                return reply(context, .commandUnsupported)
            }
            let decision = shared.decide(host: host, port: port, via: "socks5", channel: context.channel)
            guard decision.allowed else { return reply(context, .notAllowed) }
            shared.connect(host: host, port: port, on: context.eventLoop).whenComplete { result in
                switch result {
                case .failure(let error):
                    self.shared.failed(host: host, port: port, via: "socks5", error)
                    self.reply(context, .hostUnreachable)
                case .success(let peer):
                    let bound = SOCKSAddress.address(try! NIOCore.SocketAddress(ipAddress: "0.0.0.0", port: 0))
                    context.writeAndFlush(self.wrapOutboundOut(.response(SOCKSResponse(reply: .succeeded, boundAddress: bound))), promise: nil)
                    GlueHandler.join(context, to: peer, removing: ["socks-proxy", "socks-handshake"])
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

/// A host port of `inbound_ports`: each connection is joined to the game's port through the
/// inbound bridge's unix socket.
final class InboundBridgeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let target: String
    let port: Int
    let trail: AuditTrail?

    init(target: String, port: Int, trail: AuditTrail?) {
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
    /// handlers (by name) out — what they buffered passes on to the glue — and reading started on
    /// both sides. If the glue cannot be added, both close.
    static func join(_ context: ChannelHandlerContext, to peer: Channel, removing names: [String]) {
        let mine = GlueHandler(), theirs = GlueHandler()
        mine.partner = theirs
        theirs.partner = mine
        let client = context.channel
        do {
            try peer.pipeline.syncOperations.addHandler(theirs)
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

/// Which game process a proxy connection came from: the bridge's fork serving it is the unix
/// peer (SO_PEERCRED); its TCP peer inside the sandbox is the game's socket, found in
/// /proc/BRIDGE/net/tcp and then among the helper's descendants.
/// `struct ucred` (pid, uid, gid), which Glibc's module does not export.
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

final class ClientFinder: @unchecked Sendable {
    let helper = Mutex<pid_t>(0)

    /// Where the proxy's records wait for their process lookup (serial: records keep their order).
    static let queue = DispatchQueue(label: "winewarden.proxy-clients")

    /// The bridge fork on the other end of a proxy connection (SO_PEERCRED); on the channel's event loop.
    func peer(of channel: Channel) -> pid_t? {
        guard helper.withLock({ $0 }) > 0, let provider = channel as? SocketOptionProvider else { return nil }
        // On the channel's own event loop the option is read at once: the future is already complete.
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        var got: PeerCredentials?
        future.whenSuccess { got = $0 }
        guard let cred = got, cred.pid > 0 else { return nil }
        return cred.pid
    }

    /// The game process behind bridge fork `peer` on bridge port `port`: reads /proc, so not on an event loop.
    func client(peer: pid_t, port: Int) -> (pid: pid_t, chain: [AuditEvent.ProcessLink])? {
        find { ww_tcp_client_of(peer, Int32(port), $1, $2) }
    }

    /// `match(helper, descendants, count)` names one of the helper's descendants; with its chain.
    func find(_ match: (pid_t, UnsafePointer<pid_t>, Int32) -> pid_t) -> (pid: pid_t, chain: [AuditEvent.ProcessLink])? {
        let root = helper.withLock { $0 }
        guard root > 0 else { return nil }
        var candidates = [pid_t](repeating: 0, count: 4096)
        let n = Int32(min(Int(ww_list_descendants(root, &candidates, Int32(candidates.count))), candidates.count))
        let pid = candidates.withUnsafeBufferPointer { match(root, $0.baseAddress!, n) }
        guard pid > 0 else { return nil }
        return (pid, NotificationSupervisor.chain(pid, stopAt: root))
    }

    /// Who asked the DNS relay. Over TCP: as for the proxy, through the bridge fork (`peer`). Over
    /// UDP the bridge forwards only the payload, so the asker is the one resolver socket connected to
    /// 127.0.0.1:53 in the sandbox (glibc connects its UDP socket); with none, or several at once,
    /// the query stays without a pid rather than get a guessed one.
    func dnsClient(peer: pid_t, stream: Bool) -> (pid: pid_t, chain: [AuditEvent.ProcessLink])? {
        if stream { return peer > 0 ? client(peer: peer, port: 53) : nil }
        return find { root, candidates, n in ww_udp_client_of(root, 53, candidates, n) }
    }
}
