/// One event as a line of `ww events`' table: the details as `key=value`, strings quoted when they
/// hold a space, lists in brackets, chains as `name(pid)<-…`.
public enum EventText {
    public static func details(_ e: AuditEvent, limit: Int = 160) -> String {
        var parts: [String] = []
        for (key, value) in e.details {
            parts.append("\(key)=\(text(value))")
        }
        if !e.chain.isEmpty { parts.append("chain=" + e.chain.map { "\(printable($0.name))(\($0.pid))" }.joined(separator: "<-")) }
        let line = parts.joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }

    public static func value(_ v: AuditEvent.Value) -> String { text(v) }

    static func text(_ v: AuditEvent.Value) -> String {
        switch v {
        case .string(let s):
            // A name the game chose (a file, a DNS name) may hold escape sequences: never printed raw.
            if s.unicodeScalars.contains(where: isControl) { return escapingC1(AuditEvent.quote(s)) }
            return s.isEmpty || s.contains(where: { $0 == " " || $0 == "\t" }) ? AuditEvent.quote(s) : s
        case .int(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .strings(let list): return "[" + list.map { text(.string($0)) }.joined(separator: ",") + "]"
        case .processes(let list): return list.map { "\(printable($0.name))(\($0.pid))" }.joined(separator: "<-")
        }
    }

    /// Control characters (C0, DEL, C1) written as `\u00XX`: text safe to print on a terminal.
    public static func printable(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            if isControl(u) { let h = String(u.value, radix: 16); out += "\\u" + String(repeating: "0", count: 4 - h.count) + h } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    public static func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || (0x7F...0x9F).contains(u.value) }

    /// `AuditEvent.quote` escapes C0 and DEL (JSON's rules); the terminal also obeys C1 (0x80–0x9F).
    static func escapingC1(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if (0x80...0x9F).contains(u.value) { out += "\\u00" + String(u.value, radix: 16) } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    /// Columns padded to the widest cell (the last column is never padded).
    public static func table(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for r in rows { for (i, c) in r.enumerated() where i < columns - 1 { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in i < r.count - 1 ? c + String(repeating: " ", count: widths[i] - c.count) : c }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
