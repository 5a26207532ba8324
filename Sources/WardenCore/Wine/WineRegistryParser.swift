// The reader behind `WineRegistryFile.parse`: Wine's `server/registry.c` format, line by line.
// Strings are read as Wine reads them: each byte is one UTF-16 unit (Wine writes only ASCII,
// anything else as `\x` escapes), escapes `\\ \" \n \t \r \a \b \e \f \v`, `\xHHHH` (one to four
// hex digits) and `\ooo` (one to three octal digits); hex data continues on the next line after a
// trailing backslash.

struct WineRegistryParser {
    let bytes: [UInt8]
    let lines: [Range<Int>]
    let onlyKeys: ((String) -> Bool)?
    var file = WineRegistryFile()

    init(bytes: [UInt8], onlyKeys: ((String) -> Bool)?) {
        self.bytes = bytes
        self.lines = WineRegistryFile.lineRanges(bytes)
        self.onlyKeys = onlyKeys
    }

    /// A line's bytes without its newline (and a carriage return before it).
    func text(_ i: Int) -> ArraySlice<UInt8> {
        var r = lines[i]
        if r.upperBound > r.lowerBound, bytes[r.upperBound - 1] == UInt8(ascii: "\n") { r = r.lowerBound..<(r.upperBound - 1) }
        if r.upperBound > r.lowerBound, bytes[r.upperBound - 1] == UInt8(ascii: "\r") { r = r.lowerBound..<(r.upperBound - 1) }
        return bytes[r]
    }

    mutating func note(_ line: Int, _ sentence: String) { file.notes.append("line \(line + 1): \(sentence)") }

