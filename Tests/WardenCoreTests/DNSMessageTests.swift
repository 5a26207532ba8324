import XCTest
@testable import WardenCore

// Fixtures: real packets captured between `dig` (BIND 9.18.49) and dnsmasq 2.90 through a
// small python3 UDP relay on 127.0.0.1:53536 that forwarded to dnsmasq on :53535 and printed the hex of
// both directions. dnsmasq ran as
//
//   dnsmasq --no-daemon --port=53535 --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
//     --conf-file=/dev/null --local=/ww.test/ \
//     --host-record=www.ww.test,93.184.216.34 --host-record=v6.ww.test,2001:db8::1 \
//     --host-record=mail.ww.test,10.0.0.25 --host-record=sip.ww.test,10.0.0.50 \
//     --cname=alias.ww.test,www.ww.test --cname=chain.ww.test,alias.ww.test \
//     --mx-host=ww.test,mail.ww.test,10 \
//     --txt-record=txt.ww.test,"v=spf1 -all","second" --txt-record=quote.ww.test,'say "hi"','café' \
//     --srv-host=_sip._udp.ww.test,sip.ww.test,5060,0,5 \
//     [--auth-zone=ww.test --auth-server=ns1.ww.test,127.0.0.1 --auth-soa=2024010101,hostmaster.ww.test]
//
// "authoritative" below means with the bracketed options (AA, NS in authority, SOA in NXDOMAIN, TTL 600),
// "plain" without them (CNAME chains followed, MX with its address in additionals, TTL 0, RA set).
enum DNSFixtures {
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8).filter { !$0.isWhitespace }
        return stride(from: 0, to: digits.count - 1, by: 2).map {
            UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)!
        }
    }

    /// `dig @127.0.0.1 -p 53536 www.ww.test A` — the query as dig sent it (EDNS OPT with a cookie in additionals).
    static let aQuery = hex("""
        3f7801200001000000000001037777770277770474657374000001000100002904d000000000000c000a0008ecdbd7b2
        b4773e75
        """)
    /// `dig @127.0.0.1 -p 53536 www.ww.test A` — the response of the authoritative dnsmasq.
    static let aResponse = hex("""
        3f78850000010001000100010377777702777704746573740000010001c00c000100010000025800045db8d822027777
        0474657374000002000100000258000d036e733102777704746573740000002904d0000000000000
        """)
    /// `dig @127.0.0.1 -p 53536 v6.ww.test AAAA` — the response of the authoritative dnsmasq.
    static let aaaaResponse = hex("""
        810885000001000100010001027636027777047465737400001c0001c00c001c000100000258001020010db800000000
        00000000000000010277770474657374000002000100000258000d036e733102777704746573740000002904d0000000
        000000
        """)
    /// `dig @127.0.0.1 -p 53536 txt.ww.test TXT` — the response of the authoritative dnsmasq.
    static let txtResponse = hex("""
        e855850000010001000100010374787402777704746573740000100001c00c001000010000025800130b763d73706631
        202d616c6c067365636f6e640277770474657374000002000100000258000d036e733102777704746573740000002904
        d0000000000000
        """)
    /// `dig @127.0.0.1 -p 53536 quote.ww.test TXT` — the response of the authoritative dnsmasq.
    static let txtEscapedResponse = hex("""
        8b9d850000010001000100010571756f746502777704746573740000100001c00c0010000100000258000f0873617920
        2268692205636166c3a90277770474657374000002000100000258000d036e733102777704746573740000002904d000
        0000000000
        """)
    /// `dig @127.0.0.1 -p 53536 _sip._udp.ww.test SRV` — the response of the authoritative dnsmasq.
    static let srvResponse = hex("""
        d21285000001000100010001045f736970045f75647002777704746573740000210001c00c0021000100000258001300
        00000513c4037369700277770474657374000277770474657374000002000100000258000d036e733102777704746573
        740000002904d0000000000000
        """)
    /// `dig @127.0.0.1 -p 53536 ww.test NS` — the response of the authoritative dnsmasq.
    static let nsResponse = hex("""
        20ac85000001000100000001027777047465737400000200010277770474657374000002000100000258000d036e7331
        02777704746573740000002904d0000000000000
        """)
    /// `dig @127.0.0.1 -p 53536 ww.test SOA` — the response of the authoritative dnsmasq.
    static let soaResponse = hex("""
        9cf2850000010001000100010277770474657374000006000102777704746573740000060001000002580035036e7331
        0277770474657374000a686f73746d617374657202777704746573740078a3f175000004b0000000b400127500000002
        58c0190002000100000258000d036e733102777704746573740000002904d0000000000000
        """)
    /// `dig @127.0.0.1 -p 53536 nope.ww.test A` — the response of the authoritative dnsmasq.
    static let nxdomainAuthResponse = hex("""
        c1ac85030001000000010001046e6f706502777704746573740000010001027777047465737400000600010000025800
        35036e73310277770474657374000a686f73746d617374657202777704746573740078a3f175000004b0000000b40012
        75000000025800002904d0000000000000
        """)
    /// `dig @127.0.0.1 -p 53536 chain.ww.test A` — the response of the plain dnsmasq.
    static let cnameChainResponse = hex("""
        c5228580000100030000000105636861696e02777704746573740000010001c00c0005000100000000000f05616c6961
        73027777047465737400c02b0005000100000000000d03777777027777047465737400c046000100010000000000045d
        b8d82200002904d0000000000000
        """)
    /// `dig @127.0.0.1 -p 53536 ww.test MX` — the response of the plain dnsmasq.
    static let mxResponse = hex("""
        55db85800001000100000002027777047465737400000f0001c00c000f0001000000000010000a046d61696c02777704
        7465737400c027000100010000000000040a00001900002904d0000000000000
        """)
    /// `dig @127.0.0.1 -p 53536 nope.ww.test A` — the response of the plain dnsmasq.
    static let nxdomainResponse = hex("""
        bddb81830001000000000001046e6f70650277770474657374000001000100002904d0000000000000
        """)

    static let all: [(String, [UInt8])] = [
        ("aQuery", aQuery), ("a", aResponse), ("aaaa", aaaaResponse), ("txt", txtResponse),
        ("txtEscaped", txtEscapedResponse), ("srv", srvResponse), ("ns", nsResponse), ("soa", soaResponse),
        ("nxdomainAuth", nxdomainAuthResponse), ("cnameChain", cnameChainResponse), ("mx", mxResponse),
        ("nxdomain", nxdomainResponse),
    ]
}

