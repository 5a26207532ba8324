/// An IPv4 or IPv6 address as bytes (4 or 16), parsed and printed without the C library.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public var isV4: Bool { bytes.count == 4 }

    /// Dotted quad, or IPv6 text (an IPv4-mapped IPv6 address parses to its IPv4 form).
    public init?(_ text: String) {
        if text.contains(":") {
            guard let b = Self.parseV6(Substring(text)) else { return nil }
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { bytes = Array(b[12...]) } else { bytes = b }
        } else {
            guard let b = Self.parseV4(Substring(text)) else { return nil }
            bytes = b
        }
    }

    static func parseV4(_ s: Substring) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), p.allSatisfy(\.isNumber), let n = UInt8(p) else { return nil }
            if p.count > 1 && p.first == "0" { return nil }   // no octal-looking forms
            out.append(n)
        }
        return out
    }

    static func parseV6(_ s: Substring) -> [UInt8]? {
        guard s.count >= 2, s.count <= 45 else { return nil }
        let halves = s.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring, allowV4Tail: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let items = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, g) in items.enumerated() {
                if allowV4Tail && i == items.count - 1 && g.contains(".") {
                    guard let v4 = parseV4(g) else { return nil }
                    out += v4
                    continue
                }
                guard !g.isEmpty, g.count <= 4, let n = UInt16(g, radix: 16) else { return nil }
                out += [UInt8(n >> 8), UInt8(n & 0xff)]
            }
            return out
        }
        if halves.count == 1 {
            guard let all = groups(s, allowV4Tail: true), all.count == 16 else { return nil }
            return all
        }
        guard let head = groups(Substring(halves[0]), allowV4Tail: false),
              let tail = groups(Substring(halves[1]), allowV4Tail: true), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    public var description: String {
        if isV4 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [UInt16] = []
        for i in stride(from: 0, to: 16, by: 2) { groups.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])) }
        // Longest run of two or more zero groups becomes "::" (the first one on ties).
        var best = (start: -1, length: 0), i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > best.length && j - i >= 2 { best = (i, j - i) }
                i = j
            } else { i += 1 }
        }
        let hex = groups.map { String($0, radix: 16) }
        if best.start < 0 { return hex.joined(separator: ":") }
        return hex[..<best.start].joined(separator: ":") + "::" + hex[(best.start + best.length)...].joined(separator: ":")
    }

    public var isLoopback: Bool { isV4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1] }
}

/// An address range: `10.0.0.0/8`, `2001:db8::/32`; a bare address is a /32 or /128.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let a = IPAddress(String(parts[0])) else { return nil }
        let maxPrefix = a.bytes.count * 8
        if parts.count == 2 {
            guard let p = Int(parts[1]), p >= 0, p <= maxPrefix, parts[1].allSatisfy(\.isNumber) else { return nil }
            prefix = p
        } else { prefix = maxPrefix }
        address = a
    }

    public func contains(_ ip: IPAddress) -> Bool {
        guard ip.bytes.count == address.bytes.count else { return false }
        var left = prefix
        for (x, y) in zip(ip.bytes, address.bytes) {
            if left <= 0 { return true }
            let mask: UInt8 = left >= 8 ? 0xff : ~(0xff >> UInt8(left))
            if x & mask != y & mask { return false }
            left -= 8
        }
        return true
    }

    public var description: String { prefix == address.bytes.count * 8 ? address.description : "\(address)/\(prefix)" }
}

/// An `allow_domains` / `deny_domains` entry: a host name (`example.com`), every name below one
/// (`*.example.com`, not the name itself), everything (`*`), or a literal address or range.
public enum DomainPattern: Hashable, Sendable, CustomStringConvertible {
    case exact(String)
    case below(String)
    case any
    case addresses(CIDR)

