// DNS wire format (RFC 1035, 3596, 2782, 6891) for the network relay: a pure parser that never
// traps and a builder for error responses. No I/O; every offset is relative to the message start.

/// One entry of the question section.
public struct DNSQuestion: Sendable, Equatable {
    public var name: String
    public var type: UInt16
    public var klass: UInt16

    public init(name: String, type: UInt16, klass: UInt16) {
        self.name = name
        self.type = type
        self.klass = klass
    }
}

/// Decoded record data. Names are lower-case dotted text without the trailing dot ("" is the root).
public enum DNSRecordData: Sendable, Equatable {
    case a(String)                 // dotted quad "93.184.216.34"
    case aaaa(String)              // RFC 5952 text, e.g. "2001:db8::1"
    case cname(String), ns(String), ptr(String)
    case mx(preference: UInt16, exchange: String)
    case txt([String])             // each character-string, escaped (see `DNSText.escape`)
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: String)
    case soa(mname: String, rname: String, serial: UInt32)
    case other(length: Int)        // any other type: only its rdata length
}

/// One resource record of the answer, authority or additional section.
public struct DNSRecord: Sendable, Equatable {
    public var name: String
    public var type: UInt16
    public var klass: UInt16
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: String, type: UInt16, klass: UInt16, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.type = type
        self.klass = klass
        self.ttl = ttl
        self.data = data
    }
}

/// A parsed DNS message: header fields and the four sections.
public struct DNSMessage: Sendable, Equatable {
    public var id: UInt16
    public var isResponse: Bool
    public var opcode: UInt8
    public var authoritative, truncated, recursionDesired, recursionAvailable: Bool
    public var rcode: UInt8
    public var questions: [DNSQuestion]
    public var answers: [DNSRecord]
    public var authorities: [DNSRecord]
    public var additionals: [DNSRecord]   // OPT (type 41) records appear here as .other

    /// Parses a whole message (UDP payload, no TCP length prefix). Never traps; throws on anything malformed.
    /// Bytes after the last record are ignored.
    public static func parse(_ bytes: [UInt8]) throws(DNSParseError) -> DNSMessage {
        var reader = DNSReader(bytes)
        var (message, counts) = try reader.headerAndQuestions()
        for _ in 0..<counts.an { message.answers.append(try reader.record()) }
        for _ in 0..<counts.ns { message.authorities.append(try reader.record()) }
        for _ in 0..<counts.ar { message.additionals.append(try reader.record()) }
        return message
    }

    public static func parse(_ bytes: ArraySlice<UInt8>) throws(DNSParseError) -> DNSMessage {
        try parse(Array(bytes))
    }
}

/// Why a message did not parse, and the offset (from the message start) where that was found.
public struct DNSParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "DNS message offset \(offset): \(reason)" }
}

/// Record type numbers and their mnemonics.
public enum DNSType {
    public static let a: UInt16 = 1, ns: UInt16 = 2, cname: UInt16 = 5, soa: UInt16 = 6, ptr: UInt16 = 12
    public static let mx: UInt16 = 15, txt: UInt16 = 16, aaaa: UInt16 = 28, srv: UInt16 = 33, opt: UInt16 = 41

    /// "A", "AAAA", "CNAME", "MX", "NS", "TXT", "SRV", "PTR", "SOA", "OPT", "HTTPS", "SVCB", "ANY", "CAA";
    /// otherwise "TYPE<n>" (RFC 3597 style).
    public static func name(_ type: UInt16) -> String {
        switch type {
        case 1: return "A"
        case 2: return "NS"
        case 5: return "CNAME"
        case 6: return "SOA"
        case 12: return "PTR"
        case 15: return "MX"
        case 16: return "TXT"
        case 28: return "AAAA"
        case 33: return "SRV"
        case 41: return "OPT"
        case 64: return "SVCB"
        case 65: return "HTTPS"
        case 255: return "ANY"
        case 257: return "CAA"
        default: return "TYPE\(type)"
        }
    }
}

extension DNSType {
    /// The response code as text: NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, else RCODE<n>.
    public static func rcodeName(_ rcode: UInt8) -> String {
        let names = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]
        return Int(rcode) < names.count ? names[Int(rcode)] : "RCODE\(rcode)"
    }
}

extension DNSRecord {
    /// One record as the audit trail shows it: "name TYPE data".
    public var auditText: String { "\(name) \(DNSType.name(type)) \(data.text)" }
}

