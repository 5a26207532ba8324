import XCTest
import WardenCore
@testable import WardenNet

final class RequestParsingTests: XCTestCase {
    func testAbsoluteURLSplitsHostPortAndPath() throws {
        let u = try XCTUnwrap(AbsoluteURL("http://Example.com:8080/a/b?q=1"))
        XCTAssertEqual(u.host, "example.com")
        XCTAssertEqual(u.port, 8080)
        XCTAssertEqual(u.path, "/a/b?q=1")
        XCTAssertEqual(u.hostHeader, "Example.com:8080")
        let bare = try XCTUnwrap(AbsoluteURL("HTTP://example.com?x"))
        XCTAssertEqual(bare.port, 80)
        XCTAssertEqual(bare.path, "/?x")
    }

    func testAbsoluteURLDropsUserinfoAndKeepsTheRealHost() throws {
        let u = try XCTUnwrap(AbsoluteURL("http://allowed.example.com@127.1:81/x"))
        XCTAssertEqual(u.host, "127.1")
        XCTAssertEqual(u.port, 81)
        XCTAssertEqual(u.hostHeader, "127.1:81")
        let two = try XCTUnwrap(AbsoluteURL("http://a@b@0x7f000001/"))
        XCTAssertEqual(IPAddress.literal(two.host)?.description, "127.0.0.1")
    }

    func testAbsoluteURLRefusesWhatIsNotPlainHTTP() {
        XCTAssertNil(AbsoluteURL("https://example.com/"))
        XCTAssertNil(AbsoluteURL("/relative"))
        XCTAssertNil(AbsoluteURL("http://exa mple.com/"))
        XCTAssertNil(AbsoluteURL("http://example.com:0/"))
        XCTAssertNil(AbsoluteURL("http://example.com:65536/"))
        XCTAssertNil(AbsoluteURL("http:///"))
    }

    func testBracketedIPv6AuthorityIsOneHost() throws {
        let u = try XCTUnwrap(AbsoluteURL("http://[::ffff:127.0.0.1]:8080/"))
        XCTAssertEqual(u.port, 8080)
        XCTAssertEqual(IPAddress.literal(u.host)?.description, "127.0.0.1")
    }

    func testSOCKSRequestsAreReadAndAnsweredByCode() throws {
        let proxy = try LiveProxy(allow: ["allowed.test"])
        // A name outside the policy: "not allowed" (2) and a record.
        XCTAssertEqual(try proxy.socksConnect(name: "other.test", port: 80), 2)
        XCTAssertNotNil(proxy.events.waitFor("proxy_deny") { $0["host"]?.text == "other.test" && $0["rule"]?.text == "not in allow_domains" })
        // Only CONNECT is served: BIND (2) is "command not supported" (7).
        let c = try proxy.socks()
        try c.send([5, 1, 0])
        XCTAssertEqual(c.read(2), [5, 0])
        try c.send([5, 2, 0, 1, 192, 0, 2, 1, 0, 80])
        XCTAssertEqual(c.read(10).dropFirst().first, 7)
        // A client offering only authentication gets "no acceptable method".
        let auth = try proxy.socks()
        try auth.send([5, 1, 2])
        XCTAssertEqual(auth.read(2), [5, 0xff])
        XCTAssertNotNil(proxy.events.waitFor("proxy_garbage") { $0["via"]?.text == "socks5" })
    }

    func testGarbageOnTheHTTPSocketIsABadRequestAndRecorded() throws {
        let proxy = try LiveProxy(allow: ["*"])
        let answer = try proxy.request("GET /not-absolute HTTP/1.1")
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 400"), answer)
        XCTAssertNotNil(proxy.events.waitFor("proxy_garbage") { $0["via"]?.text == "http" })
    }
}
