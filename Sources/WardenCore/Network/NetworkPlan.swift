/// The network side of a plan (SPEC §5): the mode, the policy the proxy, DNS relay and observe mode
/// enforce, and the socat bridges the inner helper starts inside an empty network namespace.
public struct NetworkPlan: Codable, Equatable, Sendable {
    public var mode: NetworkMode
    public var policy: NetworkPolicy
    public var inboundPorts: [Int]
    /// New connections per second per process (observe mode); over it they are refused and recorded.
    public var rateLimit: Int
    /// Seconds the proxy waits for a connected client's request (`idle_timeout`) before dropping it.
    public var idleTimeout: Int
    /// Where the DNS relay forwards (`address:port`); nil: the host's resolver from /etc/resolv.conf.
    public var upstreamDNS: String?
    /// An HTTP proxy (CONNECT) the host proxy sends allowed traffic through.
    public var upstreamProxy: String?
    /// Host folder of this session's sockets (the proxy's, and the inbound bridges'); nil: none needed.
    public var sessionDirectory: String?
    public var bridges: [Bridge]
    /// Capabilities the inner helper keeps only to start the bridges (port 53), dropped before the game starts.
    public var helperCapabilities: [String]

    public init(mode: NetworkMode, policy: NetworkPolicy = NetworkPolicy(), inboundPorts: [Int] = [], rateLimit: Int = 1000, idleTimeout: Int = 30,
                upstreamDNS: String? = nil, upstreamProxy: String? = nil, sessionDirectory: String? = nil,
                bridges: [Bridge] = [], helperCapabilities: [String] = []) {
        self.mode = mode
        self.policy = policy
        self.inboundPorts = inboundPorts
        self.rateLimit = rateLimit
        self.idleTimeout = idleTimeout
        self.upstreamDNS = upstreamDNS
        self.upstreamProxy = upstreamProxy
        self.sessionDirectory = sessionDirectory
        self.bridges = bridges
        self.helperCapabilities = helperCapabilities
    }

    /// One socat process inside the sandbox, started by the inner helper before the game.
    public struct Bridge: Codable, Equatable, Sendable {
        public enum Listener: Codable, Equatable, Sendable {
            case tcp(Int), udp(Int), unix(String)
        }
        public var purpose: String
        public var argv: [String]
        /// What must be listening before the game may start.
        public var listener: Listener

        public init(purpose: String, argv: [String], listener: Listener) {
            self.purpose = purpose
            self.argv = argv
            self.listener = listener
        }
    }

    /// Fixed places and ports inside the sandbox.
    public static let sandboxSocketDirectory = "/run/winewarden/net"
    public static let sandboxInboundDirectory = "/run/winewarden/inbound"
    public static let httpProxyPort = 3128
    public static let socksPort = 1080
    public static let dnsPort = 53

    /// Socket names in the session folder (host side) and in `sandboxSocketDirectory`.
    public enum Socket {
        public static let http = "http.sock"
        public static let socks = "socks.sock"
        /// SOCK_SEQPACKET: one DNS message per packet (the UDP bridge).
        public static let dnsDatagram = "dns.sock"
        /// SOCK_STREAM with DNS-over-TCP framing (the TCP bridge).
        public static let dnsStream = "dns-tcp.sock"
    }

    public var hostSocketDirectory: String? { sessionDirectory.map { Paths.join($0, "net") } }
    public var hostInboundDirectory: String? { sessionDirectory.map { Paths.join($0, "inbound") } }
    public var hostResolvConf: String? { sessionDirectory.map { Paths.join($0, "resolv.conf") } }

    /// The resolv.conf bound over /etc/resolv.conf in proxy mode: the relay is the only name server.
    public static let resolvConf = "# written by ww: the DNS relay inside this sandbox\nnameserver 127.0.0.1\noptions edns0 trust-ad\n"

    /// Proxy variables set for the game in proxy mode (upper and lower case: programs read either).
    public static var proxyEnvironment: [(String, String)] {
        let http = "http://127.0.0.1:\(httpProxyPort)"
        let socks = "socks5h://127.0.0.1:\(socksPort)"
        let noProxy = "localhost,127.0.0.1,::1"
        return [("HTTP_PROXY", http), ("HTTPS_PROXY", http), ("ALL_PROXY", socks), ("NO_PROXY", noProxy),
                ("http_proxy", http), ("https_proxy", http), ("all_proxy", socks), ("no_proxy", noProxy)]
    }

    static func bridges(socat: String, proxy: Bool, inbound: [Int]) -> [Bridge] {
        var out: [Bridge] = []
        let dir = sandboxSocketDirectory
        if proxy {
            out.append(Bridge(purpose: "HTTP proxy", argv: [socat, "TCP4-LISTEN:\(httpProxyPort),bind=127.0.0.1,reuseaddr,fork", "UNIX-CONNECT:\(dir)/\(Socket.http)"], listener: .tcp(httpProxyPort)))
            out.append(Bridge(purpose: "SOCKS5 proxy", argv: [socat, "TCP4-LISTEN:\(socksPort),bind=127.0.0.1,reuseaddr,fork", "UNIX-CONNECT:\(dir)/\(Socket.socks)"], listener: .tcp(socksPort)))
            out.append(Bridge(purpose: "DNS (UDP)", argv: [socat, "-T5", "UDP4-RECVFROM:\(dnsPort),bind=127.0.0.1,fork", "UNIX-CONNECT:\(dir)/\(Socket.dnsDatagram),type=5"], listener: .udp(dnsPort)))
            out.append(Bridge(purpose: "DNS (TCP)", argv: [socat, "TCP4-LISTEN:\(dnsPort),bind=127.0.0.1,reuseaddr,fork", "UNIX-CONNECT:\(dir)/\(Socket.dnsStream)"], listener: .tcp(dnsPort)))
        }
        for port in inbound {
            let path = "\(sandboxInboundDirectory)/\(port).sock"
            out.append(Bridge(purpose: "inbound port \(port)", argv: [socat, "UNIX-LISTEN:\(path),fork,unlink-early", "TCP4:127.0.0.1:\(port)"], listener: .unix(path)))
        }
        return out
    }
}
