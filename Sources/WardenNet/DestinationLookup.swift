import Dispatch
import Glibc
import Synchronization
import NIOCore
import NIOPosix
import WardenCore
import WardenLinux

/// Where an admitted request goes: the addresses checked for it (nil: a name the upstream proxy resolves).
struct Destination {
    var host: String
    var port: Int
    var addresses: [IPAddress]?
}

enum Admission {
    case allowed(Destination)
    /// The rule or range that refused it (already recorded as `proxy_deny`).
    case refused(String)
}

struct NameNotFound: Error, CustomStringConvertible {
    let host: String
    var description: String { "\(host) has no address" }
}

extension ProxyContext {
    /// The addresses of `host`, looked up once: at `upstream_dns` when set (as the DNS relay does),
    /// else with the host's resolver (getaddrinfo, off the event loop). A literal is itself.
    func resolve(host: String, literal: IPAddress?, port: Int, on loop: EventLoop) -> EventLoopFuture<[IPAddress]> {
        if let literal { return loop.makeSucceededFuture([literal]) }
        let promise = loop.makePromise(of: [IPAddress].self)
        let server = nameServer
        DispatchQueue.global().async {
            let found: [IPAddress]
            if let server {
                found = (UpstreamResolver.lookup(host, type: 28, server: server) + UpstreamResolver.lookup(host, type: 1, server: server)).compactMap { IPAddress($0) }
            } else {
                found = SystemResolver.lookup(host)
            }
            if found.isEmpty { promise.fail(NameNotFound(host: host)) } else { promise.succeed(found) }
        }
        return promise.futureResult
    }
}

/// The host's resolver (getaddrinfo: /etc/hosts, then DNS), for stream sockets.
enum SystemResolver {
    static func lookup(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var out: [IPAddress] = []
        var p = list
        while let ai = p {
            if let a = ai.pointee.ai_addr, let ip = HostAddresses.address(a), !out.contains(ip) { out.append(ip) }
            p = ai.pointee.ai_next
        }
        return out
    }
}

/// Answers NIO's lookups with addresses already checked: happy eyeballs over them, no second lookup.
final class CheckedAddresses: Resolver, @unchecked Sendable {
    let addresses: [NIOCore.SocketAddress]
    let loop: EventLoop
    init(_ addresses: [NIOCore.SocketAddress], loop: EventLoop) {
        self.addresses = addresses
        self.loop = loop
    }
    func initiateAQuery(host: String, port: Int) -> EventLoopFuture<[NIOCore.SocketAddress]> {
        loop.makeSucceededFuture(addresses.filter { $0.protocol == .inet })
    }
    func initiateAAAAQuery(host: String, port: Int) -> EventLoopFuture<[NIOCore.SocketAddress]> {
        loop.makeSucceededFuture(addresses.filter { $0.protocol == .inet6 })
    }
    func cancelQueries() {}
}

/// This machine's interface addresses (getifaddrs), re-read at most once a second: a name that
/// resolves to one of them reaches the host itself, like loopback.
final class HostAddresses: Sendable {
    static let shared = HostAddresses()
    let cache = Mutex<(read: UInt64, addresses: Set<IPAddress>)>((0, []))

    func current() -> Set<IPAddress> {
        let now = EventClock.monotonic()
        return cache.withLock { c in
            if c.read == 0 || now - c.read > 1_000_000_000 { c = (now, Self.read()) }
            return c.addresses
        }
    }

    static func read() -> Set<IPAddress> {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var out = Set<IPAddress>()
        var p = list
        while let i = p {
            if let a = i.pointee.ifa_addr, let ip = address(a) { out.insert(ip) }
            p = i.pointee.ifa_next
        }
        return out
    }

    static func address(_ a: UnsafePointer<sockaddr>) -> IPAddress? {
        switch Int32(a.pointee.sa_family) {
        case AF_INET:
            return a.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                withUnsafeBytes(of: sin.pointee.sin_addr) { IPAddress(bytes: Array($0)) }
            }
        case AF_INET6:
            return a.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                withUnsafeBytes(of: sin6.pointee.sin6_addr) { IPAddress(bytes: Array($0)).map { IPAddress($0.description) ?? $0 } }
            }
        default:
            return nil
        }
    }
}