private extension UInt8 {
    var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x09 || self == 0x0D }
}

final class DNSMessageTests: XCTestCase {
    typealias F = DNSFixtures

    // MARK: Helpers

    /// A record as one dig-like line: "www.ww.test 600 IN A 93.184.216.34".
    private func line(_ r: DNSRecord) -> String {
        let klass = r.klass == 1 ? "IN" : "CLASS\(r.klass)"
        return "\(r.name.isEmpty ? "." : r.name) \(r.ttl) \(klass) \(DNSType.name(r.type)) \(r.data.text)"
    }

    private func flags(_ m: DNSMessage) -> String {
        [("qr", m.isResponse), ("aa", m.authoritative), ("tc", m.truncated), ("rd", m.recursionDesired),
         ("ra", m.recursionAvailable)].filter { $0.1 }.map { $0.0 }.joined(separator: " ")
    }

    private func parse(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> DNSMessage? {
        do { return try DNSMessage.parse(bytes) } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
            return nil
        }
    }

    private func assertMessage(
        _ bytes: [UInt8], id: UInt16, flags expectedFlags: String, rcode: UInt8 = 0, question: String,
        answers: [String], authorities: [String] = [], additionals: [String],
        file: StaticString = #filePath, line l: UInt = #line
    ) {
        guard let m = parse(bytes, file: file, line: l) else { return }
        XCTAssertEqual(m.id, id, file: file, line: l)
        XCTAssertEqual(flags(m), expectedFlags, file: file, line: l)
        XCTAssertEqual(m.opcode, 0, file: file, line: l)
        XCTAssertEqual(m.rcode, rcode, file: file, line: l)
        XCTAssertEqual(m.questions.map { "\($0.name) \($0.klass == 1 ? "IN" : "?") \(DNSType.name($0.type))" },
                       [question], file: file, line: l)
        XCTAssertEqual(m.answers.map(line), answers, file: file, line: l)
        XCTAssertEqual(m.authorities.map(line), authorities, file: file, line: l)
        XCTAssertEqual(m.additionals.map(line), additionals, file: file, line: l)
    }

