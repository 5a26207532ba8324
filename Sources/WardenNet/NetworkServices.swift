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

    /// Starts what `plan` needs (nothing for off without inbound ports, observe and full). The proxy
    /// and the relay look for `canaries` (the session's decoy tokens; none: nothing is looked at) in
    /// what the game sends.
    /// Fails (exit 125 by the caller) when a socket cannot be created or an inbound port is taken.
    public static func start(_ plan: NetworkPlan, canaries: CanaryTokens, trail: (any EventRecorder)?) throws -> NetworkServices? {
        guard plan.mode == .proxy || !plan.inboundPorts.isEmpty, let sockets = plan.hostSocketDirectory, let inbound = plan.hostInboundDirectory else { return nil }
        // Many connections at once must not run ww out of descriptors: the soft limit goes up to the hard one.
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        // A client that connects and never asks is dropped (and recorded) after `idle_timeout` seconds.
        let idle = Int64(plan.idleTimeout)
        let services = NetworkServices(group: MultiThreadedEventLoopGroup(numberOfThreads: 1))
        do {
            if plan.mode == .proxy {
                let policy = plan.policy.compiled()
                let upstream = plan.upstreamProxy.flatMap { NetworkEndpoint.parse($0, defaultPort: nil) }
                let matcher = CanaryMatcher(canaries)
                let context = ProxyContext(policy: policy, trail: trail, upstreamProxy: upstream, canaries: matcher)
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
                                                  finder: services.clients, canaries: matcher)
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
