// The network part of the plan: mode, proxy/DNS settings, socat bridges and the sockets and
// resolv.conf bound for them (network = proxy), inbound port bridges.

extension Planner {
    func networkPlan(_ b: inout Builder) throws -> NetworkPlan {
        let mode = profile.network.value
        let policy = NetworkPolicy(allowDomains: profile.allowDomains.map(\.value), denyDomains: profile.denyDomains.map(\.value),
                                   denyDestinations: profile.denyDestinations.map(\.value),
                                   allowLocal: profile.allowLocal.map(\.value))
        var ports: [Int] = []
        for p in profile.inboundPorts { if let n = Int(p.value), !ports.contains(n) { ports.append(n) } }
        var net = NetworkPlan(mode: mode, policy: policy, rateLimit: profile.rateLimit.value, idleTimeout: profile.idleTimeout.value)
        if let dns = profile.upstreamDNS, let e = NetworkEndpoint.parse(dns.value, defaultPort: 53) {
            net.upstreamDNS = e.description
            if mode != .proxy { b.notes.append("upstream_dns (\(dns.origin)) is used only with network = proxy") }
        }
        if let up = profile.upstreamProxy, let e = NetworkEndpoint.parse(up.value, defaultPort: nil) {
            if !e.isLoopback {
                guard profile.unsafeAllowRemoteProxy.value else {
                    throw WardenError(.policy, "\(up.origin): upstream_proxy \(up.value) is not on this machine (loopback); the game's allowed traffic would be handed to another host. Use a proxy on 127.0.0.1, or set unsafe_allow_remote_proxy = true if you mean it")
                }
                b.warnings.append("upstream_proxy \(up.value) is another machine (unsafe_allow_remote_proxy = true, \(profile.unsafeAllowRemoteProxy.origin))")
            }
            net.upstreamProxy = e.description
            if mode != .proxy { b.notes.append("upstream_proxy (\(up.origin)) is used only with network = proxy") }
        }
        let shared = mode == .observe || mode == .full
        if shared && !ports.isEmpty {
            b.notes.append("inbound_ports \(ports.map(String.init).joined(separator: ", ")) need no bridge: with network = \(mode.rawValue) the game listens on the host's network itself")
            ports = []
        }
        if mode != .proxy && !policy.allowDomains.isEmpty {
            b.notes.append("allow_domains applies to network = proxy; with network = \(mode.rawValue) it changes nothing")
        }
        switch mode {
        case .full:
            b.warnings.append("network = full: the game shares your network and nothing it does there is observed")
        case .observe:
            b.notes.append("network = observe: the game shares your network; every destination and DNS question is recorded, \(net.rateLimit) new connections/s per process at most")
        case .proxy:
            if policy.allowDomains.isEmpty {
                b.warnings.append("network = proxy with no allow_domains: every destination is refused (add allow_domains or --allow-domain)")
            }
        case .off:
            break
        }
        guard mode == .proxy || !ports.isEmpty else { return net }

        guard let socat = host.socatPath else {
            throw WardenError(.host, "network = \(mode.rawValue)\(ports.isEmpty ? "" : " with inbound_ports") needs socat (its bridges are the sandbox's only way out); install the socat package (Debian/Ubuntu: sudo apt install socat)")
        }
        guard b.isVisible(socat) else {
            throw WardenError(.host, "socat is at \(socat), a folder the sandbox does not show; install socat from your distribution's package (it goes to /usr/bin)")
        }
        let session = host.sessionDirectory
        net.sessionDirectory = session
        net.inboundPorts = ports
        net.bridges = NetworkPlan.bridges(socat: socat, proxy: mode == .proxy, inbound: ports)
        b.directoriesToCreate.append(session)
        if mode == .proxy {
            net.helperCapabilities = ["CAP_NET_BIND_SERVICE"]
            let sockets = Paths.join(session, "net")
            b.directoriesToCreate.append(sockets)
            b.add(.readOnlyBind, source: sockets, NetworkPlan.sandboxSocketDirectory, reason: "ww's proxy and DNS relay sockets (the bridges connect here)")
            var resolv = "/etc/resolv.conf"
            if fs.kind(resolv) == .symlink, let target = fs.symlinkTarget(resolv).flatMap({ $0.hasPrefix("/") ? Paths.normalize($0) : nil }) ?? fs.canonical(resolv) {
                b.notes.append("/etc/resolv.conf links to \(target); the relay's resolv.conf is bound there")
                resolv = target
            }
            b.add(.readOnlyBind, source: Paths.join(session, "resolv.conf"), resolv, reason: "name server: ww's DNS relay on 127.0.0.1")
        }
        if !ports.isEmpty {
            let inbound = Paths.join(session, "inbound")
            b.directoriesToCreate.append(inbound)
            b.add(.bind, source: inbound, NetworkPlan.sandboxInboundDirectory, reason: "inbound ports \(ports.map(String.init).joined(separator: ", ")): bridges listen here")
        }
        return net
    }
}
