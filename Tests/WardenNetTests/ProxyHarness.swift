import Foundation
import Glibc
import Synchronization
import XCTest
import WardenCore
@testable import WardenNet

/// Collects what the proxy records, as the audit trail would.
final class RecordedEvents: EventRecorder {
    let events = Mutex<[(kind: String, details: [String: AuditEvent.Value])]>([])
    func record(_ kind: String, pid: Int32?, chain: [AuditEvent.ProcessLink], _ details: [(String, AuditEvent.Value)]) {
        events.withLock { $0.append((kind, Dictionary(details, uniquingKeysWith: { a, _ in a }))) }
    }
    func of(_ kind: String) -> [[String: AuditEvent.Value]] { events.withLock { $0.filter { $0.kind == kind }.map(\.details) } }

    /// Polls until an event of `kind` satisfying `match` is there (the proxy records off its event loop).
    func waitFor(_ kind: String, timeout: Double = 20, _ match: ([String: AuditEvent.Value]) -> Bool = { _ in true }) -> [String: AuditEvent.Value]? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let e = of(kind).first(where: match) { return e }
            usleep(10_000)
        }
        return nil
    }
}

extension AuditEvent.Value {
    var text: String? { if case .string(let s) = self { return s }; return nil }
}

/// A real proxy (NetworkServices, as a session starts it) on unix sockets in a temporary folder.
final class LiveProxy {
    let directory: String
    let services: NetworkServices
    let events = RecordedEvents()

    init(allow: [String], allowLocal: [String] = [], idleTimeout: Int = 30, canaries: CanaryTokens = CanaryTokens()) throws {
        directory = NSTemporaryDirectory() + "ww-net-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/net", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/inbound", withIntermediateDirectories: true)
        let plan = NetworkPlan(mode: .proxy, policy: NetworkPolicy(allowDomains: allow, allowLocal: allowLocal),
                               idleTimeout: idleTimeout, sessionDirectory: directory)
        services = try XCTUnwrap(try NetworkServices.start(plan, canaries: canaries, trail: events))
    }

    deinit {
        services.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A connection to one of the proxy's sockets.
    func connect(_ name: String, type: __socket_type = SOCK_STREAM) throws -> UnixClient { try UnixClient(path: directory + "/net/" + name, type: type) }
    func http() throws -> UnixClient { try connect(NetworkPlan.Socket.http) }
    func socks() throws -> UnixClient { try connect(NetworkPlan.Socket.socks) }

    /// One plain request line through the HTTP proxy; the whole answer (the proxy closes after it).
    func request(_ line: String) throws -> String {
        let c = try http()
        try c.send(Array("\(line)\r\nHost: test\r\n\r\n".utf8))
        return String(decoding: c.readToEnd(), as: UTF8.self)
    }

    /// A SOCKS5 CONNECT for a name: the reply code (0 succeeded, 2 not allowed, 4 unreachable).
    func socksConnect(name: String, port: Int) throws -> UInt8? {
        let c = try socks()
        try c.send([5, 1, 0])
        guard c.read(2) == [5, 0] else { return nil }
        try c.send([5, 1, 0, 3, UInt8(name.utf8.count)] + Array(name.utf8) + [UInt8(port >> 8), UInt8(port & 0xff)])
        let reply = c.read(10)
        return reply.count >= 2 ? reply[1] : nil
    }
}

/// A blocking unix stream (or, for the DNS relay, seqpacket) client; reads give up at a deadline.
final class UnixClient {
    let fd: Int32

    init(path: String, type: __socket_type = SOCK_STREAM) throws {
        let fd = socket(AF_UNIX, Int32(type.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        guard bytes.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else { throw POSIXError(.EPIPE) }
    }

    /// Up to `count` bytes, waiting at most `timeout` seconds in all.
    func read(_ count: Int, timeout: Double = 20) -> [UInt8] {
        var out: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while out.count < count, Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) >= 0 else { break }
            if p.revents == 0 { continue }
            var buf = [UInt8](repeating: 0, count: count - out.count)
            let n = Glibc.read(fd, &buf, buf.count)
            if n <= 0 { break }
            out += buf[..<n]
        }
        return out
    }

    /// Everything until the peer closes (or the deadline).
    func readToEnd(timeout: Double = 20) -> [UInt8] { read(1 << 20, timeout: timeout) }

    /// Whether the peer closed the connection, waiting up to `timeout` seconds.
    func closedByPeer(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 100) > 0 {
                var b: UInt8 = 0
                if Glibc.read(fd, &b, 1) <= 0 { return true }
            }
        }
        return false
    }
}

/// An HTTP origin on 127.0.0.1 (an ephemeral port) answering every connection with "ok", counting
/// them and keeping what they sent.
final class LoopbackOrigin {
    let fd: Int32
    let port: Int
    final class Counter: Sendable {
        let value = Mutex(0)
        let received = Mutex<[UInt8]>([])
    }
    let served = Counter()
    var thread: Thread?

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 } }
        guard bound, listen(fd, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: addr.sin_port))
        let listener = fd, served = self.served
        let t = Thread {
            while true {
                let c = accept(listener, nil, nil)
                if c < 0 { return }
                served.value.withLock { $0 += 1 }
                var buf = [UInt8](repeating: 0, count: 4096)
                let n = Glibc.read(c, &buf, buf.count)
                if n > 0 { served.received.withLock { $0 += buf[..<n] } }
                let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".utf8)
                _ = answer.withUnsafeBytes { Glibc.send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(c)
            }
        }
        t.start()
        thread = t
    }

    var count: Int { served.value.withLock { $0 } }

    /// The count once it reaches `n` (or the deadline passes): a connection the kernel completed may not
    /// have been accepted by the origin's thread yet.
    func count(reaching n: Int, timeout: Double = 10) -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while count < n && Date() < deadline { usleep(2_000) }
        return count
    }
    var received: String { String(decoding: served.received.withLock { $0 }, as: UTF8.self) }

    deinit { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}