extension DNSRecordData {
    /// One-line text for the audit trail: "93.184.216.34", "10 mail.example.com",
    /// "\"v=spf1 -all\" \"second\"", "0 5 5060 sip.example.com",
    /// "ns1.example.com hostmaster.example.com 2024010101", "(37 bytes)" for .other. The root name reads ".".
    public var text: String {
        func n(_ name: String) -> String { name.isEmpty ? "." : name }
        switch self {
        case .a(let address), .aaaa(let address): return address
        case .cname(let name), .ns(let name), .ptr(let name): return n(name)
        case let .mx(preference, exchange): return "\(preference) \(n(exchange))"
        case .txt(let strings): return strings.map { "\"\($0)\"" }.joined(separator: " ")
        case let .srv(priority, weight, port, target): return "\(priority) \(weight) \(port) \(n(target))"
        case let .soa(mname, rname, serial): return "\(n(mname)) \(n(rname)) \(serial)"
        case .other(let length): return "(\(length) bytes)"
        }
    }
}

/// Builds responses the relay sends instead of forwarding a query.
public enum DNSResponse {
    /// A response to `query` with the same id, opcode, RD bit and question section, QR=1, RA=1, the given
    /// rcode (3 = NXDOMAIN, 5 = REFUSED, 2 = SERVFAIL), no records. nil when the query's header+question
    /// cannot be parsed or it is itself a response (then the caller drops it).
    public static func error(for query: [UInt8], rcode: UInt8) -> [UInt8]? {
        guard query.count >= 12, query[2] & 0x80 == 0 else { return nil }  // QR set: not a query
        var reader = DNSReader(query)
        guard let (message, _) = try? reader.headerAndQuestions() else { return nil }
        let flags: UInt16 = 0x8000 | UInt16(message.opcode & 0x0F) << 11
            | (message.recursionDesired ? 0x0100 : 0) | 0x0080 | UInt16(rcode & 0x0F)
        let qdcount = UInt16(message.questions.count)
        var out: [UInt8] = [query[0], query[1], UInt8(flags >> 8), UInt8(flags & 0xFF),
                            UInt8(qdcount >> 8), UInt8(qdcount & 0xFF), 0, 0, 0, 0, 0, 0]
        // The question section is copied as sent: it starts at the same offset, so any pointers stay valid.
        out.append(contentsOf: query[12..<reader.offset])
        return out
    }
}

/// Text forms shared by the parser and its callers.
public enum DNSText {
    /// A character-string for display: printable ASCII as is, '"' and '\' behind a backslash, other bytes \DDD.
    public static func escape<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        for b in bytes {
            switch b {
            case 0x22, 0x5C: out.append(0x5C); out.append(b)
            case 0x20...0x7E: out.append(b)
            default: appendDecimalEscape(b, to: &out)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 5952: lower-case hex without leading zeros, the first longest run of two or more zero groups
    /// as "::"; IPv4-mapped addresses (::ffff:0:0/96) end in a dotted quad. "" unless given 16 bytes.
    public static func ipv6<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let b = Array(bytes)
        guard b.count == 16 else { return "" }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {
            return "::ffff:" + ipv4(b[12..<16])
        }
        let groups = (0..<8).map { UInt16(b[2 * $0]) << 8 | UInt16(b[2 * $0 + 1]) }
        var bestStart = -1, bestLength = 1, i = 0
        while i < 8 {
            guard groups[i] == 0 else { i += 1; continue }
            var j = i
            while j < 8 && groups[j] == 0 { j += 1 }
            if j - i > bestLength { bestStart = i; bestLength = j - i }
            i = j
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    /// "a.b.c.d" for four bytes.
    public static func ipv4<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        bytes.map { String($0) }.joined(separator: ".")
    }

    static func appendDecimalEscape(_ b: UInt8, to out: inout [UInt8]) {
        out.append(0x5C)
        out.append(0x30 + b / 100)
        out.append(0x30 + b / 10 % 10)
        out.append(0x30 + b % 10)
    }
}

/// A bounds-checked cursor over one message. Reads past `end` throw; compressed names may also read
/// earlier parts of `bytes` (after the header).
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0
    var end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.end = bytes.count
    }

    func failure(_ reason: String, at position: Int? = nil) -> DNSParseError {
        DNSParseError(offset: position ?? offset, reason: reason)
    }