    public static func parse(_ text: String) -> Result<DomainPattern, DomainPatternError> {
        let t = text.lowercased()
        if t == "*" { return .success(.any) }
        if let c = CIDR(t) { return .success(.addresses(c)) }
        if t.hasPrefix("[") && t.hasSuffix("]"), let c = CIDR(String(t.dropFirst().dropLast())) { return .success(.addresses(c)) }
        var name = Substring(t)
        var below = false
        if name.hasPrefix("*.") { below = true; name = name.dropFirst(2) }
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty, name.count <= 253 else { return .failure(.init("is not a host name, *.domain, * or an address")) }
        if name.contains("*") { return .failure(.init("uses * inside a name; only a leading \"*.\" (every name below a domain) or \"*\" alone is allowed")) }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63 else { return .failure(.init("has an empty or over-long label")) }
            guard label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                return .failure(.init("has characters a host name cannot have (letters, digits, '-' and '_' only)"))
            }
        }
        return .success(below ? .below(String(name)) : .exact(String(name)))
    }

    /// Whether `host` (a name, or an address in text) is covered. Names never match address entries.
    public func matches(host: String) -> Bool {
        var h = host.lowercased()
        if h.hasSuffix(".") { h.removeLast() }
        if let ip = IPAddress(h) {
            if case .addresses(let c) = self { return c.contains(ip) }
            return false
        }
        switch self {
        case .any: return true
        case .exact(let n): return h == n
        case .below(let n): return h.hasSuffix("." + n)
        case .addresses: return false
        }
    }

    public var description: String {
        switch self {
        case .exact(let n): return n
        case .below(let n): return "*." + n
        case .any: return "*"
        case .addresses(let c): return c.description
        }
    }
}

public struct DomainPatternError: Error, Equatable, Sendable {
    public var sentence: String
    public init(_ s: String) { sentence = s }
}

/// A `deny_destinations` entry: `CIDR`, `CIDR:PORT`, `[IPv6CIDR]:PORT` or `*:PORT`.
public struct DestinationRule: Hashable, Sendable, CustomStringConvertible {
    public var range: CIDR?
    public var port: Int?

    public static func parse(_ text: String) -> DestinationRule? {
        var rest = Substring(text)
        var port: Int?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            let inner = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            }
            rest = inner
        } else if rest.filter({ $0 == ":" }).count == 1 {
            let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
            guard let p = Int(parts[1]), (1...65535).contains(p) else { return nil }
            port = p
            rest = parts[0]
        }
        if rest == "*" { return port == nil ? nil : DestinationRule(range: nil, port: port) }
        guard let c = CIDR(String(rest)) else { return nil }
        return DestinationRule(range: c, port: port)
    }

    public func matches(_ ip: IPAddress, port p: Int) -> Bool {
        if let port, port != p { return false }
        if let range, !range.contains(ip) { return false }
        return true
    }

    public var description: String {
        let r = range.map { $0.address.isV4 || port == nil ? $0.description : "[\($0)]" } ?? "*"
        return port.map { "\(r):\($0)" } ?? r
    }
}

/// What the network policy says about one destination.
public struct NetworkDecision: Equatable, Sendable {
    public var allowed: Bool
    /// The entry that decided (`deny_domains *.ads.example`, `allow_domains cdn.example.com`), or why nothing did.
    public var rule: String

    public init(allowed: Bool, rule: String) {
        self.allowed = allowed
        self.rule = rule
    }
}

/// The `[network]` policy of a session (SPEC §5), pure and shared by the proxy, the DNS relay and
/// observe mode. `deny_domains` wins over `allow_domains`; in proxy mode what no allow entry names
/// is refused, and a literal address passes only when an allow entry covers it.
public struct NetworkPolicy: Codable, Equatable, Sendable {
    public var allowDomains: [String]
    public var denyDomains: [String]
    public var denyDestinations: [String]
    /// `allow_local`: local destinations (address or range, optional port) the proxy may connect to.
    public var allowLocal: [String]

    public init(allowDomains: [String] = [], denyDomains: [String] = [], denyDestinations: [String] = [], allowLocal: [String] = []) {
        self.allowDomains = allowDomains
        self.denyDomains = denyDomains
        self.denyDestinations = denyDestinations
        self.allowLocal = allowLocal
    }

    var allow: [DomainPattern] { allowDomains.compactMap { try? DomainPattern.parse($0).get() } }
    var deny: [DomainPattern] { denyDomains.compactMap { try? DomainPattern.parse($0).get() } }

    /// A compiled copy for the hot path (patterns parsed once).
    public func compiled() -> Compiled {
        Compiled(allow: allow, deny: deny, destinations: denyDestinations.compactMap(DestinationRule.parse),
                 local: allowLocal.compactMap(LocalAllowance.parse))
    }

