import CLinux
import Glibc
import Synchronization
import WardenCore

/// `network = observe` (SPEC §5): the game shares the host's network and ww watches, through the
/// notification filter, every connect and every send that names a destination (sendto with an
/// address, sendmsg, sendmmsg). Each destination is recorded with its protocol and the names it
/// was looked up as; each process gets at most `rate_limit` new connections per second; the
/// deny lists refuse. DNS questions are read from what the game sends to port 53, and ww asks
/// the same server the same question itself to record the answers (the game's own answer arrives
/// by recv, which is not watched: a hot call).
///
/// What a hostile program can evade here: the destination is read from its memory and the call
/// then continues, so a second thread can change the address in between; `send`/`write` on a
/// socket connected before are not seen. Observe mode records what ordinary programs do; `proxy`
/// is the mode that enforces.
public final class NetworkObserver: @unchecked Sendable {
    let policy: NetworkPolicy.Compiled
    let rateLimit: Int
    let trail: AuditTrail?

    struct Destination {
        var first: UInt64
        var last: UInt64
        var count: Int
        var pids: Set<pid_t>
    }
    /// "proto address port" → what was seen.
    var destinations: [String: Destination] = [:]
    /// Per process: the start of its current one-second window and the new connections in it.
    var windows: [pid_t: (start: UInt64, count: Int, refused: Int)] = [:]
    var refusedTotal: [pid_t: Int] = [:]
    /// Refusals by the deny lists already recorded (process, address, port), with how many more followed.
    var denied: [String: Int] = [:]
    /// (pid, fd) of sockets connected to port 53, with the server: what they send is a DNS question.
    var dnsSockets: [String: SocketAddress] = [:]
    /// Address text → the names it was an answer for (filled by the lookup threads).
    let names = Mutex<[String: Set<String>]>([:])
    let lookupsRunning = Mutex(0)

    public init(policy: NetworkPolicy, rateLimit: Int, trail: AuditTrail?) {
        self.policy = policy.compiled()
        self.rateLimit = rateLimit
        self.trail = trail
    }

    public enum Verdict: Equatable { case proceed, refuse(Int32) }

    /// Protocol of a socket as text (tcp, udp, icmp, raw…), from the descriptor itself.
    static func proto(pid: pid_t, fd: Int32) -> String {
        var type: Int32 = 0, proto: Int32 = 0
        guard ww_socket_kind(pid, fd, &type, &proto) == 0 else { return "unknown" }
        switch (type, proto) {
        case (Int32(SOCK_STREAM.rawValue), _): return "tcp"
        case (_, Int32(IPPROTO_ICMP)), (_, Int32(IPPROTO_ICMPV6)): return "icmp"
        case (Int32(SOCK_DGRAM.rawValue), _): return "udp"
        case (Int32(SOCK_RAW.rawValue), _): return "raw"
        default: return "type-\(type)"
        }
    }

    func namesFor(_ address: String) -> [String] { names.withLock { Array($0[address] ?? []) }.sorted() }

    /// A connect (or a send naming a destination). `newFlow` false: a datagram to a destination this
    /// process already sent to (not counted against the rate limit, not recorded again).
    public func destination(pid: pid_t, fd: Int32, address: SocketAddress, isConnect: Bool, chain: () -> [AuditEvent.ProcessLink]) -> Verdict {
        guard address.family == "inet" || address.family == "inet6", let port = address.port, let ip = IPAddress(address.address) else { return .proceed }
        let text = ip.description
        let now = AuditTrail.now()
        if isConnect && port == 53 { dnsSockets["\(pid) \(fd)"] = address }

        // Datagrams to a destination already seen from this process are only counted.
        let protoGuess = isConnect ? nil : "datagram"
        let quickKey = "\(pid) \(text) \(port)"
        if !isConnect, var d = destinations[quickKey + " datagram"] {
            d.last = now; d.count += 1
            destinations[quickKey + " datagram"] = d
            return .proceed
        }

        var w = windows[pid] ?? (now, 0, 0)
        if now - w.start >= 1_000_000_000 { w = (now, 0, 0) }
        w.count += 1
        if w.count > rateLimit {
            w.refused += 1
            windows[pid] = w
            refusedTotal[pid, default: 0] += 1
            if w.refused == 1 {
                trail?.record("rate_limited", pid: pid, chain: chain(), [
                    ("address", .string(text)), ("port", .int(Int64(port))), ("limit", .int(Int64(rateLimit))),
                    ("reason", .string("more than \(rateLimit) new connections within one second")),
                ])
            }
            return .refuse(isConnect ? ECONNREFUSED : EAGAIN)
        }
        windows[pid] = w

        let known = namesFor(text)
        let decision = policy.decide(address: ip, port: port, names: known)
        let proto = Self.proto(pid: pid, fd: fd)
        if !decision.allowed {
            // A game retrying a refused destination is recorded once; the retries are counted.
            if let seen = denied[quickKey] { denied[quickKey] = seen + 1; return .refuse(isConnect ? ECONNREFUSED : EACCES) }
            denied[quickKey] = 0
            trail?.record("net_denied", pid: pid, chain: chain(), [
                ("protocol", .string(proto)), ("address", .string(text)), ("port", .int(Int64(port))),
                ("names", .strings(known)), ("rule", .string(decision.rule)),
            ])
            return .refuse(isConnect ? ECONNREFUSED : EACCES)
        }
        let key = "\(proto) \(text) \(port)"
        if protoGuess != nil { destinations[quickKey + " datagram"] = Destination(first: now, last: now, count: 1, pids: [pid]) }
        if var d = destinations[key] {
            d.last = now; d.count += 1; d.pids.insert(pid)
            destinations[key] = d
            return .proceed
        }
        destinations[key] = Destination(first: now, last: now, count: 1, pids: [pid])
        trail?.record("net_connect", pid: pid, chain: chain(), [
            ("protocol", .string(proto)), ("address", .string(text)), ("port", .int(Int64(port))), ("names", .strings(known)),
            ("call", .string(isConnect ? "connect" : "send")),
        ])
        return .proceed
    }

