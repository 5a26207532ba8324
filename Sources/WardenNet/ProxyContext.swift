import NIOCore
import NIOPosix
import WardenCore
import WardenLinux

/// What every proxy connection shares.
final class ProxyContext: @unchecked Sendable {
    let policy: NetworkPolicy.Compiled
    let trail: (any EventRecorder)?
    let upstreamProxy: NetworkEndpoint?
    /// The session's canary tokens, looked for in what clients send before it leaves.
    let canaries: CanaryMatcher
    /// `upstream_dns`: names are looked up there (nil: the host's resolver).
    var nameServer: SocketAddressBytes?
    var clients: ClientFinder?

    init(policy: NetworkPolicy.Compiled, trail: (any EventRecorder)?, upstreamProxy: NetworkEndpoint?, canaries: CanaryMatcher) {
        self.policy = policy
        self.trail = trail
        self.upstreamProxy = upstreamProxy
        self.canaries = canaries
    }

    /// `upstream_proxy` set: names go to it unresolved (it looks them up; ww cannot see the address).
    var resolvesNames: Bool { upstreamProxy == nil }

    /// Decides one request on its name (the policy), then, unless an upstream proxy takes names, on
    /// every address the name resolves to (one lookup, whose answers are what `connect` uses), and
    /// records the decision, with the game process that made it when it can be found. The future
    /// fails only when the name cannot be resolved (recorded as allowed, then failed, by the caller).
    func admit(host: String, port: Int, via: String, channel: Channel) -> EventLoopFuture<Admission> {
        let loop = channel.eventLoop
        let d = policy.decide(host: host)
        guard d.allowed else {
            record(d, host: host, port: port, via: via, channel: channel)
            return loop.makeSucceededFuture(.refused(d.rule))
        }
        let literal = IPAddress.literal(host)
        guard literal != nil || resolvesNames else {
            record(d, host: host, port: port, via: via, channel: channel)
            return loop.makeSucceededFuture(.allowed(Destination(host: host, port: port, addresses: nil)))
        }
        return resolve(host: host, literal: literal, port: port, on: loop).flatMapErrorThrowing { error in
            self.record(d, host: host, port: port, via: via, channel: channel)
            throw error
        }.map { addresses in
            // Only the addresses that pass are connected to; with none, the request is refused.
            let own = HostAddresses.shared.current()
            let checked = addresses.map { ($0, self.policy.decide(address: $0, port: port, own: own)) }
            let passed = checked.filter { $0.1.allowed }.map(\.0)
            guard !passed.isEmpty else {
                self.record(checked[0].1, host: host, port: port, via: via, channel: channel, addresses: addresses)
                return .refused(checked[0].1.rule)
            }
            let local = checked.compactMap { $0.1.rule.isEmpty ? nil : $0.1.rule }
            let rule = local.isEmpty ? d : NetworkDecision(allowed: true, rule: ([d.rule] + local).joined(separator: "; "))
            self.record(rule, host: host, port: port, via: via, channel: channel, addresses: passed)
            return .allowed(Destination(host: host, port: port, addresses: passed))
        }
    }

    /// Records one decision. Finding the process reads /proc (a read of /proc/PID/net/tcp took ~10 ms
    /// on the machine this was measured on), so for an allowed request it runs off the event loop: the
    /// connection does not wait for its record (a SOCKS connect took 18 ms before, 5-7 ms after, in one
    /// debug-build A/B). A refusal is looked up at once, while the client is surely still connected.
    func record(_ d: NetworkDecision, host: String, port: Int, via: String, channel: Channel, addresses: [IPAddress] = []) {
        let kind = d.allowed ? "proxy_allow" : "proxy_deny"
        var details: [(String, AuditEvent.Value)] = [("host", .string(host)), ("port", .int(Int64(port))), ("via", .string(via)), ("rule", .string(d.rule))]
        if !addresses.isEmpty { details.append(("addresses", .strings(addresses.map(\.description)))) }
        attributed(kind, details, via: via, channel: channel, waiting: !d.allowed)
    }