    private func assertThrows(_ bytes: [UInt8], _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let m = try DNSMessage.parse(bytes)
            XCTFail("parsed, expected an error containing \"\(reason)\": \(m)", file: file, line: line)
        } catch {
            XCTAssertTrue(error.reason.contains(reason), "\(error)", file: file, line: line)
            XCTAssertTrue((0...bytes.count).contains(error.offset), "\(error)", file: file, line: line)
        }
    }

    private func u16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    private func u32(_ v: UInt32) -> [UInt8] { u16(UInt16(v >> 16)) + u16(UInt16(v & 0xFFFF)) }

    private func header(id: UInt16 = 0x1234, flags: UInt16 = 0x8180, qd: UInt16 = 1, an: UInt16 = 0,
                        ns: UInt16 = 0, ar: UInt16 = 0) -> [UInt8] {
        u16(id) + u16(flags) + u16(qd) + u16(an) + u16(ns) + u16(ar)
    }

    /// An uncompressed wire name.
    private func wire(_ labels: String...) -> [UInt8] { wire(labels) }
    private func wire(_ labels: [String]) -> [UInt8] {
        labels.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    /// A record; `rdlength` overrides the true length of `rdata`.
    private func rr(_ name: [UInt8], type: UInt16, ttl: UInt32 = 60, rdlength: Int? = nil, _ rdata: [UInt8]) -> [UInt8] {
        name + u16(type) + u16(1) + u32(ttl) + u16(UInt16(rdlength ?? rdata.count)) + rdata
    }

    /// `ww.test IN A` at offset 12 (the name occupies 12..<21).
    private var question: [UInt8] { wire("ww", "test") + u16(1) + u16(1) }

    // MARK: Captured packets

    func testQueryWithEDNS() {
        assertMessage(F.aQuery, id: 0x3f78, flags: "rd", question: "www.ww.test IN A", answers: [],
                      additionals: [". 0 CLASS1232 OPT (12 bytes)"])  // OPT: UDP size 1232, a 12-byte cookie option
        XCTAssertEqual(parse(F.aQuery)?.additionals.first?.data, .other(length: 12))
    }

    func testA() {
        assertMessage(F.aResponse, id: 16248, flags: "qr aa rd", question: "www.ww.test IN A",
                      answers: ["www.ww.test 600 IN A 93.184.216.34"],
                      authorities: ["ww.test 600 IN NS ns1.ww.test"],
                      additionals: [". 0 CLASS1232 OPT (0 bytes)"])
        XCTAssertEqual(parse(F.aResponse)?.answers.first?.data, .a("93.184.216.34"))
    }

    func testAAAA() {
        assertMessage(F.aaaaResponse, id: 33032, flags: "qr aa rd", question: "v6.ww.test IN AAAA",
                      answers: ["v6.ww.test 600 IN AAAA 2001:db8::1"],
                      authorities: ["ww.test 600 IN NS ns1.ww.test"],
                      additionals: [". 0 CLASS1232 OPT (0 bytes)"])
    }

    func testCNAMEChain() {
        assertMessage(F.cnameChainResponse, id: 50466, flags: "qr aa rd ra", question: "chain.ww.test IN A",
                      answers: ["chain.ww.test 0 IN CNAME alias.ww.test",
                                "alias.ww.test 0 IN CNAME www.ww.test",
                                "www.ww.test 0 IN A 93.184.216.34"],
                      additionals: [". 0 CLASS1232 OPT (0 bytes)"])
        XCTAssertEqual(parse(F.cnameChainResponse)?.answers.map(\.data),
                       [.cname("alias.ww.test"), .cname("www.ww.test"), .a("93.184.216.34")])
    }

    func testMX() {
        assertMessage(F.mxResponse, id: 21979, flags: "qr aa rd ra", question: "ww.test IN MX",
                      answers: ["ww.test 0 IN MX 10 mail.ww.test"],
                      additionals: ["mail.ww.test 0 IN A 10.0.0.25", ". 0 CLASS1232 OPT (0 bytes)"])
        XCTAssertEqual(parse(F.mxResponse)?.answers.first?.data, .mx(preference: 10, exchange: "mail.ww.test"))
    }

    func testTXT() {
        assertMessage(F.txtResponse, id: 59477, flags: "qr aa rd", question: "txt.ww.test IN TXT",
                      answers: [#"txt.ww.test 600 IN TXT "v=spf1 -all" "second""#],
                      authorities: ["ww.test 600 IN NS ns1.ww.test"],
                      additionals: [". 0 CLASS1232 OPT (0 bytes)"])
        XCTAssertEqual(parse(F.txtResponse)?.answers.first?.data, .txt(["v=spf1 -all", "second"]))
    }

    func testTXTWithQuoteAndNonASCII() {
        // dig printed: quote.ww.test. 600 IN TXT "say \"hi\"" "caf\195\169"
        assertMessage(F.txtEscapedResponse, id: 35741, flags: "qr aa rd", question: "quote.ww.test IN TXT",
                      answers: [#"quote.ww.test 600 IN TXT "say \"hi\"" "caf\195\169""#],
                      authorities: ["ww.test 600 IN NS ns1.ww.test"],
                      additionals: [". 0 CLASS1232 OPT (0 bytes)"])
        XCTAssertEqual(parse(F.txtEscapedResponse)?.answers.first?.data, .txt([#"say \"hi\""#, #"caf\195\169"#]))
    }

    func testSRV() {
        assertMessage(F.srvResponse, id: 53778, flags: "qr aa rd", question: "_sip._udp.ww.test IN SRV",
                      answers: ["_sip._udp.ww.test 600 IN SRV 0 5 5060 sip.ww.test"],
                      authorities: ["ww.test 600 IN NS ns1.ww.test"],
                      additionals: [". 0 CLASS1232 OPT (0 bytes)"])
        XCTAssertEqual(parse(F.srvResponse)?.answers.first?.data,
                       .srv(priority: 0, weight: 5, port: 5060, target: "sip.ww.test"))
    }

    func testNS() {
        assertMessage(F.nsResponse, id: 8364, flags: "qr aa rd", question: "ww.test IN NS",
                      answers: ["ww.test 600 IN NS ns1.ww.test"],
                      additionals: [". 0 CLASS1232 OPT (0 bytes)"])
    }

    func testSOA() {
        // dig printed: ww.test. 600 IN SOA ns1.ww.test. hostmaster.ww.test. 2024010101 1200 180 1209600 600
        assertMessage(F.soaResponse, id: 40178, flags: "qr aa rd", question: "ww.test IN SOA",
                      answers: ["ww.test 600 IN SOA ns1.ww.test hostmaster.ww.test 2024010101"],
                      authorities: ["ww.test 600 IN NS ns1.ww.test"],
                      additionals: [". 0 CLASS1232 OPT (0 bytes)"])
        XCTAssertEqual(parse(F.soaResponse)?.answers.first?.data,
                       .soa(mname: "ns1.ww.test", rname: "hostmaster.ww.test", serial: 2024010101))
    }

    func testNXDOMAIN() {
        assertMessage(F.nxdomainAuthResponse, id: 49580, flags: "qr aa rd", rcode: 3, question: "nope.ww.test IN A",
                      answers: [],
                      authorities: ["ww.test 600 IN SOA ns1.ww.test hostmaster.ww.test 2024010101"],
                      additionals: [". 0 CLASS1232 OPT (0 bytes)"])
        assertMessage(F.nxdomainResponse, id: 48603, flags: "qr rd ra", rcode: 3, question: "nope.ww.test IN A",
                      answers: [], additionals: [". 0 CLASS1232 OPT (0 bytes)"])
    }

    func testSliceWithOffsetAndTrailingBytes() throws {
        let framed = u16(UInt16(F.mxResponse.count)) + F.mxResponse + [0xDE, 0xAD]
        XCTAssertEqual(try DNSMessage.parse(framed[2...]), try DNSMessage.parse(F.mxResponse))
        XCTAssertEqual(try DNSMessage.parse(F.aResponse + [0, 0, 0]), try DNSMessage.parse(F.aResponse))
    }

    // MARK: Names and text

    func testNameTextLowerCaseEscapedAndRoot() throws {
        let name = wire("WWW", "a.b", "x y", "_tcp", "caf\u{e9}", "Mi-X9")
        let bytes = header(qd: 2) + name + u16(1) + u16(1) + [0] + u16(2) + u16(1)
        let m = try DNSMessage.parse(bytes)
        XCTAssertEqual(m.questions, [DNSQuestion(name: #"www.a\046b.x\032y._tcp.caf\195\169.mi-x9"#, type: 1, klass: 1),
                                     DNSQuestion(name: "", type: 2, klass: 1)])
    }

    func testNameLengthLimit() throws {
        let long = String(repeating: "a", count: 63)
        // 3 * (1 + 63) + (1 + 61) + 1 = 255 bytes: the longest name allowed.
        let longest = wire([long, long, long, String(repeating: "b", count: 61)])
        XCTAssertEqual(longest.count, 255)
        XCTAssertEqual(try DNSMessage.parse(header() + longest + u16(1) + u16(1)).questions.first?.name.count, 253)
        assertThrows(header() + wire([long, long, long, String(repeating: "b", count: 62)]) + u16(1) + u16(1),
                     "longer than 255")
    }

    func testCompressedNameInsideRecordData() throws {
        // CNAME data "www" + pointer to ww.test at 12: the in-place bytes end inside rdata, the rest is earlier.
        let bytes = header(an: 1) + question + rr([0xC0, 12], type: 5, [3] + Array("www".utf8) + [0xC0, 12])
        XCTAssertEqual(try DNSMessage.parse(bytes).answers.first?.data, .cname("www.ww.test"))
    }

    func testTextForms() {
        XCTAssertEqual(DNSRecordData.other(length: 37).text, "(37 bytes)")
        XCTAssertEqual(DNSRecordData.mx(preference: 0, exchange: "").text, "0 .")
        XCTAssertEqual(DNSRecordData.txt([]).text, "")
        XCTAssertEqual(DNSText.escape([0x41, 0x22, 0x5C, 0x00, 0x7F, 0x20]), #"A\"\\\000\127 "#)
        XCTAssertEqual(DNSType.name(1), "A")
        XCTAssertEqual(DNSType.name(65), "HTTPS")
        XCTAssertEqual(DNSType.name(257), "CAA")
        XCTAssertEqual(DNSType.name(99), "TYPE99")
        XCTAssertEqual(DNSParseError(offset: 3, reason: "x").description, "DNS message offset 3: x")
    }

    func testAAAAText() throws {
        func v6(_ groups: [UInt16]) -> String { DNSText.ipv6(groups.flatMap { u16($0) }) }
        XCTAssertEqual(v6([0, 0, 0, 0, 0, 0, 0, 1]), "::1")
        XCTAssertEqual(v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]), "2001:db8::1")
        XCTAssertEqual(v6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), "2001:db8:0:1:1:1:1:1")  // one zero group stays
        XCTAssertEqual(v6([0, 0, 0, 0, 0, 0, 0, 0]), "::")
        XCTAssertEqual(v6([0xfe80, 0, 0, 0, 1, 0, 0, 1]), "fe80::1:0:0:1")
        XCTAssertEqual(v6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), "2001:db8::1:0:0:1")  // equal runs: the first wins
        XCTAssertEqual(v6([1, 0, 0, 0, 0, 0, 0, 0]), "1::")
        XCTAssertEqual(v6([0x2001, 0xDB8, 0xABCD, 0x12, 0, 0, 0xa, 0xb0]), "2001:db8:abcd:12::a:b0")
        XCTAssertEqual(v6([0x2001, 0xdb8, 1, 2, 3, 4, 5, 6]), "2001:db8:1:2:3:4:5:6")
        XCTAssertEqual(v6([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]), "::ffff:192.0.2.1")
        // Through the parser.
        let bytes = header(an: 1) + question + rr([0xC0, 12], type: 28, u16(0xfe80) + [UInt8](repeating: 0, count: 12) + u16(1))
        XCTAssertEqual(try DNSMessage.parse(bytes).answers.first?.data, .aaaa("fe80::1"))
    }

    // MARK: Malformed messages

    func testMalformed() {
        assertThrows([], "header")
        assertThrows(Array(F.aResponse.prefix(11)), "header")
        // qdcount larger than the data: refused by the count check, or when the data runs out.
        assertThrows(header(qd: 3) + question, "counts")
        assertThrows(header(qd: 2) + question, "name runs past")
        assertThrows(header(qd: 2) + question + [0, 0, 1, 0], "2 bytes needed")
        assertThrows(header() + [5] + Array("abcd".utf8), "label runs past")
        assertThrows(header() + [3] + Array("www".utf8) + [2] + Array("ab".utf8), "name runs past")  // no root label
        assertThrows(header() + [0xC0, 12] + u16(1) + u16(1), "does not point backwards")  // pointer to itself
        assertThrows(header() + [0xC0, 0xFF] + u16(1) + u16(1), "does not point backwards")  // past the end
        assertThrows(header() + [0xC0, 2] + u16(1) + u16(1), "into the header")
        assertThrows(header() + [3] + Array("www".utf8) + [0xC0], "pointer runs past the end")  // at the message end
        assertThrows(header(an: 1) + question + rr([0xC0, 12], type: 5, [0xC0]), "pointer runs past the end")  // rdata end
        assertThrows(header() + [0x41] + Array(repeating: 0x61, count: 8), "reserved label type 0x40")
        assertThrows(header() + [0x81] + Array(repeating: 0x61, count: 8), "reserved label type 0x80")
        assertThrows(header(an: 1) + question + rr([0xC0, 12], type: 1, [1, 2, 3, 4, 5]), "1 unused bytes")
        assertThrows(header(an: 1) + question + rr([0xC0, 12], type: 1, [1, 2, 3]), "4 bytes needed")
        assertThrows(header(an: 1) + question + rr([0xC0, 12], type: 1, rdlength: 9, [1, 2, 3, 4]), "runs past the end")
        // MX whose exchange runs past rdlength (the message itself goes on).
        let mx = u16(10) + wire("mx", "ww", "test")
        assertThrows(header(an: 1) + question + rr([0xC0, 12], type: 15, rdlength: 6, mx), "runs past the end")
        // TXT string of 5 bytes in an rdata of 3.
        assertThrows(header(an: 1) + question + rr([0xC0, 12], type: 16, rdlength: 3, [5] + Array("abcde".utf8)),
                     "5 bytes needed")
        // SOA without its four trailing counters.
        assertThrows(header(an: 1) + question + rr([0xC0, 12], type: 6, [0, 0] + u32(1)), "16 bytes needed")
        // Count fields beyond the data.
        assertThrows(header(an: 1) + question, "counts")
    }

    func testPointerLoops() {
        // Two pointers at each other, hidden in the data of an unknown record (offsets 37..<41) so that the
        // first jump (from the second record's name at 41) goes backwards: 41 -> 39 -> 37 -> 39 ...
        let hidden = rr([0xC0, 12], type: 99, [0xC0, 39, 0xC0, 37])
        XCTAssertEqual(header().count + question.count + hidden.count - 4, 37)
        assertThrows(header(an: 2) + question + hidden + rr([0xC0, 39], type: 1, [1, 2, 3, 4]), "does not point backwards")
        // Chains that keep going backwards are fine: "a" -> "www" at 37 -> "ww.test" at 12.
        let ok = header(an: 2) + question + rr([0xC0, 12], type: 5, [3] + Array("www".utf8) + [0xC0, 12])
            + rr([0xC0, 37], type: 5, [1, 0x61, 0xC0, 37])
        XCTAssertEqual(try DNSMessage.parse(ok).answers.map(\.data), [.cname("www.ww.test"), .cname("a.www.ww.test")])
    }

    func testHugeCountsFailFastAtTheHeader() {
        let bytes = header(qd: 65535, an: 65535, ns: 65535, ar: 65535)
        XCTAssertThrowsError(try DNSMessage.parse(bytes)) { XCTAssertEqual(($0 as? DNSParseError)?.offset, 12) }
        XCTAssertThrowsError(try DNSMessage.parse(header(qd: 65535))) { XCTAssertEqual(($0 as? DNSParseError)?.offset, 12) }
        XCTAssertNil(DNSResponse.error(for: header(qd: 65535), rcode: 3))
    }

    // MARK: Error responses

    func testErrorResponseForCapturedQuery() throws {
        let response = try XCTUnwrap(DNSResponse.error(for: F.aQuery, rcode: 3))
        let m = try DNSMessage.parse(response)
        let query = try DNSMessage.parse(F.aQuery)
        XCTAssertEqual(m.id, query.id)
        XCTAssertEqual(m.questions, query.questions)
        XCTAssertTrue(m.isResponse)
        XCTAssertTrue(m.recursionDesired)
        XCTAssertTrue(m.recursionAvailable)
        XCTAssertFalse(m.authoritative)
        XCTAssertEqual(m.rcode, 3)
        XCTAssertEqual(m.answers + m.authorities + m.additionals, [])
        XCTAssertEqual(response, F.hex("3f78 8183 0001 0000 0000 0000 0377777702777704746573740000010001"))
        XCTAssertEqual(try DNSMessage.parse(XCTUnwrap(DNSResponse.error(for: F.aQuery, rcode: 5))).rcode, 5)
        var noRD = F.aQuery
        noRD[2] &= ~0x01
        XCTAssertEqual(try DNSMessage.parse(XCTUnwrap(DNSResponse.error(for: noRD, rcode: 2))).recursionDesired, false)
    }

    func testErrorResponseForGarbage() {
        XCTAssertNil(DNSResponse.error(for: [], rcode: 3))
        XCTAssertNil(DNSResponse.error(for: Array(F.aQuery.prefix(11)), rcode: 3))
        XCTAssertNil(DNSResponse.error(for: Array(F.aQuery.prefix(20)), rcode: 3))  // question cut short
        XCTAssertNil(DNSResponse.error(for: header() + [0xC0, 12, 0, 1, 0, 1], rcode: 3))
        XCTAssertNil(DNSResponse.error(for: F.aResponse, rcode: 3))  // a response, not a query
        XCTAssertNil(DNSResponse.error(for: Array(repeating: 0xFF, count: 64), rcode: 3))
    }

    // MARK: Fuzzing

    private enum Outcome { case parsed, threw, failed }

    /// The only allowed outcomes: a message, or a DNSParseError whose offset lies within the input. An error
    /// response built for anything that parses as a query header must itself parse with the same id/questions.
    private func check(_ bytes: [UInt8], _ context: @autoclosure () -> String) -> Outcome {
        var outcome = Outcome.parsed
        do {
            let m = try DNSMessage.parse(bytes)
            for name in m.questions.map(\.name) + (m.answers + m.authorities + m.additionals).map(\.name)
            where name.utf8.count > 4 * 255 {
                XCTFail("name of \(name.utf8.count) characters: \(context())")
                return .failed
            }
        } catch {
            guard (0...bytes.count).contains(error.offset) else {
                XCTFail("\(error) outside 0...\(bytes.count): \(context())")
                return .failed
            }
            outcome = .threw
        }
        if let response = DNSResponse.error(for: bytes, rcode: 2) {
            guard let m = try? DNSMessage.parse(response), m.id == UInt16(bytes[0]) << 8 | UInt16(bytes[1]), m.rcode == 2,
                  m.isResponse, let (query, _) = try? { var r = DNSReader(bytes); return try r.headerAndQuestions() }(),
                  query.questions == m.questions else {
                XCTFail("error response does not parse back: \(context())")
                return .failed
            }
        }
        return outcome
    }

    func testFuzzRandomBytes() {
        let seed: UInt64 = 0x5757_444E_5300_0001, count = 200_000
        print("DNS fuzz (random bytes): seed \(String(seed, radix: 16)), \(count) inputs")
        var rng = SplitMix64(seed: seed)
        var parsed = 0
        for i in 0..<count {
            var bytes = rng.bytes(rng.below(601))
            // Half get small section counts, so parsing gets past the header's count check.
            if i % 2 == 0 && bytes.count >= 12 {
                for k in 4..<12 { bytes[k] = k % 2 == 0 ? 0 : UInt8(rng.below(4)) }
            }
            switch check(bytes, "seed \(String(seed, radix: 16)) input \(i): \(bytes)") {
            case .failed: return
            case .parsed: parsed += 1
            case .threw: break
            }
        }
        print("DNS fuzz (random bytes): \(parsed) parsed, \(count - parsed) threw")
        XCTAssertGreaterThan(parsed, 0, "some random inputs (those with zero counts) are valid messages")
    }

    func testFuzzMutatedFixtures() {
        let seed: UInt64 = 0x5757_444E_5300_0002, perFixture = 50_000
        print("DNS fuzz (mutations): seed \(String(seed, radix: 16)), \(perFixture) per fixture, \(F.all.count) fixtures")
        var rng = SplitMix64(seed: seed)
        var summary: [String] = []
        for (name, fixture) in F.all {
            var parsed = 0
            for i in 0..<perFixture {
                var bytes = fixture
                for _ in 0...rng.below(4) {
                    let at = rng.below(bytes.count + 1)
                    switch rng.below(7) {
                    case 0 where at < bytes.count: bytes[at] ^= 1 << UInt8(rng.below(8))
                    case 1 where at < bytes.count: bytes[at] = rng.byte()
                    case 2 where at < bytes.count: bytes[at] = 0xC0 | UInt8(rng.below(64))
                    case 3 where at < bytes.count: bytes[at] = UInt8(rng.below(64))  // a label length
                    case 4: bytes.insert(rng.byte(), at: at)
                    case 5 where at < bytes.count: bytes.remove(at: at)
                    case 6: bytes.removeLast(bytes.count - at)
                    default: break
                    }
                }
                switch check(bytes, "seed \(String(seed, radix: 16)) fixture \(name) mutation \(i): \(bytes)") {
                case .failed: return
                case .parsed: parsed += 1
                case .threw: break
                }
            }
            // Both outcomes must be common, or the mutations are not exploring anything.
            XCTAssertTrue((perFixture / 20...perFixture * 19 / 20).contains(parsed), "\(name): \(parsed) of \(perFixture) parsed")
            summary.append("\(name) \(parsed)")
        }
        print("DNS fuzz (mutations) parsed of \(perFixture): " + summary.joined(separator: ", "))
    }

    func testResponseCodesAndRecordsHaveOneAuditText() {
        XCTAssertEqual((0...5).map { DNSType.rcodeName(UInt8($0)) }, ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"])
        XCTAssertEqual(DNSType.rcodeName(9), "RCODE9")
        let mx = DNSRecord(name: "ww.test", type: DNSType.mx, klass: 1, ttl: 0, data: .mx(preference: 10, exchange: "mail.ww.test"))
        XCTAssertEqual(mx.auditText, "ww.test MX 10 mail.ww.test")
    }
}

/// The fuzzer's draws from WardenCore's SplitMix64 (a failure replays from its seed).
extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    /// `count` random bytes, eight per step (byte-at-a-time generation dominated the debug-build run time).
    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (count + 7) / 8 * 8)
        out.withUnsafeMutableBytes { raw in
            var at = 0
            while at < raw.count { raw.storeBytes(of: next(), toByteOffset: at, as: UInt64.self); at += 8 }
        }
        out.removeLast(out.count - count)
        return out
    }
}
