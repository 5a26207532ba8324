import Glibc
import CLinux
import WardenCore
import WardenLinux

/// The DNS relay of `network = proxy`: the in-sandbox bridges hand it each query (one per
/// SOCK_SEQPACKET message from the UDP bridge; length-prefixed on a stream from the TCP bridge).
/// Every query and answer is parsed and recorded; names the policy refuses get NXDOMAIN without
/// leaving the machine; the rest go to the upstream server over UDP (TCP when the answer is
/// truncated). Malformed packets are recorded and dropped. A query holding a canary token (in a
/// question's name, also split across labels, or anywhere in the packet) is answered REFUSED without
/// leaving the machine and recorded as `exfiltration`. One thread, one poll loop, bounded:
/// at most `maxClients` connections and `maxPending` queries in flight; older ones time out.
final class DNSRelay: @unchecked Sendable {
    static let maxClients = 1024
    static let maxPending = 4096
    static let timeoutNanoseconds: UInt64 = 4_000_000_000

    let policy: NetworkPolicy.Compiled
    let trail: (any EventRecorder)?
    let upstream: SocketAddressBytes
    let canaries: CanaryMatcher
    let datagramListener: Int32
    let streamListener: Int32
    let upstreamSocket: Int32
    let wake: [Int32]
    var thread: pthread_t?

    struct Client {
        var stream: Bool
        /// The bridge fork on the other end (SO_PEERCRED).
        var peer: pid_t = 0
        /// The game process that asked, once known.
        var asker: (pid: pid_t, chain: [AuditEvent.ProcessLink])?
        var buffer: [UInt8] = []
        /// The bridge has sent all it will (it half-closes after the query): kept until answered.
        var readClosed = false
    }
    struct Pending {
        var client: Int32
        var originalID: UInt16
        var question: String
        var started: UInt64
        var query: [UInt8]
    }
    var clients: [Int32: Client] = [:]
    /// Finds the asking process (set by the network services; nil in tests of the relay alone).
    var finder: ClientFinder?
    var pending: [UInt16: Pending] = [:]
    var nextID: UInt16 = 1

    /// The upstream server: `upstream_dns`, else the first `nameserver` of the host's resolv.conf.
    static func upstream(_ configured: String?) throws -> SocketAddressBytes {
        var text = configured
        if text == nil {
            let conf = RealFileSystem.readSmallFile("/etc/resolv.conf") ?? ""
            for line in conf.split(separator: "\n") {
                let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if f.count >= 2, f[0] == "nameserver" { text = String(f[1]); break }
            }
        }
        guard let t = text, let e = NetworkEndpoint.parse(t, defaultPort: 53), let ip = e.address, let port = e.port else {
            throw WardenError(.host, "network = proxy needs a name server to forward to: none in /etc/resolv.conf; set upstream_dns = \"ADDRESS\" in the profile's [network]")
        }
        return SocketAddressBytes(ip: ip, port: port)
    }

    static func start(directory: String, policy: NetworkPolicy.Compiled, upstream: SocketAddressBytes, trail: (any EventRecorder)?, finder: ClientFinder? = nil,
                      canaries: CanaryMatcher) throws -> DNSRelay {
        let dgram = try listen(Paths.join(directory, NetworkPlan.Socket.dnsDatagram), type: Int32(SOCK_SEQPACKET.rawValue))
        let stream = try listen(Paths.join(directory, NetworkPlan.Socket.dnsStream), type: Int32(SOCK_STREAM.rawValue))
        let up = socket(upstream.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard up >= 0 else { throw WardenError(.launch, "the DNS relay cannot open a socket: \(String(cString: strerror(errno)))") }
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0, pipeFDs.allSatisfy({ fcntl($0, F_SETFD, FD_CLOEXEC) == 0 && fcntl($0, F_SETFL, O_NONBLOCK) == 0 }) else { throw WardenError(.launch, "the DNS relay cannot start: \(String(cString: strerror(errno)))") }
        let relay = DNSRelay(policy: policy, trail: trail, upstream: upstream, canaries: canaries, datagram: dgram, stream: stream, upstreamSocket: up, wake: pipeFDs)
        relay.finder = finder
        var t = pthread_t()
        let box = Unmanaged.passRetained(relay)
        guard pthread_create(&t, nil, { arg in
            let r = Unmanaged<DNSRelay>.fromOpaque(arg!).takeRetainedValue()
            r.loop()
            return nil
        }, box.toOpaque()) == 0 else {
            box.release()
            throw WardenError(.launch, "the DNS relay cannot start a thread")
        }
        relay.thread = t
        return relay
    }

    init(policy: NetworkPolicy.Compiled, trail: (any EventRecorder)?, upstream: SocketAddressBytes, canaries: CanaryMatcher,
         datagram: Int32, stream: Int32, upstreamSocket: Int32, wake: [Int32]) {
        self.policy = policy
        self.trail = trail
        self.upstream = upstream
        self.canaries = canaries
        self.datagramListener = datagram
        self.streamListener = stream
        self.upstreamSocket = upstreamSocket
        self.wake = wake
    }

    static func listen(_ path: String, type: Int32) throws -> Int32 {
        unlink(path)
        let fd = socket(AF_UNIX, type | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0, ww_bind_unix(fd, path) == 0, Glibc.listen(fd, 128) == 0 else {
            throw WardenError(.launch, "the DNS relay cannot listen on \(path): \(String(cString: strerror(errno)))")
        }
        return fd
    }

    func stop() {
        var b: UInt8 = 1
        _ = write(wake[1], &b, 1)
        if let t = thread { pthread_join(t, nil) }
        thread = nil
    }

    // MARK: the loop

    func loop() {
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            var fds = [pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0),
                       pollfd(fd: datagramListener, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: streamListener, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: upstreamSocket, events: Int16(POLLIN), revents: 0)]
            let clientFDs = clients.filter { !$0.value.readClosed }.map(\.key)
            for c in clientFDs { fds.append(pollfd(fd: c, events: Int16(POLLIN), revents: 0)) }
            let r = poll(&fds, nfds_t(fds.count), pending.isEmpty ? -1 : 500)
            if r < 0 && errno != EINTR { break }
            if fds[0].revents != 0 { break }
            if fds[1].revents != 0 { accept(datagramListener, stream: false) }
            if fds[2].revents != 0 { accept(streamListener, stream: true) }
            if fds[3].revents != 0 { readUpstream(&buf) }
            for (i, c) in clientFDs.enumerated() where fds[4 + i].revents != 0 { readClient(c, &buf) }
            expire()
        }
        for c in clients.keys { close(c) }
        for fd in [datagramListener, streamListener, upstreamSocket, wake[0], wake[1]] { close(fd) }
    }