    /// The name server a socket was connected to, when it was port 53.
    public func dnsServer(pid: pid_t, fd: Int32) -> SocketAddress? { dnsSockets["\(pid) \(fd)"] }

    /// A datagram to a name server: the question is recorded, and ww asks the same server.
    public func dnsQuery(pid: pid_t, payload: [UInt8], server: SocketAddress?, chain: () -> [AuditEvent.ProcessLink]) {
        guard let m = try? DNSMessage.parse(payload), !m.isResponse, let q = m.questions.first else { return }
        trail?.record("dns_query", pid: pid, chain: chain(), [
            ("name", .string(q.name)), ("type", .string(DNSType.name(q.type))),
            ("server", .string(server.map { "\($0.address):\($0.port ?? 53)" } ?? "?")),
        ])
        guard let s = server, let ip = IPAddress(s.address) else { return }
        let started = lookupsRunning.withLock { n -> Bool in
            guard n < 16 else { return false }
            n += 1
            return true
        }
        guard started else { return }
        let job = LookupJob(observer: self, query: payload, server: ip, port: s.port ?? 53, name: q.name, type: q.type)
        var thread = pthread_t()
        let box = Unmanaged.passRetained(job)
        if pthread_create(&thread, nil, { arg in
            let j = Unmanaged<LookupJob>.fromOpaque(arg!).takeRetainedValue()
            j.run()
            return nil
        }, box.toOpaque()) == 0 {
            pthread_detach(thread)
        } else {
            box.release()
            lookupsRunning.withLock { $0 -= 1 }
        }
    }

    final class LookupJob: @unchecked Sendable {
        let observer: NetworkObserver
        let query: [UInt8]
        let server: IPAddress
        let port: Int
        let name: String
        let type: UInt16

        init(observer: NetworkObserver, query: [UInt8], server: IPAddress, port: Int, name: String, type: UInt16) {
            self.observer = observer
            self.query = query
            self.server = server
            self.port = port
            self.name = name
            self.type = type
        }

        func run() {
            defer { observer.lookupsRunning.withLock { $0 -= 1 } }
            guard let m = DNSExchange.udp(query, to: SocketAddressBytes(ip: server, port: port)) else {
                observer.trail?.record("dns_answer", [("name", .string(name)), ("type", .string(DNSType.name(type))), ("rcode", .string("no answer")),
                                                      ("answers", .strings([])), ("by", .string("ww's own lookup (same question, same server)"))])
                return
            }
            var learned: [(String, String)] = []
            for r in m.answers {
                switch r.data {
                case .a(let t), .aaaa(let t): if let ip = IPAddress(t) { learned.append((ip.description, name)) }
                default: break
                }
            }
            observer.names.withLock { map in for (address, n) in learned { map[address, default: []].insert(n) } }
            observer.trail?.record("dns_answer", [
                ("name", .string(name)), ("type", .string(DNSType.name(type))), ("rcode", .string(DNSType.rcodeName(m.rcode))),
                ("answers", .strings(m.answers.map(\.auditText))),
                ("by", .string("ww's own lookup (same question, same server)")),
            ])
        }
    }

    /// Every destination with its first and last sighting and count; refusals by the rate limit.
    public func finish() {
        for (key, d) in destinations.sorted(by: { $0.key < $1.key }) where !key.hasSuffix(" datagram") {
            let parts = key.split(separator: " ")
            guard parts.count == 3 else { continue }
            trail?.record("net_destination", [
                ("protocol", .string(String(parts[0]))), ("address", .string(String(parts[1]))), ("port", .int(Int64(parts[2]) ?? 0)),
                ("names", .strings(namesFor(String(parts[1])))), ("count", .int(Int64(d.count))),
                ("first_seen_ns", .int(Int64(d.first))), ("last_seen_ns", .int(Int64(d.last))), ("pids", .strings(d.pids.sorted().map(String.init))),
            ])
        }
        destinations = [:]
        for (pid, n) in refusedTotal.sorted(by: { $0.key < $1.key }) {
            trail?.record("rate_limited_total", pid: pid, [("refused", .int(Int64(n))), ("limit", .int(Int64(rateLimit)))])
        }
        refusedTotal = [:]
        for (key, more) in denied.sorted(by: { $0.key < $1.key }) where more > 0 {
            let parts = key.split(separator: " ")
            trail?.record("net_denied_repeated", pid: pid_t(parts[0]), [("address", .string(String(parts[1]))), ("port", .int(Int64(parts[2]) ?? 0)), ("count", .int(Int64(more)))])
        }
        denied = [:]
    }
}
