import Dispatch
import NIOCore
import NIOPosix
import WardenCore
import WardenLinux

/// Names the proxy connects to are looked up at the same server the DNS relay uses
/// (`upstream_dns`), so the game and its proxy agree on what a name is. Literal addresses pass as is.
final class UpstreamResolver: Resolver, @unchecked Sendable {
    let server: SocketAddressBytes
    let loop: EventLoop

    init(server: SocketAddressBytes, loop: EventLoop) {
        self.server = server
        self.loop = loop
    }

    func initiateAQuery(host: String, port: Int) -> EventLoopFuture<[NIOCore.SocketAddress]> { query(host, type: 1, port: port) }
    func initiateAAAAQuery(host: String, port: Int) -> EventLoopFuture<[NIOCore.SocketAddress]> { query(host, type: 28, port: port) }
    func cancelQueries() {}

    func query(_ host: String, type: UInt16, port: Int) -> EventLoopFuture<[NIOCore.SocketAddress]> {
        if let ip = IPAddress(host) {
            let wanted = (type == 1) == ip.isV4
            return loop.makeSucceededFuture(wanted ? [try! NIOCore.SocketAddress(ipAddress: ip.description, port: port)].compactMap { $0 } : [])
        }
        let promise = loop.makePromise(of: [NIOCore.SocketAddress].self)
        let server = self.server
        DispatchQueue.global().async {
            let answers = Self.lookup(host, type: type, server: server)
            promise.succeed(answers.compactMap { try? NIOCore.SocketAddress(ipAddress: $0, port: port) })
        }
        return promise.futureResult
    }

    /// The A or AAAA records of the upstream's answer, as text (2 s, one retry).
    static func lookup(_ host: String, type: UInt16, server: SocketAddressBytes) -> [String] {
        guard let q = DNSQuery.build(id: UInt16.random(in: 1...UInt16.max), name: host, type: type),
              let m = DNSExchange.udp(q, to: server, attempts: 2) else { return [] }
        return m.answers.compactMap {
            switch $0.data {
            case .a(let t) where type == 1: return t
            case .aaaa(let t) where type == 28: return t
            default: return nil
            }
        }
    }
}