    func accept(_ listener: Int32, stream: Bool) {
        while true {
            let fd = Glibc.accept(listener, nil, nil)
            if fd < 0 { return }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, O_NONBLOCK)
            if clients.count >= Self.maxClients {
                trail?.record("dns_dropped", [("reason", .string("more than \(Self.maxClients) open DNS connections"))])
                close(fd)
                continue
            }
            clients[fd] = Client(stream: stream, peer: ww_peer_pid(fd))
        }
    }

    func drop(_ fd: Int32) {
        clients[fd] = nil
        close(fd)
        for (id, p) in pending where p.client == fd { pending[id] = nil }
    }

    func readClient(_ fd: Int32, _ buf: inout [UInt8]) {
        guard var c = clients[fd] else { return }
        let n = recv(fd, &buf, buf.count, 0)
        if n <= 0 {
            if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
            if n == 0 && pending.values.contains(where: { $0.client == fd }) { c.readClosed = true; clients[fd] = c; return }
            return drop(fd)
        }
        if !c.stream { return query(Array(buf[0..<n]), from: fd, stream: false) }
        c.buffer += buf[0..<n]
        while c.buffer.count >= 2 {
            let length = Int(c.buffer[0]) << 8 | Int(c.buffer[1])
            guard c.buffer.count >= 2 + length else { break }
            let message = Array(c.buffer[2..<(2 + length)])
            c.buffer.removeFirst(2 + length)
            clients[fd] = c
            query(message, from: fd, stream: true)
            guard let again = clients[fd] else { return }
            c = again
        }
        if c.buffer.count > 70000 { return drop(fd) }
        clients[fd] = c
    }

    func send(_ message: [UInt8], to fd: Int32) {
        guard let c = clients[fd] else { return }
        let framed = c.stream ? [UInt8(message.count >> 8), UInt8(message.count & 0xff)] + message : message
        _ = framed.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        // One query per bridge connection on the UDP side; a stream that said all it will is done too.
        if !c.stream || (c.readClosed && !pending.values.contains(where: { $0.client == fd })) { drop(fd) }
    }

    func query(_ bytes: [UInt8], from fd: Int32, stream: Bool) {
        let message: DNSMessage
        do { message = try DNSMessage.parse(bytes) } catch {
            trail?.record("dns_malformed", [("direction", .string("query")), ("bytes", .int(Int64(bytes.count))), ("error", .string("\(error)"))])
            if let reply = DNSResponse.error(for: bytes, rcode: 1) { send(reply, to: fd) } else if !stream { drop(fd) }
            return
        }
        guard !message.isResponse, let q = message.questions.first else {
            trail?.record("dns_malformed", [("direction", .string("query")), ("bytes", .int(Int64(bytes.count))), ("error", .string("no question"))])
            if !stream { drop(fd) }
            return
        }
        let name = q.name
        if var c = clients[fd], c.asker == nil, let finder {
            c.asker = finder.dnsClient(peer: c.peer, stream: stream)
            clients[fd] = c
        }
        let asker = clients[fd]?.asker
        let inName = message.questions.lazy.compactMap { q in self.canaries.find(inName: q.name).map { (q.name, $0) } }.first
        if let (named, hit) = inName ?? canaries.find(in: bytes).map({ (name, $0) }) {
            trail?.record(VisibilityEvent.exfiltration, pid: asker?.pid, chain: asker?.chain ?? [], [
                ("destination", .string(named)), ("channel", .string("dns")), ("stands_for", .string(hit.token.standsFor)), ("closed", .bool(true)),
            ])
            if let reply = DNSResponse.error(for: bytes, rcode: 5) { send(reply, to: fd) } else if !stream { drop(fd) }
            return
        }
        let decision = policy.decide(host: name)
        trail?.record("dns_query", pid: asker?.pid, chain: asker?.chain ?? [], [("name", .string(name)), ("type", .string(DNSType.name(q.type))), ("transport", .string(stream ? "tcp" : "udp")),
                                    ("allowed", .bool(decision.allowed)), ("rule", .string(decision.rule))])
        guard decision.allowed else {
            if let reply = DNSResponse.error(for: bytes, rcode: 3) {
                trail?.record("dns_answer", pid: asker?.pid, chain: asker?.chain ?? [], [("name", .string(name)), ("type", .string(DNSType.name(q.type))), ("rcode", .string("NXDOMAIN")),
                                             ("answers", .strings([])), ("by", .string("ww (refused name)"))])
                send(reply, to: fd)
            }
            return
        }
        guard pending.count < Self.maxPending else {
            trail?.record("dns_dropped", [("reason", .string("more than \(Self.maxPending) queries in flight"))])
            if let reply = DNSResponse.error(for: bytes, rcode: 2) { send(reply, to: fd) }
            return
        }
        // A fresh id per forwarded query: answers are matched to their client by it.
        var id = nextID
        while pending[id] != nil { id &+= 1 }
        nextID = id &+ 1
        var forwarded = bytes
        forwarded[0] = UInt8(id >> 8); forwarded[1] = UInt8(id & 0xff)
        pending[id] = Pending(client: fd, originalID: message.id, question: name, started: EventClock.now(), query: forwarded)
        _ = upstream.withSockaddr { addr, len in forwarded.withUnsafeBytes { sendto(upstreamSocket, $0.baseAddress, $0.count, 0, addr, len) } }
    }

    func readUpstream(_ buf: inout [UInt8]) {
        while true {
            let n = recv(upstreamSocket, &buf, buf.count, 0)
            if n <= 0 { return }
            guard n >= 2 else { continue }
            let id = UInt16(buf[0]) << 8 | UInt16(buf[1])
            guard let p = pending[id] else { continue }
            pending[id] = nil
            var answer = Array(buf[0..<n])
            if n >= 3, answer[2] & 0x02 != 0, let full = tcpQuery(p.query) { answer = full }   // truncated: ask again over TCP
            answer[0] = UInt8(p.originalID >> 8); answer[1] = UInt8(p.originalID & 0xff)
            record(answer, question: p.question, asker: clients[p.client]?.asker)
            send(answer, to: p.client)
        }
    }

    func record(_ answer: [UInt8], question: String, asker: (pid: pid_t, chain: [AuditEvent.ProcessLink])? = nil) {
        do {
            let m = try DNSMessage.parse(answer)
            let q = m.questions.first
            trail?.record("dns_answer", pid: asker?.pid, chain: asker?.chain ?? [], [
                ("name", .string(q?.name ?? question)), ("type", .string(q.map { DNSType.name($0.type) } ?? "?")),
                ("rcode", .string(DNSType.rcodeName(m.rcode))),
                ("answers", .strings(m.answers.map(\.auditText))),
                ("by", .string("upstream")),
            ])
        } catch {
            trail?.record("dns_malformed", [("direction", .string("answer")), ("name", .string(question)), ("bytes", .int(Int64(answer.count))), ("error", .string("\(error)"))])
        }
    }

    /// The same query over TCP to the upstream server (2 s at most); nil on any failure.
    func tcpQuery(_ query: [UInt8]) -> [UInt8]? {
        let fd = socket(upstream.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard upstream.withSockaddr({ connect(fd, $0, $1) }) == 0 else { return nil }
        let framed = [UInt8(query.count >> 8), UInt8(query.count & 0xff)] + query
        guard framed.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == framed.count else { return nil }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if out.count >= 2, out.count >= 2 + (Int(out[0]) << 8 | Int(out[1])) { break }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            out += chunk[0..<n]
        }
        let length = Int(out[0]) << 8 | Int(out[1])
        return Array(out[2..<(2 + length)])
    }

    func expire() {
        let now = EventClock.now()
        for (id, p) in pending where now - p.started > Self.timeoutNanoseconds {
            pending[id] = nil
            trail?.record("dns_answer", [("name", .string(p.question)), ("rcode", .string("SERVFAIL")), ("answers", .strings([])), ("by", .string("ww (upstream did not answer in 4 s)"))])
            var q = p.query
            q[0] = UInt8(p.originalID >> 8); q[1] = UInt8(p.originalID & 0xff)
            if let reply = DNSResponse.error(for: q, rcode: 2) { send(reply, to: p.client) }
        }
    }
}