    mutating func parse() -> WineRegistryFile {
        file.lineRanges = lines
        guard !lines.isEmpty else {
            file.notes.append("the file is empty")
            return file
        }
        var usable = lines.count
        if bytes.last != UInt8(ascii: "\n") {
            // Wine ends every file with a newline: a last line without one is a write in progress.
            usable -= 1
            note(usable, "the file ends in the middle of a line (a write in progress?); that line is not read")
        }
        if Array(text(0)) != Array("WINE REGISTRY Version 2".utf8) {
            note(0, "not a Wine registry file (it must start with \"WINE REGISTRY Version 2\")")
        }
        var current: Int?          // index into file.keys
        var skippingFrom: Int?     // a key line that did not parse: its values are skipped
        var i = 1
        while i < usable {
            var j = lines[i].lowerBound
            while j < lines[i].upperBound, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") { j += 1 }
            // The values of a key that is skipped need no further look (the cost of a large system.reg).
            if skippingFrom != nil, j < lines[i].upperBound, bytes[j] != UInt8(ascii: "[") { i += 1; continue }
            let line = text(i)
            let first = line.first { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
            switch first {
            case nil:
                i += 1
            case UInt8(ascii: ";"):
                let relative = Array(";; All keys relative to ".utf8)
                if line.starts(with: relative) { file.root = Self.unescape(line.dropFirst(relative.count), until: nil).text }
                i += 1
            case UInt8(ascii: "#"):
                if current == nil, line.starts(with: Array("#arch=".utf8)) { file.arch = String(decoding: line.dropFirst(6), as: UTF8.self) }
                i += 1
            case UInt8(ascii: "["):
                endKey(current, before: i)
                if let key = Self.keyLine(line), let wanted = onlyKeys, !wanted(key.path) {
                    current = nil
                    skippingFrom = i
                } else if let key = Self.keyLine(line) {
                    file.keys.append(WineRegistryFile.Key(path: key.path, modified: key.modified, values: [], lines: i...i))
                    current = file.keys.count - 1
                    skippingFrom = nil
                } else {
                    note(i, "a key line that is not understood; the values below it are skipped")
                    current = nil
                    skippingFrom = i
                }
                i += 1
            default:
                let start = i
                var logical = Array(line)
                // Hex data continues after a trailing backslash (Wine wraps it at 76 columns).
                while Self.isHexData(logical), logical.last == UInt8(ascii: "\\"), i + 1 < usable {
                    logical.removeLast()
                    i += 1
                    logical += text(i).drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
                }
                i += 1
                guard let k = current else { note(start, "a value outside any key"); continue }
                guard let (name, data) = Self.valueLine(logical[...]) else {
                    note(start, Self.isHexData(logical) && logical.last == UInt8(ascii: "\\")
                         ? "hex data that continues past the end of the file" : "a value line that is not understood")
                    continue
                }
                file.keys[k].values.append(WineRegistryFile.Value(name: name, data: data, lines: start...(i - 1)))
            }
        }
        endKey(current, before: usable)
        return file
    }

    /// A key's block ends on the line before the next key line.
    mutating func endKey(_ k: Int?, before next: Int) {
        guard let k else { return }
        file.keys[k].lines = file.keys[k].lines.lowerBound...max(file.keys[k].lines.lowerBound, next - 1)
    }

    /// `[Software\\Wine] 1700000000`: the unescaped path and the stamp.
    static func keyLine(_ line: ArraySlice<UInt8>) -> (path: String, modified: Int64?)? {
        let body = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.dropFirst()
        let (path, rest) = unescape(body, until: UInt8(ascii: "]"))
        guard let rest else { return nil }
        let stamp = rest.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        if stamp.isEmpty { return (path, nil) }
        guard stamp.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let n = Int64(String(decoding: stamp, as: UTF8.self)) else { return nil }
        return (path, n)
    }

    static func isHexData(_ logical: [UInt8]) -> Bool {
        // `…=hex:` or `…=hex(N):` after the name; a quoted name may itself hold "=hex", so look past it.
        guard let eq = afterName(logical[...]) else { return false }
        return logical[eq...].starts(with: Array("hex".utf8))
    }

    /// The index just after `"name"=` or `@=`.
    static func afterName(_ line: ArraySlice<UInt8>) -> Int? {
        let trimmed = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        var rest: ArraySlice<UInt8>
        if trimmed.first == UInt8(ascii: "@") { rest = trimmed.dropFirst() }
        else if trimmed.first == UInt8(ascii: "\"") {
            guard let r = unescape(trimmed.dropFirst(), until: UInt8(ascii: "\"")).rest else { return nil }
            rest = r
        } else { return nil }
        rest = rest.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard rest.first == UInt8(ascii: "=") else { return nil }
        return rest.startIndex + 1
    }

    /// `"name"=data` or `@=data` (continuations already joined).
    static func valueLine(_ line: ArraySlice<UInt8>) -> (String?, WineRegistryData)? {
        let trimmed = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        let name: String? = trimmed.first == UInt8(ascii: "@") ? nil : unescape(trimmed.dropFirst(), until: UInt8(ascii: "\"")).text
        guard let eq = afterName(line) else { return nil }
        var data = line[eq...]
        while data.last == UInt8(ascii: " ") || data.last == UInt8(ascii: "\t") { data = data.dropLast() }
        guard let value = self.data(data) else { return nil }
        return (name, value)
    }

    static func data(_ d: ArraySlice<UInt8>) -> WineRegistryData? {
        if d.first == UInt8(ascii: "\"") { return quoted(d.dropFirst(), type: 1) }
        if d.starts(with: Array("dword:".utf8)) {
            let digits = d.dropFirst(6)
            guard digits.count == 8, let n = UInt32(String(decoding: digits, as: UTF8.self), radix: 16) else { return nil }
            return .dword(n)
        }
        if d.starts(with: Array("str(".utf8)) || d.starts(with: Array("hex".utf8)) {
            let isString = d.first == UInt8(ascii: "s")
            var rest = d.dropFirst(3)
            var type: UInt32 = isString ? 1 : 3
            if rest.first == UInt8(ascii: "(") {
                guard let close = rest.firstIndex(of: UInt8(ascii: ")")), let t = UInt32(String(decoding: rest[(rest.startIndex + 1)..<close], as: UTF8.self), radix: 16) else { return nil }
                type = t
                rest = rest[(close + 1)...]
            } else if isString { return nil }
            guard rest.first == UInt8(ascii: ":") else { return nil }
            rest = rest.dropFirst()
            if isString {
                guard rest.first == UInt8(ascii: "\"") else { return nil }
                return quoted(rest.dropFirst(), type: type)
            }
            return hex(rest, type: type)
        }
        return nil
    }

    /// A quoted string (the opening quote already taken) that must end the line.
    static func quoted(_ s: ArraySlice<UInt8>, type: UInt32) -> WineRegistryData? {
        let (units, rest) = unescapeUnits(s, until: UInt8(ascii: "\""))
        guard let rest, rest.isEmpty else { return nil }
        return typed(units, type: type, fromString: true)
    }

    /// `01,02,…` (possibly empty) as bytes, then typed.
    static func hex(_ s: ArraySlice<UInt8>, type: UInt32) -> WineRegistryData? {
        var bytes: [UInt8] = []
        if !s.isEmpty {
            for part in s.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                guard part.count == 2, let b = UInt8(String(decoding: part, as: UTF8.self), radix: 16) else { return nil }
                bytes.append(b)
            }
        }
        switch type {
        case 1, 2, 7:
            var units: [UInt16] = []
            var i = 0
            while i + 1 < bytes.count { units.append(UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8); i += 2 }
            if bytes.count % 2 == 1 { return .binary(type: type, bytes) }
            return typed(units, type: type, fromString: false)
        case 4 where bytes.count == 4:
            return .dword(bytes.reversed().reduce(0) { $0 << 8 | UInt32($1) })
        case 0xb where bytes.count == 8:
            return .qword(bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) })
        default:
            return .binary(type: type, bytes)
        }
    }

    static func typed(_ units: [UInt16], type: UInt32, fromString: Bool) -> WineRegistryData {
        var units = units
        switch type {
        case 7:
            var parts = units.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF16.self) }
            if parts.last == "" { parts.removeLast() }
            return .multiString(parts)
        case 1, 2:
            if !fromString, units.last == 0 { units.removeLast() }
            let s = String(decoding: units, as: UTF16.self)
            return type == 2 ? .expandString(s) : .string(s)
        default:
            return .binary(type: type, units.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] })
        }
    }

    static func unescape(_ s: ArraySlice<UInt8>, until end: UInt8?) -> (text: String, rest: ArraySlice<UInt8>?) {
        let (units, rest) = unescapeUnits(s, until: end)
        return (String(decoding: units, as: UTF16.self), rest)
    }

    /// Wine's `parse_strW`: UTF-16 units up to the unescaped `end`; `rest` is what follows it, nil
    /// when the line ended first (with `end` nil: the whole input, rest empty).
    static func unescapeUnits(_ s: ArraySlice<UInt8>, until end: UInt8?) -> ([UInt16], ArraySlice<UInt8>?) {
        var out: [UInt16] = []
        var i = s.startIndex
        func isHex(_ b: UInt8) -> Bool { (48...57).contains(b) || (65...70).contains(b) || (97...102).contains(b) }
        func isOctal(_ b: UInt8) -> Bool { (48...55).contains(b) }
        while i < s.endIndex {
            let b = s[i]
            if let end, b == end { return (out, s[(i + 1)...]) }
            guard b == UInt8(ascii: "\\"), i + 1 < s.endIndex else { out.append(UInt16(b)); i += 1; continue }
            let e = s[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "a"): out.append(7)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "e"): out.append(27)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "v"): out.append(11)
            case UInt8(ascii: "x"):
                var n: UInt16 = 0, digits = 0
                while digits < 4, i < s.endIndex, isHex(s[i]) { n = n << 4 | UInt16(hexValue(s[i])); i += 1; digits += 1 }
                out.append(digits == 0 ? 0x78 : n)   // "\\x" without digits is an x
            case 48...55:
                var n = UInt16(e - 48), digits = 1
                while digits < 3, i < s.endIndex, isOctal(s[i]) { n = n << 3 | UInt16(s[i] - 48); i += 1; digits += 1 }
                out.append(n)
            default: out.append(UInt16(e))
            }
        }
        return (out, end == nil ? s[s.endIndex...] : nil)
    }

    static func hexValue(_ b: UInt8) -> UInt8 {
        switch b {
        case 48...57: return b - 48
        case 65...70: return b - 55
        default: return b - 87
        }
    }
}
