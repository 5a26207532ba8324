import Foundation

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

extension AuditEvent {
    /// Reads one line of the audit trail back (`jsonLine()`'s inverse). nil when the line is not a
    /// JSON object with `ts_ns`, `session`, `game` and `kind` (a torn or foreign line).
    public init?(jsonLine line: Substring) {
        guard let data = line.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let ts = object["ts_ns"] as? NSNumber, let session = object["session"] as? String,
              let game = object["game"] as? String, let kind = object["kind"] as? String else { return nil }
        self.init(time: ts.uint64Value, session: session, game: game, kind: kind)
        pid = (object["pid"] as? NSNumber).map { $0.int32Value }
        if let links = object["chain"] as? [[String: Any]] {
            chain = links.map { ProcessLink(pid: ($0["pid"] as? NSNumber)?.int32Value ?? 0, name: $0["name"] as? String ?? "?") }
        }
        // Details keep the order they were written in: the keys' positions in the line.
        let reserved: Set<String> = ["ts_ns", "session", "game", "kind", "pid", "chain"]
        var found: [(String, Value)] = []
        for (key, raw) in object where !reserved.contains(key) {
            let value: Value
            if let s = raw as? String { value = .string(s) }
            else if let n = raw as? NSNumber {
                // JSON booleans come back as NSNumber with the C type "c" (char).
                value = String(cString: n.objCType) == "c" ? .bool(n.boolValue) : .int(n.int64Value)
            } else if let list = raw as? [String] { value = .strings(list) }
            else if let list = raw as? [[String: Any]] {
                value = .processes(list.map { ProcessLink(pid: ($0["pid"] as? NSNumber)?.int32Value ?? 0, name: $0["name"] as? String ?? "?") })
            } else if let list = raw as? [Any], list.isEmpty { value = .strings([]) }
            else { continue }
            found.append((key, value))
        }
        let order = Self.keyOrder(line)
        details = found.sorted { (order[$0.0] ?? Int.max, $0.0) < (order[$1.0] ?? Int.max, $1.0) }
    }

    public init?(jsonLine line: String) { self.init(jsonLine: Substring(line)) }

    /// Positions of the top-level keys in a line (for keeping details in their written order).
    static func keyOrder(_ line: Substring) -> [String: Int] {
        var order: [String: Int] = [:]
        var depth = 0, inString = false, escaped = false, start: String.Index?
        var expectKey = false
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if inString {
                if escaped { escaped = false }
                else if c == "\\" { escaped = true }
                else if c == "\"" {
                    inString = false
                    if let s = start, depth == 1, expectKey { order[String(line[line.index(after: s)..<i])] = order.count; expectKey = false }
                    start = nil
                }
            } else {
                switch c {
                case "\"": inString = true; start = i
                case "{", "[": depth += 1; if depth == 1 { expectKey = true }
                case "}", "]": depth -= 1
                case ",": if depth == 1 { expectKey = true }
                case ":": if depth == 1 { expectKey = false }
                default: break
                }
            }
            i = line.index(after: i)
        }
        return order
    }

    public func detail(_ key: String) -> Value? { details.first { $0.0 == key }?.1 }
    public func string(_ key: String) -> String? { if case .string(let s)? = detail(key) { return s }; return nil }
    public func int(_ key: String) -> Int64? { if case .int(let n)? = detail(key) { return n }; return nil }
    public func bool(_ key: String) -> Bool? { if case .bool(let b)? = detail(key) { return b }; return nil }
    public func strings(_ key: String) -> [String]? { if case .strings(let a)? = detail(key) { return a }; return nil }
}