    mutating func u8() throws(DNSParseError) -> UInt8 {
        guard offset < end else { throw failure("1 byte needed, message ends") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(DNSParseError) -> UInt16 {
        guard end - offset >= 2 else { throw failure("2 bytes needed, \(max(0, end - offset)) left") }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32() throws(DNSParseError) -> UInt32 {
        let high = try u16()
        return UInt32(high) << 16 | UInt32(try u16())
    }

    mutating func take(_ count: Int) throws(DNSParseError) -> ArraySlice<UInt8> {
        guard end - offset >= count else { throw failure("\(count) bytes needed, \(max(0, end - offset)) left") }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// A possibly compressed name. Its in-place bytes (up to the end or the first pointer) must lie before
    /// `end`; each pointer must point past the header and strictly before the labels that led to it, so no
    /// loop is possible.
    mutating func name() throws(DNSParseError) -> String {
        var text: [UInt8] = []
        var position = offset, limit = end, runStart = offset
        var wireLength = 1  // the root label
        var jumped = false
        while true {
            guard position < limit else { throw failure("name runs past the end", at: position) }
            let length = Int(bytes[position])
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    if !jumped { offset = position + 1 }
                    return String(decoding: text, as: UTF8.self)
                }
                wireLength += 1 + length
                guard wireLength <= 255 else { throw failure("name longer than 255 bytes", at: position) }
                guard limit - position > length else { throw failure("label runs past the end", at: position) }
                if !text.isEmpty { text.append(0x2E) }
                // A plain loop and comparisons rather than ranges: this loop dominates debug-build fuzzing.
                let labelEnd = position + 1 + length
                position += 1
                while position < labelEnd {
                    let b = bytes[position], lower = b | 0x20
                    position += 1
                    if (lower >= 0x61 && lower <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F {
                        text.append(b >= 0x41 && b <= 0x5A ? lower : b)
                    } else {
                        DNSText.appendDecimalEscape(b, to: &text)
                    }
                }
            case 0xC0:
                guard limit - position >= 2 else { throw failure("compression pointer runs past the end", at: position) }
                let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target >= 12 else { throw failure("compression pointer into the header", at: position) }
                guard target < runStart else {
                    throw failure("compression pointer to \(target) does not point backwards", at: position)
                }
                if !jumped { offset = position + 2; jumped = true }
                position = target
                runStart = target
                limit = bytes.count
            default:
                throw failure("reserved label type 0x\(String(length & 0xC0, radix: 16))", at: position)
            }
        }
    }

    /// Header and question section; the record counts are returned for the caller to read on.
    mutating func headerAndQuestions() throws(DNSParseError) -> (DNSMessage, counts: (an: Int, ns: Int, ar: Int)) {
        guard bytes.count >= 12 else { throw failure("header needs 12 bytes, message has \(bytes.count)") }
        let id = try u16(), flags = try u16()
        let qd = Int(try u16()), an = Int(try u16()), ns = Int(try u16()), ar = Int(try u16())
        // Each question takes at least 5 bytes and each record 11: refuse impossible counts before looping.
        let minimum = qd * 5 + (an + ns + ar) * 11
        guard minimum <= end - offset else {
            throw failure("counts (\(qd), \(an), \(ns), \(ar)) need at least \(minimum) bytes, \(end - offset) left")
        }
        var message = DNSMessage(
            id: id, isResponse: flags & 0x8000 != 0, opcode: UInt8(flags >> 11 & 0x0F),
            authoritative: flags & 0x0400 != 0, truncated: flags & 0x0200 != 0,
            recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0,
            rcode: UInt8(flags & 0x0F), questions: [], answers: [], authorities: [], additionals: [])
        for _ in 0..<qd {
            let name = try name()
            message.questions.append(DNSQuestion(name: name, type: try u16(), klass: try u16()))
        }
        return (message, (an, ns, ar))
    }

    mutating func record() throws(DNSParseError) -> DNSRecord {
        let name = try name()
        let type = try u16(), klass = try u16(), ttl = try u32()
        let length = Int(try u16())
        guard end - offset >= length else {
            throw failure("record data of \(length) bytes runs past the end (\(end - offset) left)")
        }
        var rdata = self
        rdata.end = offset + length
        let data = try rdata.recordData(type: type)
        guard rdata.offset == rdata.end else {
            throw failure("\(DNSType.name(type)) record data has \(rdata.end - rdata.offset) unused bytes", at: rdata.offset)
        }
        offset = rdata.end
        return DNSRecord(name: name, type: type, klass: klass, ttl: ttl, data: data)
    }

    /// Reads the rdata of `type` up to `end`; the caller checks it was consumed exactly.
    mutating func recordData(type: UInt16) throws(DNSParseError) -> DNSRecordData {
        switch type {
        case DNSType.a: return .a(DNSText.ipv4(try take(4)))
        case DNSType.aaaa: return .aaaa(DNSText.ipv6(try take(16)))
        case DNSType.cname: return .cname(try name())
        case DNSType.ns: return .ns(try name())
        case DNSType.ptr: return .ptr(try name())
        case DNSType.mx:
            let preference = try u16()
            return .mx(preference: preference, exchange: try name())
        case DNSType.txt:
            var strings: [String] = []
            while offset < end {
                let count = Int(try u8())
                strings.append(DNSText.escape(try take(count)))
            }
            return .txt(strings)
        case DNSType.srv:
            let priority = try u16(), weight = try u16(), port = try u16()
            return .srv(priority: priority, weight: weight, port: port, target: try name())
        case DNSType.soa:
            let mname = try name(), rname = try name(), serial = try u32()
            _ = try take(16)  // refresh, retry, expire, minimum
            return .soa(mname: mname, rname: rname, serial: serial)
        default:
            let length = end - offset
            offset = end
            return .other(length: length)
        }
    }
}
