/// Valve's KeyValues text (`.vdf`, `.acf`): quoted or bare keys, each followed by a quoted value or a
/// `{ … }` block; `//` comments; `[$CONDITION]` tags after a value (ignored). Keys compare without case,
/// as Steam's do (`CompatToolMapping` is written `compattoolmapping` by some clients).
public struct VDF: Equatable, Sendable {
    public indirect enum Value: Equatable, Sendable {
        case text(String)
        case block(VDF)
    }

    public struct Entry: Equatable, Sendable {
        public var key: String
        public var value: Value
        public init(_ key: String, _ value: Value) {
            self.key = key
            self.value = value
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry] = []) { self.entries = entries }

    /// The first block named `key`, or nil.
    public func block(_ key: String) -> VDF? {
        for e in entries where e.key.lowercased() == key.lowercased() {
            if case .block(let b) = e.value { return b }
        }
        return nil
    }

    /// The first text value named `key`, or nil.
    public func text(_ key: String) -> String? {
        for e in entries where e.key.lowercased() == key.lowercased() {
            if case .text(let t) = e.value { return t }
        }
        return nil
    }

    /// Follows blocks by name: `path("InstallConfigStore", "Software", "Valve", "Steam")`.
    public func path(_ keys: String...) -> VDF? {
        var node: VDF? = self
        for k in keys { node = node?.block(k) }
        return node
    }

    /// Steam's own layout: tabs, every key and value quoted, `\` and `"` escaped.
    public func rendered(indent: Int = 0) -> String {
        var out = ""
        let pad = String(repeating: "\t", count: indent)
        for e in entries {
            switch e.value {
            case .text(let t): out += "\(pad)\(Self.quoted(e.key))\t\t\(Self.quoted(t))\n"
            case .block(let b): out += "\(pad)\(Self.quoted(e.key))\n\(pad){\n\(b.rendered(indent: indent + 1))\(pad)}\n"
            }
        }
        return out
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Parses a whole file; `file` names it in errors (one sentence with the line and the fix).
    public static func parse(_ text: String, file: String) throws -> VDF {
        var p = VDFParser(Array(text.unicodeScalars), file: file)
        let root = try p.entries(closedByBrace: false)
        return root
    }
}

struct VDFParser {
    let chars: [Unicode.Scalar]
    let file: String
    var i = 0
    var line = 1

    init(_ chars: [Unicode.Scalar], file: String) {
        self.chars = chars
        self.file = file
    }

    enum Token: Equatable { case word(String), open, close, end }

    func failure(_ what: String) -> WardenError {
        WardenError(.host, "\(file):\(line): \(what), so it is not a Steam VDF file ww can read; check the file (Steam rewrites it when it starts)")
    }

    mutating func skipSpaceAndComments() {
        while i < chars.count {
            let c = chars[i]
            if c == "\n" { line += 1; i += 1 }
            else if c == " " || c == "\t" || c == "\r" || c == "\u{FEFF}" { i += 1 }
            else if c == "/", i + 1 < chars.count, chars[i + 1] == "/" {
                while i < chars.count, chars[i] != "\n" { i += 1 }
            } else { return }
        }
    }

    mutating func next() throws -> Token {
        skipSpaceAndComments()
        guard i < chars.count else { return .end }
        let c = chars[i]
        if c == "{" { i += 1; return .open }
        if c == "}" { i += 1; return .close }
        if c == "\"" {
            i += 1
            var s = String.UnicodeScalarView()
            while i < chars.count, chars[i] != "\"" {
                if chars[i] == "\\", i + 1 < chars.count {
                    i += 1
                    switch chars[i] {
                    case "n": s.append("\n")
                    case "t": s.append("\t")
                    default: s.append(chars[i])
                    }
                } else {
                    if chars[i] == "\n" { line += 1 }
                    s.append(chars[i])
                }
                i += 1
            }
            guard i < chars.count else { throw failure("a quoted string is not closed") }
            i += 1
            return .word(String(s))
        }
        var s = String.UnicodeScalarView()
        while i < chars.count, !" \t\r\n{}\"".unicodeScalars.contains(chars[i]) {
            s.append(chars[i])
            i += 1
        }
        return .word(String(s))
    }

    /// A `[$WIN32]`-style condition after a value: Steam evaluates it; ww keeps the entry either way.
    mutating func skipCondition() {
        let save = (i, line)
        skipSpaceAndComments()
        if i < chars.count, chars[i] == "[" {
            while i < chars.count, chars[i] != "]", chars[i] != "\n" { i += 1 }
            if i < chars.count, chars[i] == "]" { i += 1; return }
        }
        (i, line) = save
    }

    mutating func entries(closedByBrace: Bool, depth: Int = 0) throws -> VDF {
        guard depth < 64 else { throw failure("blocks are nested more than 64 deep") }
        var out = VDF()
        while true {
            switch try next() {
            case .end:
                if closedByBrace { throw failure("a { block is not closed before the end of the file") }
                return out
            case .close:
                if !closedByBrace { throw failure("a } closes no block") }
                return out
            case .open:
                throw failure("a { block has no name before it")
            case .word(let key):
                skipCondition()
                switch try next() {
                case .word(let value):
                    skipCondition()
                    out.entries.append(.init(key, .text(value)))
                case .open:
                    out.entries.append(.init(key, .block(try entries(closedByBrace: true, depth: depth + 1))))
                case .close, .end:
                    throw failure("the key \"\(key)\" has no value")
                }
            }
        }
    }
}