    /// A canary token in what the client sent (`hit`): recorded as `exfiltration`, the connection
    /// closed (its peer, if any, closes with it). False, and nothing done, without a hit. Checked
    /// before the policy: sending a decoy's token is the act, wherever it was going.
    func exfiltration(_ hit: CanaryMatcher.Hit?, destination: String, channel name: String, via: String, connection: Channel) -> Bool {
        guard let hit else { return false }
        attributed(VisibilityEvent.exfiltration, [("destination", .string(destination)), ("channel", .string(name)),
                                                  ("stands_for", .string(hit.token.standsFor)), ("closed", .bool(true))],
                   via: via, channel: connection, waiting: true)
        connection.close(promise: nil)
        return true
    }

    /// Records `kind` with the game process behind the client's bridge when it can be found.
    func attributed(_ kind: String, _ details: [(String, AuditEvent.Value)], via: String, channel: Channel, waiting: Bool) {
        guard let clients, let peer = clients.peer(of: channel) else {
            trail?.record(kind, details)
            return
        }
        let bridgePort = via == "socks5" ? NetworkPlan.socksPort : NetworkPlan.httpProxyPort
        let trail = self.trail
        let lookup: @Sendable () -> Void = {
            let client = clients.client(peer: peer, port: bridgePort)
            trail?.record(kind, pid: client?.pid, chain: client?.chain ?? [], details)
        }
        if waiting { ClientFinder.queue.sync(execute: lookup) } else { ClientFinder.queue.async(execute: lookup) }
    }

    func failed(host: String, port: Int, via: String, _ error: Error) {
        trail?.record("proxy_failed", [("host", .string(host)), ("port", .int(Int64(port))), ("via", .string(via)), ("error", .string("\(error)"))])
    }

    func garbage(via: String, _ what: String) {
        trail?.record("proxy_garbage", [("via", .string(via)), ("error", .string(what))])
    }

    /// `admit`, then `connect` to what it allowed: nil (after `refused` answered the client with the
    /// rule) when the policy refuses; fails when the name cannot be resolved or the connection fails.
    func connectIfAdmitted(host: String, port: Int, via: String, channel: Channel, refused: @escaping (String) -> Void) -> EventLoopFuture<Channel?> {
        admit(host: host, port: port, via: via, channel: channel).flatMap { admission -> EventLoopFuture<Channel?> in
            switch admission {
            case .refused(let rule):
                refused(rule)
                return channel.eventLoop.makeSucceededFuture(nil)
            case .allowed(let destination):
                return self.connect(destination, on: channel.eventLoop).map { $0 }
            }
        }
    }

    /// A connection to exactly the addresses `admit` checked (happy eyeballs over them, no second
    /// lookup), or through the upstream HTTP proxy (CONNECT host:port, the literal as checked).
    func connect(_ to: Destination, on loop: EventLoop) -> EventLoopFuture<Channel> {
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.seconds(10))
            .channelOption(.autoRead, value: false)
            .channelOption(.allowRemoteHalfClosure, value: true)
        guard let up = upstreamProxy, let upPort = up.port else {
            let checked = (to.addresses ?? []).compactMap { try? NIOCore.SocketAddress(ipAddress: $0.description, port: to.port) }
            if checked.count == 1 { return bootstrap.connect(to: checked[0]) }
            return bootstrap.resolver(CheckedAddresses(checked, loop: loop)).connect(host: to.host, port: to.port)
        }
        return bootstrap.connect(host: up.host, port: upPort).flatMap { channel in
            let promise = loop.makePromise(of: Void.self)
            let host = to.addresses?.first?.description ?? to.host
            let target = host.contains(":") ? "[\(host)]:\(to.port)" : "\(host):\(to.port)"
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
