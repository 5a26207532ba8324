import WardenCore

/// The view's text helpers: widths, padding, durations, sparklines, styles.
extension MonitorView {
    static func eventLine(_ e: AuditEvent) -> String { "\(e.kind) \(e.game) \(e.session) \(EventText.details(e, limit: 400))" }

    func tierStyle(_ tier: String) -> MonitorStyle { tier == "red" ? .bad : tier == "green" ? .good : tier == "yellow" ? .warn : .dim }

    func duration(_ s: MonitorModel.Session) -> String {
        let end = s.live ? max(now, s.started) : (s.ended ?? s.last)
        let secs = Int((end - min(end, s.started)) / 1_000_000_000)
        if secs >= 3600 { return "\(secs / 3600)h\(pad2((secs / 60) % 60))m" }
        return "\(secs / 60)m\(pad2(secs % 60))s"
    }

    func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

    func sparkline(_ values: [Int], floor: Int? = nil, ceiling: Int? = nil) -> String {
        let marks: [Character] = unicode ? ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] : [".", ":", "-", "=", "+", "*", "#", "@"]
        let low = floor ?? 0
        let high = max(ceiling ?? (values.max() ?? 0), low + 1)
        return String(values.map { v -> Character in
            if floor == nil && v == 0 { return " " }
            let i = (v - low) * (marks.count - 1) / (high - low)
            return marks[min(max(i, 0), marks.count - 1)]
        })
    }

    /// The first row and the number of rows to show so the selected one is visible.
    func window(selected: Int, total: Int, visible: Int) -> (Int, Int) {
        let visible = max(1, visible)
        guard total > visible else { return (0, total) }
        return (min(max(0, selected - visible / 2), total - visible), visible)
    }

    func fit(_ s: String, _ n: Int) -> String {
        guard n > 0 else { return "" }
        return s.count <= n ? s : String(s.prefix(n - 1)) + (unicode ? "…" : "~")
    }

    func pad(_ s: String, _ n: Int) -> String {
        let t = fit(s, n - 1)
        return t + String(repeating: " ", count: max(0, n - t.count))
    }

    /// Cuts the line at the width and fills it with spaces (a selected row is highlighted across).
    func pad(_ line: MonitorLine) -> MonitorLine {
        var out: MonitorLine = []
        var used = 0
        for span in line where used < width {
            let text = span.text.count + used > width ? String(span.text.prefix(width - used)) : span.text
            out.append(MonitorSpan(text, span.style))
            used += text.count
        }
        if used < width {
            let fillStyle: MonitorStyle = line.contains { $0.style == .selected } ? .selected : line.first?.style == .title ? .tab : .normal
            out.append(MonitorSpan(String(repeating: " ", count: width - used), fillStyle))
        }
        return out
    }
}