    public struct Compiled: Sendable {
        public let allow: [DomainPattern]
        public let deny: [DomainPattern]
        public let destinations: [DestinationRule]
        public let local: [DestinationRule]

        public init(allow: [DomainPattern], deny: [DomainPattern], destinations: [DestinationRule], local: [DestinationRule] = []) {
            self.allow = allow
            self.deny = deny
            self.destinations = destinations
            self.local = local
        }

        /// Proxy and DNS relay: deny list first, then the allow list; nothing named means refused.
        /// Any spelling of an address (`127.1`, `0x7f000001`, `[::ffff:127.0.0.1]`) is decided as that address.
        public func decide(host: String) -> NetworkDecision {
            let host = IPAddress.literal(host)?.description ?? host
            if let d = deny.first(where: { $0.matches(host: host) }) { return NetworkDecision(allowed: false, rule: "deny_domains \(d)") }
            if let a = allow.first(where: { $0.matches(host: host) }) { return NetworkDecision(allowed: true, rule: "allow_domains \(a)") }
            let literal = IPAddress(host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host) != nil
            return NetworkDecision(allowed: false, rule: literal ? "a literal address no allow_domains entry covers" : "not in allow_domains")
        }

        /// Proxy, after the name was allowed: the address it resolved to (or the literal), which must not
        /// reach this machine or its local network unless `allow_local` names it. `own`: the host's addresses.
        public func decide(address: IPAddress, port: Int, own: Set<IPAddress>) -> NetworkDecision {
            guard let range = LocalRange.of(address, own: own) else { return NetworkDecision(allowed: true, rule: "") }
            if let a = local.first(where: { $0.matches(address, port: port) }) { return NetworkDecision(allowed: true, rule: "allow_local \(a)") }
            let shown = address.isV4 ? "\(address):\(port)" : "[\(address)]:\(port)"
            return NetworkDecision(allowed: false, rule: "\(shown) is \(range.rawValue), not in allow_local")
        }

        /// Observe mode: only the deny lists apply (names are those the address was looked up as).
        public func decide(address: IPAddress, port: Int, names: [String]) -> NetworkDecision {
            if let r = destinations.first(where: { $0.matches(address, port: port) }) { return NetworkDecision(allowed: false, rule: "deny_destinations \(r)") }
            for n in names {
                if let d = deny.first(where: { $0.matches(host: n) }) { return NetworkDecision(allowed: false, rule: "deny_domains \(d) (\(n))") }
            }
            if let d = deny.first(where: { $0.matches(host: address.description) }) { return NetworkDecision(allowed: false, rule: "deny_domains \(d)") }
            return NetworkDecision(allowed: true, rule: "")
        }
    }
}

/// `host:port`, `[v6]:port` or a bare host (with `defaultPort`).
public struct NetworkEndpoint: Equatable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int?

    public var address: IPAddress? { IPAddress(host) }

    public static func parse(_ text: String, defaultPort: Int?) -> NetworkEndpoint? {
        var host = Substring(text)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty { guard after.hasPrefix(":") else { return nil }; portText = after.dropFirst() }
        } else if host.filter({ $0 == ":" }).count == 1 {
            let parts = host.split(separator: ":", omittingEmptySubsequences: false)
            host = parts[0]
            portText = parts[1]
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_:".contains($0)) }) else { return nil }
        var port = defaultPort
        if let p = portText {
            guard let n = Int(p), (1...65535).contains(n) else { return nil }
            port = n
        }
        return NetworkEndpoint(host: String(host).lowercased(), port: port)
    }

    public var isLoopback: Bool { host == "localhost" || (address?.isLoopback ?? false) }

    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(h):\($0)" } ?? h
    }
}

/// A one-question DNS query (recursion desired), for looking a name up at the relay's upstream.
public enum DNSQuery {
    public static func build(id: UInt16, name: String, type: UInt16) -> [UInt8]? {
        var out: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            let bytes = Array(label.utf8)
            guard !bytes.isEmpty, bytes.count <= 63 else { return nil }
            out.append(UInt8(bytes.count))
            out += bytes
        }
        guard out.count <= 12 + 254 else { return nil }
        out += [0, UInt8(type >> 8), UInt8(type & 0xff), 0, 1]
        return out
    }
}
