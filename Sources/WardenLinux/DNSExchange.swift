import Glibc
import WardenCore

/// An IPv4/IPv6 socket address built from an `IPAddress`.
public struct SocketAddressBytes: Sendable {
    public var ip: IPAddress
    public var port: Int

    public init(ip: IPAddress, port: Int) {
        self.ip = ip
        self.port = port
    }

    public var family: Int32 { ip.isV4 ? AF_INET : AF_INET6 }

    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        if ip.isV4 {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeMutableBytes(of: &a.sin_addr) { $0.copyBytes(from: ip.bytes) }
            return withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        var a = sockaddr_in6()
        a.sin6_family = sa_family_t(AF_INET6)
        a.sin6_port = in_port_t(UInt16(port).bigEndian)
        withUnsafeMutableBytes(of: &a.sin6_addr) { $0.copyBytes(from: ip.bytes) }
        return withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
    }
}

/// One DNS question over UDP to a server and its answer: the observe mode's own lookup of what the
/// game asked, and the proxy's name lookups at `upstream_dns`.
public enum DNSExchange {
    /// Sends `query` (up to `attempts` times, 2 s each) and returns the first answer carrying its id.
    public static func udp(_ query: [UInt8], to server: SocketAddressBytes, attempts: Int = 1) -> DNSMessage? {
        guard query.count >= 2 else { return nil }
        let id = UInt16(query[0]) << 8 | UInt16(query[1])
        let fd = socket(server.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard server.withSockaddr({ connect(fd, $0, $1) }) == 0 else { return nil }
        var buf = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<attempts {
            guard query.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == query.count else { return nil }
            while true {
                let n = recv(fd, &buf, buf.count, 0)
                if n <= 0 { break }   // timed out: ask again
                if let m = try? DNSMessage.parse(Array(buf[0..<n])), m.id == id, m.isResponse { return m }
            }
        }
        return nil
    }
}
