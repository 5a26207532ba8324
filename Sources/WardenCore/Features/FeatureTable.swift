// `ww features` as plain text: an aligned CHECK / VERDICT / DETAIL table with cost and fix lines.

extension FeatureReport {
    /// Aligned plain-text table: CHECK, VERDICT, DETAIL, with cost and fix lines under
    /// each line that is not ok. Wraps at `width` columns; no colour, no box characters.
    public func renderTable(width: Int = 100) -> String {
        let nameWidth = max(5, checks.map(\.name.count).max() ?? 0)
        let verdictWidth = 8
        let indent = nameWidth + 2 + verdictWidth + 2
        let textWidth = max(30, width - indent)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }

        var out = [pad("CHECK", nameWidth) + "  " + pad("VERDICT", verdictWidth) + "  DETAIL"]
        for check in checks {
            var first = true
            func emit(_ text: String, prefix: String) {
                let lines = FeatureReport.wrap(text, width: textWidth - prefix.count)
                for (i, line) in lines.enumerated() {
                    let lead = first
                        ? pad(check.name, nameWidth) + "  " + pad(check.verdict.rawValue, verdictWidth) + "  "
                        : String(repeating: " ", count: indent)
                    let label = i == 0 ? prefix : String(repeating: " ", count: prefix.count)
                    out.append(lead + label + line)
                    first = false
                }
            }
            emit(check.detail, prefix: "")
            if let cost = check.cost, check.verdict != .ok { emit(cost, prefix: "cost: ") }
            if let fix = check.fix, check.verdict != .ok { emit(fix, prefix: "fix:  ") }
        }
        let degraded = checks.filter { $0.verdict == .degraded }.count
        let missing = checks.filter { $0.verdict == .missing }.count
        out.append("")
        out.append((canSandbox ? "ww can sandbox games on this machine" : "ww CANNOT sandbox games on this machine")
                   + " (\(checks.count - degraded - missing) ok, \(degraded) degraded, \(missing) missing)"
                   + (features.thorough ? "" : "; quick probe, run `ww features` for trial runs") + ".")
        return out.joined(separator: "\n") + "\n"
    }

    /// Greedy word wrap; a word longer than `width` gets a line of its own.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        lines.append(current)
        return lines
    }
}
