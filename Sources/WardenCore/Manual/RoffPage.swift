/// A manual page in man(7) macros, built line by line; every text is escaped so groff prints it
/// as written. In text, `code` spans (backticks) are set in bold with their dashes as minus signs,
/// so options and TOML copy and paste correctly.
public struct RoffPage {
    public private(set) var lines: [String] = []

    /// `.TH`: no date, so the page depends on nothing but the code (the version is in the footer).
    public init(name: String, section: Int, source: String, manual: String) {
        lines.append(".TH \(Self.argument(name.uppercased())) \(section) \"\" \(Self.argument(source)) \(Self.argument(manual))")
        // Paths and options read better unbroken and without stretched spaces.
        lines.append(".nh")
        lines.append(".ad l")
    }

    public var text: String { lines.joined(separator: "\n") + "\n" }

    /// The NAME section: what `whatis` and `apropos` read.
    public mutating func name(_ name: String, _ summary: String) {
        section("Name")
        lines.append(Self.code(name) + " \\- " + Self.escape(summary))
    }

    public mutating func section(_ title: String) { lines.append(".SH \(Self.argument(title.uppercased()))") }

    public mutating func subsection(_ title: String) { lines.append(".SS \(Self.argument(title))") }

    public mutating func paragraph(_ text: String) {
        guard !text.isEmpty else { return }
        lines.append(".PP")
        lines.append(Self.inline(text))
    }

    /// Text lines set one below the other (`.br` between them), in the current paragraph. An empty
    /// text line would be a blank line, which roff does not expect inside running text.
    public mutating func lineByLine(_ texts: [String]) {
        for (i, t) in texts.filter({ !$0.isEmpty }).enumerated() {
            if i > 0 { lines.append(".br") }
            lines.append(Self.inline(t))
        }
    }

    /// A tagged paragraph (`.TP`): the tag on its own line, then the body lines.
    public mutating func item(_ tag: String, _ body: [String]) {
        lines.append(".TP")
        lines.append(Self.inline(tag))
        lineByLine(body)
    }

    /// Lines kept exactly as written (no filling), indented: examples and file contents.
    public mutating func verbatim(_ texts: [String]) {
        lines.append(".PP")
        lines.append(".RS 4")
        lines.append(".nf")
        for t in texts { lines.append(t.isEmpty ? "\\&" : Self.protect(Self.code(t))) }
        lines.append(".fi")
        lines.append(".RE")
    }

    /// Prose with `code` spans.
    public static func inline(_ text: String) -> String {
        var out = ""
        for (i, part) in text.split(separator: "`", omittingEmptySubsequences: false).enumerated() {
            out += i % 2 == 0 ? escape(String(part)) : "\\fB" + code(String(part)) + "\\fR"
        }
        return protect(out)
    }

    /// Backslashes printed as themselves.
    /// Backslashes as `\e`; characters beyond ASCII as groff's `\[uXXXX]`, so any help text renders.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "\\" { out += "\\e" }
            else if scalar.isASCII { out.unicodeScalars.append(scalar) }
            else {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\[u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
            }
        }
        return out
    }

    /// Literal text: dashes are minus signs (`\-`), as options and code need.
    static func code(_ text: String) -> String { escape(text).replacingOccurrences(of: "-", with: "\\-") }

    /// A text line starting with `.` or `'` would be read as a request.
    static func protect(_ line: String) -> String {
        line.hasPrefix(".") || line.hasPrefix("'") || line.hasPrefix(" ") ? "\\&" + line : line
    }

    /// A macro argument in double quotes.
    static func argument(_ text: String) -> String {
        "\"" + escape(text).replacingOccurrences(of: "\"", with: "\\(dq") + "\""
    }
}
