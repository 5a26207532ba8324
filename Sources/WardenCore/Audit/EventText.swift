/// One event as a line of `ww events`' table: the details as `key=value`, strings quoted when they
/// hold a space, lists in brackets, chains as `name(pid)<-…`.
public enum EventText {
    public static func details(_ e: AuditEvent, limit: Int = 160) -> String {
        var parts: [String] = []
        for (key, value) in e.details {
            parts.append("\(key)=\(text(value))")
        }
        if !e.chain.isEmpty { parts.append("chain=" + e.chain.map { "\($0.name)(\($0.pid))" }.joined(separator: "<-")) }
        let line = parts.joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }

    public static func value(_ v: AuditEvent.Value) -> String { text(v) }

    static func text(_ v: AuditEvent.Value) -> String {
        switch v {
        case .string(let s): return s.isEmpty || s.contains(where: { $0 == " " || $0 == "\t" }) ? AuditEvent.quote(s) : s
        case .int(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .strings(let list): return "[" + list.map { text(.string($0)) }.joined(separator: ",") + "]"
        case .processes(let list): return list.map { "\($0.name)(\($0.pid))" }.joined(separator: "<-")
        }
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
