/// Every spelling of an IP address a resolver or a browser accepts, read as the one address it
/// names, and the ranges that reach this machine or its local network (issue 17 item 4). The proxy
/// decides on the address, so `127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`,
/// `[::ffff:127.0.0.1]` and `127.0.0.1.` are all 127.0.0.1 here, as they are to `inet_aton`.
public extension IPAddress {
    /// The address `host` spells (brackets, one trailing dot and an IPv6 zone removed), or nil for a name.
    static func literal(_ host: String) -> IPAddress? {
        var h = Substring(host)
        if h.hasSuffix(".") { h = h.dropLast() }
        if h.hasPrefix("[") && h.hasSuffix("]") { h = h.dropFirst().dropLast() }
        guard !h.isEmpty, h.allSatisfy(\.isASCII) else { return nil }
        if h.contains(":") {
            if let percent = h.firstIndex(of: "%") { h = h[..<percent] }
            return IPAddress(String(h))
        }
        return inetAton(h)
    }

    /// The C library's reading of a dotted IPv4 literal: one to four parts, each decimal, octal
    /// (leading 0) or hex (0x); the last part fills the remaining bytes (`127.1` is 127.0.0.1).
    internal static func inetAton(_ s: Substring) -> IPAddress? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for p in parts {
            var digits = p, radix = 10
            if digits.lowercased().hasPrefix("0x") { digits = digits.dropFirst(2); radix = 16 }
            else if digits.count > 1 && digits.hasPrefix("0") { digits = digits.dropFirst(); radix = 8 }
            if digits.isEmpty && radix == 16 { values.append(0); continue }   // "0x" alone is 0, as for inet_aton
            guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(\.isHexDigit), let v = UInt64(digits, radix: radix) else { return nil }
            values.append(v)
        }
        let head = values.dropLast()
        guard head.allSatisfy({ $0 <= 0xff }), let last = values.last else { return nil }
        let lastBytes = 4 - head.count
        guard last < (UInt64(1) << (8 * UInt64(lastBytes))) else { return nil }
        var bytes = head.map { UInt8($0) }
        for i in stride(from: lastBytes - 1, through: 0, by: -1) { bytes.append(UInt8((last >> (8 * UInt64(i))) & 0xff)) }
        return IPAddress(bytes: bytes)
    }
}

/// A range that reaches this machine or its local network rather than the internet.
public enum LocalRange: String, Sendable, CaseIterable {
    case unspecified = "the unspecified address"
    case thisNetwork = "0.0.0.0/8 (this network)"
    case loopback = "loopback"
    case linkLocal = "link-local"
    case privateNetwork = "a private network (RFC 1918)"
    case sharedAddressSpace = "carrier-grade NAT (100.64.0.0/10)"
    case uniqueLocal = "a unique local IPv6 network (fc00::/7)"
    case siteLocal = "a site-local IPv6 network (fec0::/10)"
    case multicast = "multicast"
    case reserved = "reserved (240.0.0.0/4, broadcast)"
    case ipv4Compatible = "an IPv4-compatible IPv6 address (::/96)"
    case hostAddress = "an address of this machine"

    static let v4: [(CIDR, LocalRange)] = ranges([
        ("0.0.0.0/8", .thisNetwork), ("127.0.0.0/8", .loopback), ("169.254.0.0/16", .linkLocal),
        ("10.0.0.0/8", .privateNetwork), ("172.16.0.0/12", .privateNetwork), ("192.168.0.0/16", .privateNetwork),
        ("100.64.0.0/10", .sharedAddressSpace), ("224.0.0.0/4", .multicast), ("240.0.0.0/4", .reserved),
    ])
    static let v6: [(CIDR, LocalRange)] = ranges([
        ("::/128", .unspecified), ("::1/128", .loopback), ("::/96", .ipv4Compatible), ("fe80::/10", .linkLocal),
        ("fec0::/10", .siteLocal), ("fc00::/7", .uniqueLocal), ("ff00::/8", .multicast),
    ])
    static func ranges(_ list: [(String, LocalRange)]) -> [(CIDR, LocalRange)] { list.map { (CIDR($0.0)!, $0.1) } }

    /// The local range `ip` is in, if any (IPv4-mapped and NAT64 addresses by their IPv4 part);
    /// `own` are the host's interface addresses.
    public static func of(_ ip: IPAddress, own: Set<IPAddress> = []) -> LocalRange? {
        var ip = ip
        if !ip.isV4, let nat64 = CIDR("64:ff9b::/96"), nat64.contains(ip) { ip = IPAddress(bytes: Array(ip.bytes[12...]))! }
        if let hit = (ip.isV4 ? v4 : v6).first(where: { $0.0.contains(ip) }) { return hit.1 }
        if own.contains(ip) { return .hostAddress }
        return nil
    }
}

/// An `allow_local` entry: an address or range with an optional port (`192.168.1.10:27015`,
/// `10.0.0.0/24`, `[fd00::5]:443`); unlike `deny_destinations`, never `*`.
public enum LocalAllowance {
    public static func parse(_ text: String) -> DestinationRule? {
        guard let r = DestinationRule.parse(text), r.range != nil else { return nil }
        return r
    }
}
