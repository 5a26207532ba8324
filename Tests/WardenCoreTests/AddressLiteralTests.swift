import XCTest
@testable import WardenCore

/// Issue 17 item 4: every spelling of an address is read as that address, and the local ranges
/// are recognised, so the proxy decides on what it connects to.
final class AddressLiteralTests: XCTestCase {
    func testEverySpellingOfLoopbackIsOneAddress() {
        for s in ["127.0.0.1", "127.1", "127.0.1", "2130706433", "0x7f000001", "0X7F000001", "0177.0.0.1", "0x7f.0.0.1",
                  "0177.1", "017700000001", "127.0.0.1.", "[127.0.0.1]", "::ffff:127.0.0.1", "[::ffff:7f00:1]", "[::ffff:127.0.0.1]."] {
            XCTAssertEqual(IPAddress.literal(s)?.description, "127.0.0.1", s)
        }
        XCTAssertEqual(IPAddress.literal("[::1]")?.description, "::1")
        XCTAssertEqual(IPAddress.literal("0:0:0:0:0:0:0:1")?.description, "::1")
        XCTAssertEqual(IPAddress.literal("fe80::1%eth0")?.description, "fe80::1")
        XCTAssertEqual(IPAddress.literal("0")?.description, "0.0.0.0")
        XCTAssertEqual(IPAddress.literal("10.1")?.description, "10.0.0.1")
        XCTAssertEqual(IPAddress.literal("192.168.257")?.description, "192.168.1.1")
        XCTAssertEqual(IPAddress.literal("0x")?.description, "0.0.0.0")
    }

    func testNamesAndMalformedLiteralsAreNotAddresses() {
        for s in ["localhost", "example.com", "127.0.0.1.example", "256.0.0.1", "1.2.3.4.5", "4294967296", "0x1g", "08.0.0.1",
                  "1..2", "", ".", "+127.0.0.1", "127.0.0.-1", "127.256.1", "[::1", "::1::", "127.0.0.1..", "１２７.0.0.1"] {
            XCTAssertNil(IPAddress.literal(s), s)
        }
    }

    func testLocalRangesAreRecognised() {
        let cases: [(String, LocalRange?)] = [
            ("127.0.0.1", .loopback), ("127.255.255.254", .loopback), ("::1", .loopback), ("0.0.0.0", .thisNetwork), ("0.1.2.3", .thisNetwork),
            ("::", .unspecified), ("169.254.169.254", .linkLocal), ("fe80::1", .linkLocal), ("10.0.0.1", .privateNetwork),
            ("172.16.0.1", .privateNetwork), ("172.31.255.255", .privateNetwork), ("192.168.1.10", .privateNetwork),
            ("100.64.0.1", .sharedAddressSpace), ("100.127.255.255", .sharedAddressSpace), ("fc00::1", .uniqueLocal), ("fd12::5", .uniqueLocal),
            ("224.0.0.251", .multicast), ("ff02::1", .multicast), ("255.255.255.255", .reserved), ("::127.0.0.1", .ipv4Compatible),
            ("64:ff9b::7f00:1", .loopback), ("::ffff:10.0.0.1", .privateNetwork),
            ("172.32.0.1", nil), ("100.128.0.1", nil), ("192.0.2.1", nil), ("8.8.8.8", nil), ("2001:db8::1", nil), ("64:ff9b::808:808", nil),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(LocalRange.of(IPAddress(text)!), expected, text)
        }
        let own = IPAddress("203.0.113.9")!
        XCTAssertEqual(LocalRange.of(own, own: [own]), .hostAddress)
        XCTAssertNil(LocalRange.of(IPAddress("203.0.113.10")!, own: [own]))
    }

    func testTheProxyDecidesLiteralsAsTheAddressTheySpell() {
        let any = NetworkPolicy(allowDomains: ["*"]).compiled()
        for s in ["127.1", "2130706433", "0x7f000001", "[::ffff:127.0.0.1]", "127.0.0.1."] {
            let d = any.decide(host: s)
            XCTAssertFalse(d.allowed, s)
            XCTAssertEqual(d.rule, "a literal address no allow_domains entry covers", s)
        }
        XCTAssertTrue(any.decide(host: "example.com").allowed)
        let range = NetworkPolicy(allowDomains: ["127.0.0.0/8"]).compiled()
        XCTAssertTrue(range.decide(host: "0x7f000001").allowed)
        let denied = NetworkPolicy(allowDomains: ["*"], denyDomains: ["10.0.0.0/8"]).compiled()
        XCTAssertEqual(denied.decide(host: "012.1").rule, "deny_domains 10.0.0.0/8")
    }

    func testLocalAddressesNeedAllowLocalWithTheRightPort() {
        let none = NetworkPolicy(allowDomains: ["*"]).compiled()
        let lo = none.decide(address: IPAddress("127.0.0.1")!, port: 80, own: [])
        XCTAssertFalse(lo.allowed)
        XCTAssertEqual(lo.rule, "127.0.0.1:80 is loopback, not in allow_local")
        XCTAssertEqual(none.decide(address: IPAddress("fd00::5")!, port: 443, own: []).rule, "[fd00::5]:443 is a unique local IPv6 network (fc00::/7), not in allow_local")
        XCTAssertTrue(none.decide(address: IPAddress("192.0.2.7")!, port: 80, own: []).allowed)
        XCTAssertFalse(none.decide(address: IPAddress("192.0.2.7")!, port: 80, own: [IPAddress("192.0.2.7")!]).allowed)

        let lan = NetworkPolicy(allowDomains: ["*"], allowLocal: ["192.168.1.10:27015", "10.0.0.0/24", "[fd00::5]:443"]).compiled()
        XCTAssertEqual(lan.decide(address: IPAddress("192.168.1.10")!, port: 27015, own: []).rule, "allow_local 192.168.1.10:27015")
        XCTAssertFalse(lan.decide(address: IPAddress("192.168.1.10")!, port: 27016, own: []).allowed)
        XCTAssertTrue(lan.decide(address: IPAddress("10.0.0.200")!, port: 1, own: []).allowed)
        XCTAssertFalse(lan.decide(address: IPAddress("10.0.1.1")!, port: 1, own: []).allowed)
        XCTAssertTrue(lan.decide(address: IPAddress("fd00::5")!, port: 443, own: []).allowed)
        XCTAssertTrue(lan.decide(address: IPAddress("::ffff:192.168.1.10")!, port: 27015, own: []).allowed)
    }

    func testAllowLocalEntriesAreValidated() {
        for good in ["192.168.1.10:27015", "10.0.0.0/24", "[fd00::5]:443", "127.0.0.1"] { XCTAssertNotNil(LocalAllowance.parse(good), good) }
        for bad in ["*:25", "*", "lan.example:80", "192.168.1.10:0", "192.168.1.10:70000", "10.0.0.0/33"] { XCTAssertNil(LocalAllowance.parse(bad), bad) }
    }
}
