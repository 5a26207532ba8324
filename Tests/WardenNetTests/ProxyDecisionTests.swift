import Foundation
import XCTest
import WardenCore
@testable import WardenNet

/// The real proxy (its HTTP and SOCKS5 listeners, as a session starts them) against an origin on
/// the host's 127.0.0.1: every spelling of a loopback address is refused with `*` allowed, and
/// recorded as `proxy_deny` with the reason; `allow_local` lets exactly the named one through.
final class ProxyDecisionTests: XCTestCase {
    /// Spellings of 127.0.0.1 a resolver, curl or a browser accepts.
    static let loopbackSpellings = ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1", "127.0.0.1.",
                                    "[::ffff:127.0.0.1]", "[::1]", "localhost", "0.0.0.0", "0"]

    func testEverySpellingOfLoopbackIsRefusedThroughPlainHTTPWithEverythingAllowed() throws {
        let origin = try LoopbackOrigin()
        let proxy = try LiveProxy(allow: ["*"])
        for host in Self.loopbackSpellings {
            let answer = try proxy.request("GET http://\(host):\(origin.port)/ HTTP/1.1")
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 403"), "\(host): \(answer)")
            XCTAssertNotNil(proxy.events.waitFor("proxy_deny") { $0["host"]?.text == host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]")) && $0["via"]?.text == "http" },
                            "\(host): \(proxy.events.of("proxy_deny"))")
        }
        let userinfo = try proxy.request("GET http://allowed.example@127.1:\(origin.port)/ HTTP/1.1")
        XCTAssertTrue(userinfo.hasPrefix("HTTP/1.1 403"), userinfo)
        XCTAssertEqual(origin.count, 0, "the origin on loopback was reached")
        XCTAssertTrue(proxy.events.of("proxy_allow").isEmpty, "\(proxy.events.of("proxy_allow"))")
    }

    func testEverySpellingOfLoopbackIsRefusedThroughCONNECTAndSOCKS() throws {
        let origin = try LoopbackOrigin()
        let proxy = try LiveProxy(allow: ["*"])
        for host in Self.loopbackSpellings {
            let c = try proxy.http()
            try c.send(Array("CONNECT \(host):\(origin.port) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let answer = String(decoding: c.readToEnd(), as: UTF8.self)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 403"), "CONNECT \(host): \(answer)")
            let name = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            XCTAssertEqual(try proxy.socksConnect(name: name, port: origin.port), 2, "SOCKS5 \(name)")
        }
        XCTAssertEqual(origin.count, 0, "the origin on loopback was reached")
        let denied = proxy.events.of("proxy_deny")
        XCTAssertEqual(denied.filter { $0["via"]?.text == "socks5" }.count, Self.loopbackSpellings.count, "\(denied)")
        XCTAssertEqual(denied.filter { $0["via"]?.text == "http-connect" }.count, Self.loopbackSpellings.count, "\(denied)")
    }

    func testANameResolvingToLoopbackIsRefusedForItsAddressWithTheReason() throws {
        let origin = try LoopbackOrigin()
        let proxy = try LiveProxy(allow: ["localhost"])
        let answer = try proxy.request("GET http://localhost:\(origin.port)/ HTTP/1.1")
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 403"), answer)
        XCTAssertTrue(answer.contains("loopback"), answer)
        let deny = try XCTUnwrap(proxy.events.waitFor("proxy_deny"))
        XCTAssertTrue(deny["rule"]?.text?.contains("is loopback, not in allow_local") == true, "\(deny)")
        if case .strings(let a)? = deny["addresses"] { XCTAssertTrue(a.allSatisfy { $0 == "127.0.0.1" || $0 == "::1" }, "\(a)") } else { XCTFail("no addresses: \(deny)") }
        XCTAssertEqual(origin.count, 0)
    }

    func testAllowLocalLetsExactlyTheNamedAddressAndPortThrough() throws {
        let origin = try LoopbackOrigin()
        let other = try LoopbackOrigin()
        let proxy = try LiveProxy(allow: ["*", "127.0.0.1"], allowLocal: ["127.0.0.1:\(origin.port)"])
        for host in ["127.0.0.1", "127.1", "0x7f000001"] {
            let answer = try proxy.request("GET http://\(host):\(origin.port)/ HTTP/1.1")
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200") && answer.hasSuffix("ok"), "\(host): \(answer)")
        }
        XCTAssertEqual(try proxy.socksConnect(name: "127.1", port: origin.port), 0)
        XCTAssertEqual(origin.count(reaching: 4), 4)
        let refused = try proxy.request("GET http://127.0.0.1:\(other.port)/ HTTP/1.1")
        XCTAssertTrue(refused.hasPrefix("HTTP/1.1 403"), "another port of the same address: \(refused)")
        XCTAssertEqual(other.count, 0)
        let allow = try XCTUnwrap(proxy.events.waitFor("proxy_allow") { $0["via"]?.text == "socks5" })
        XCTAssertEqual(allow["rule"]?.text, "allow_domains 127.0.0.1; allow_local 127.0.0.1:\(origin.port)")
    }

    func testALiteralOutsideAllowDomainsStaysRefusedEvenWhenAllowLocalNamesIt() throws {
        let origin = try LoopbackOrigin()
        let proxy = try LiveProxy(allow: ["*"], allowLocal: ["127.0.0.1:\(origin.port)"])
        let literal = try proxy.request("GET http://127.1:\(origin.port)/ HTTP/1.1")
        XCTAssertTrue(literal.hasPrefix("HTTP/1.1 403"), literal)
        XCTAssertTrue(literal.contains("literal address"), literal)
        // A name that resolves there is the way allow_local is meant for (::1, if localhost has it, is not named: left out).
        let named = try proxy.request("GET http://localhost:\(origin.port)/ HTTP/1.1")
        XCTAssertTrue(named.hasPrefix("HTTP/1.1 200") && named.hasSuffix("ok"), named)
        XCTAssertEqual(origin.count, 1)
        let allow = try XCTUnwrap(proxy.events.waitFor("proxy_allow"))
        XCTAssertEqual(allow["addresses"], .strings(["127.0.0.1"]), "\(allow)")
        XCTAssertTrue(allow["rule"]?.text?.contains("allow_local 127.0.0.1:\(origin.port)") == true, "\(allow)")
    }

    func testAClientThatNeverSpeaksIsDroppedAfterTheConfiguredIdleTimeoutAndTheEnvironmentChangesNothing() throws {
        setenv("WW_TEST_PROXY_IDLE_SECONDS", "1", 1)
        defer { unsetenv("WW_TEST_PROXY_IDLE_SECONDS") }
        let proxy = try LiveProxy(allow: ["*"], idleTimeout: 4)
        let started = Date()
        let silent = try proxy.http()
        XCTAssertTrue(silent.closedByPeer(timeout: 30), "a silent client is dropped")
        // A timer cannot fire early: the variable that shortened it on main no longer does.
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 3.5)
        XCTAssertNotNil(proxy.events.waitFor("proxy_garbage") { $0["error"]?.text == "no request in time" })
    }
}
