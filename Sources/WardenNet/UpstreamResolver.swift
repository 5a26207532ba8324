import Dispatch
import Glibc
import NIOCore
import NIOPosix
import WardenCore

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

    /// One UDP exchange (2 s, one retry); the A or AAAA records of the answer, as text.
    static func lookup(_ host: String, type: UInt16, server: SocketAddressBytes) -> [String] {
        let id = UInt16.random(in: 1...UInt16.max)
        guard let q = DNSQuery.build(id: id, name: host, type: type) else { return [] }
        let fd = socket(server.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard server.withSockaddr({ connect(fd, $0, $1) }) == 0 else { return [] }
        var buf = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<2 {
            _ = q.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            while true {
                let n = recv(fd, &buf, buf.count, 0)
                if n <= 0 { break }
                guard let m = try? DNSMessage.parse(Array(buf[0..<n])), m.id == id, m.isResponse else { continue }
                return m.answers.compactMap {
                    switch $0.data {
                    case .a(let t) where type == 1: return t
                    case .aaaa(let t) where type == 28: return t
                    default: return nil
                    }
                }
            }
        }
        return []
    }
}
