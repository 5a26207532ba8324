import TOMLKit

/// A parsed TOML file as plain values, with the line of every key and array element.
/// TOMLKit parses (real TOML 1.0); it exposes no positions for values, so `TOMLLineIndex` adds them.
public indirect enum TOMLNode: Equatable, Sendable {
    case table([String: TOMLNode])
    case array([TOMLNode])
    case string(String)
    case integer(Int)
    case bool(Bool)
    case other(String)   // float, date, time: never valid in a profile

    public var typeName: String {
        switch self {
        case .table: return "a table"
        case .array: return "an array"
        case .string: return "a string"
        case .integer: return "an integer"
        case .bool: return "true/false"
        case .other(let t): return "a \(t)"
        }
    }
}

public struct TOMLDocument: Sendable {
    public let path: String
    public let root: [String: TOMLNode]
    public let lines: TOMLLineIndex

    /// Parses `text`; syntax errors come back as `path:line:column: message`.
    public init(path: String, text: String) throws {
        self.path = path
        do {
            let table = try TOMLTable(string: text)
            guard case .table(let root) = TOMLDocument.convert(table) else { throw WardenError(.profile, "\(path): not a table") }
            self.root = root
        } catch let error as TOMLParseError {
            let line = error.source.begin.line
            throw WardenError(.profile, "\(path):\(line):\(error.source.begin.column): TOML syntax error: \(error.description); fix the file or check it with `ww profile check \(path)`")
        }
        self.lines = TOMLLineIndex(text: text)
    }

    static func convert(_ value: TOMLValueConvertible) -> TOMLNode {
        switch value.type {
        case .table:
            let t = value.table!
            var out: [String: TOMLNode] = [:]
            for key in t.keys { if let v = t[key] { out[key] = convert(v) } }
            return .table(out)
        case .array:
            return .array(value.array!.map { convert($0) })
        case .string: return .string(value.string ?? "")
        case .int: return .integer(value.int ?? 0)
        case .bool: return .bool(value.bool ?? false)
        default: return .other(value.type.description)
        }
    }

    /// `path:line` for a key path such as ["filesystem", "read_write"], optionally an array element.
    public func location(_ keyPath: [String], element: Int? = nil) -> SourceLocation {
        let line = element.flatMap { lines.line(of: keyPath, element: $0) } ?? lines.line(of: keyPath) ?? 1
        return SourceLocation(file: path, line: line)
    }
}

/// Maps dotted key paths (and array elements) to source lines by scanning the text.
/// It understands tables, dotted and quoted keys, inline tables, multi-line arrays and strings.
public struct TOMLLineIndex: Sendable {
    private var keyLines: [String: Int] = [:]
    private var elementLines: [String: [Int]] = [:]

    public func line(of keyPath: [String]) -> Int? { keyLines[keyPath.joined(separator: "\u{1}")] }

    public func line(of keyPath: [String], element: Int) -> Int? {
        guard let lines = elementLines[keyPath.joined(separator: "\u{1}")], element < lines.count else { return line(of: keyPath) }
        return lines[element]
    }

    public init(text: String) {
        let chars = Array(text)
        var i = 0
        var line = 1
        var table: [String] = []

        func peek(_ k: Int = 0) -> Character? { i + k < chars.count ? chars[i + k] : nil }
        func skipSpaces() { while let c = peek(), c == " " || c == "\t" { i += 1 } }
        func skipToLineEnd() { while let c = peek(), c != "\n" { i += 1 } }
        func skipSpaceCommentsNewlines() {
            while let c = peek() {
                if c == " " || c == "\t" || c == "\r" { i += 1 }
                else if c == "\n" { line += 1; i += 1 }
                else if c == "#" { skipToLineEnd() }
                else { break }
            }
        }
        // Reads a string literal starting at i (any of the four TOML forms); returns its raw content.
        func readString() -> String {
            let quote = chars[i]
            let triple = peek(1) == quote && peek(2) == quote
            i += triple ? 3 : 1
            var out = ""
            while let c = peek() {
                if triple, c == quote, peek(1) == quote, peek(2) == quote { i += 3; return out }
                if !triple, c == quote { i += 1; return out }
                if c == "\\", quote == "\"" { out.append(c); i += 1; if let n = peek() { out.append(n); if n == "\n" { line += 1 }; i += 1 }; continue }
                if c == "\n" { line += 1; if !triple { return out } }
                out.append(c); i += 1
            }
            return out
        }
        func readKey() -> [String] {
            var parts: [String] = []
            while let c = peek() {
                skipSpaces()
                guard let c2 = peek() else { break }
                if c2 == "\"" || c2 == "'" { parts.append(readString()) }
                else {
                    var bare = ""
                    while let b = peek(), b.isLetter || b.isNumber || b == "_" || b == "-" { bare.append(b); i += 1 }
                    if bare.isEmpty { break }
                    parts.append(bare)
                }
                skipSpaces()
                if peek() == "." { i += 1; continue }
                _ = c
                break
            }
            return parts
        }
        func key(_ path: [String]) -> String { path.joined(separator: "\u{1}") }

        // Skips one value, recording element and inline-table key lines under `path`.
        func readValue(_ path: [String]) {
            skipSpaces()
            guard let c = peek() else { return }
            if c == "\"" || c == "'" { _ = readString(); return }
            if c == "[" {
                i += 1
                var elements: [Int] = []
                while true {
                    skipSpaceCommentsNewlines()
                    guard let n = peek() else { break }
                    if n == "]" { i += 1; break }
                    if n == "," { i += 1; continue }
                    elements.append(line)
                    readValue(path + ["[\(elements.count - 1)]"])
                }
                elementLines[key(path)] = elements
                return
            }
            if c == "{" {
                i += 1
                while true {
                    skipSpaces()
                    guard let n = peek() else { break }
                    if n == "}" { i += 1; break }
                    if n == "," { i += 1; continue }
                    if n == "\n" { line += 1; i += 1; continue }
                    let k = readKey()
                    if k.isEmpty { i += 1; continue }
                    keyLines[key(path + k)] = line
                    skipSpaces()
                    if peek() == "=" { i += 1 }
                    readValue(path + k)
                }
                return
            }
            // Bare scalar: number, bool, date.
            while let n = peek(), n != ",", n != "]", n != "}", n != "\n", n != "#" { i += 1 }
        }

        while i < chars.count {
            skipSpaceCommentsNewlines()
            guard let c = peek() else { break }
            if c == "[" {
                let arrayTable = peek(1) == "["
                i += arrayTable ? 2 : 1
                table = readKey()
                keyLines[key(table)] = keyLines[key(table)] ?? line
                skipToLineEnd()
                continue
            }
            let k = readKey()
            if k.isEmpty { skipToLineEnd(); continue }
            keyLines[key(table + k)] = line
            skipSpaces()
            if peek() == "=" { i += 1 }
            readValue(table + k)
            skipToLineEnd()
        }
    }
}
