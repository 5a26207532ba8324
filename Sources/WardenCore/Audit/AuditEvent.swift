/// One line of the audit trail (SPEC §6): a JSON object with a nanosecond timestamp, the session
/// and game, the process and its parent chain, the event kind and its details.
public struct AuditEvent: Equatable, Sendable {
    public enum Value: Equatable, Sendable {
        case string(String)
        case int(Int64)
        case bool(Bool)
        case strings([String])
        case processes([ProcessLink])
    }

    /// One process of a parent chain: its pid (as ww sees it) and its name.
    public struct ProcessLink: Equatable, Sendable {
        public var pid: Int32
        public var name: String
        public init(pid: Int32, name: String) { self.pid = pid; self.name = name }
    }

    public var timeNanoseconds: UInt64
    public var session: String
    public var game: String
    public var kind: String
    public var pid: Int32?
    public var chain: [ProcessLink]
    public var details: [(String, Value)]

    public init(time: UInt64, session: String, game: String, kind: String, pid: Int32? = nil, chain: [ProcessLink] = [], details: [(String, Value)] = []) {
        self.timeNanoseconds = time
        self.session = session
        self.game = game
        self.kind = kind
        self.pid = pid
        self.chain = chain
        self.details = details
    }

    public static func == (a: AuditEvent, b: AuditEvent) -> Bool { a.jsonLine() == b.jsonLine() }

    /// Kinds that count as refused actions in the summary.
    public static let refusalKinds: Set<String> = ["exec_refused", "process_refused", "connect_refused", "syscall_refused"]

    public func jsonLine() -> String {
        var s = "{\"ts_ns\":\(timeNanoseconds),\"session\":\(Self.quote(session)),\"game\":\(Self.quote(game)),\"kind\":\(Self.quote(kind))"
        if let pid { s += ",\"pid\":\(pid)" }
        if !chain.isEmpty { s += ",\"chain\":" + Self.encode(.processes(chain)) }
        for (key, value) in details { s += ",\(Self.quote(key)):\(Self.encode(value))" }
        return s + "}"
    }

    static func encode(_ v: Value) -> String {
        switch v {
        case .string(let s): return quote(s)
        case .int(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .strings(let list): return "[" + list.map(quote).joined(separator: ",") + "]"
        case .processes(let list): return "[" + list.map { "{\"pid\":\($0.pid),\"name\":\(quote($0.name))}" }.joined(separator: ",") + "]"
        }
    }

    /// A JSON string literal; bytes that are not valid UTF-8 were already replaced when decoding.
    public static func quote(_ s: String) -> String {
        // Most values need no escaping: one scan of the bytes (0xE2 leads U+2028/U+2029, escaped below).
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0xE2 }) { return "\"" + s + "\"" }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F || (0x2028...0x2029).contains(u.value) {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

/// A `struct sockaddr` read from the game's memory, for the audit trail.
public struct SocketAddress: Equatable, Sendable {
    public var family: String
    public var address: String
    public var port: Int?

    /// Decodes AF_UNIX, AF_INET and AF_INET6; other families by number. nil when too short.
    public static func decode(_ b: [UInt8]) -> SocketAddress? {
        guard b.count >= 2 else { return nil }
        let family = Int(b[0]) | Int(b[1]) << 8
        switch family {
        case 1:
            let path = Array(b.dropFirst(2))
            if path.first == 0 {
                let name = path.dropFirst().prefix { _ in true }
                return SocketAddress(family: "unix-abstract", address: "@" + String(decoding: name.filter { $0 != 0 }, as: UTF8.self), port: nil)
            }
            return SocketAddress(family: "unix", address: String(decoding: path.prefix { $0 != 0 }, as: UTF8.self), port: nil)
        case 2:
            guard b.count >= 8 else { return nil }
            return SocketAddress(family: "inet", address: b[4..<8].map(String.init).joined(separator: "."), port: Int(b[2]) << 8 | Int(b[3]))
        case 10:
            guard b.count >= 24 else { return nil }
            let words = stride(from: 8, to: 24, by: 2).map { String(Int(b[$0]) << 8 | Int(b[$0 + 1]), radix: 16) }
            return SocketAddress(family: "inet6", address: compressIPv6(words), port: Int(b[2]) << 8 | Int(b[3]))
        case 0:
            return SocketAddress(family: "unspec", address: "", port: nil)
        default:
            return SocketAddress(family: "family-\(family)", address: "", port: nil)
        }
    }

    /// RFC 5952 form: the longest run of two or more zero groups becomes `::`.
    static func compressIPv6(_ words: [String]) -> String {
        var best = (start: -1, length: 0)
        var i = 0
        while i < words.count {
            if words[i] == "0" {
                var j = i
                while j < words.count && words[j] == "0" { j += 1 }
                if j - i > best.length && j - i >= 2 { best = (i, j - i) }
                i = j
            } else { i += 1 }
        }
        guard best.start >= 0 else { return words.joined(separator: ":") }
        let head = words[..<best.start].joined(separator: ":")
        let tail = words[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }
}
