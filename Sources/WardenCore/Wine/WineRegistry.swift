// Wine's registry files as text (`user.reg`, `system.reg`, `userdef.reg`), read and edited without
// touching the disk: the Wine autostart check parses them before and after a session and removes
// what the session added by dropping or restoring only the lines of those values.

/// The data of one registry value, decoded as Wine wrote it.
public enum WineRegistryData: Sendable, Equatable {
    /// REG_SZ: `"name"="text"` (or `hex(1):`).
    case string(String)
    /// REG_EXPAND_SZ: `str(2):"…"` or `hex(2):…`.
    case expandString(String)
    /// REG_MULTI_SZ: `str(7):"a\0b\0"` or `hex(7):…`.
    case multiString([String])
    case dword(UInt32)
    case qword(UInt64)
    /// Anything else (`hex:` is REG_BINARY, type 3), as bytes.
    case binary(type: UInt32, [UInt8])

    /// The value as a command line would read it (strings as they are, numbers in decimal, bytes in hex).
    public var text: String {
        switch self {
        case .string(let s), .expandString(let s): return s
        case .multiString(let list): return list.joined(separator: " ")
        case .dword(let n): return String(n)
        case .qword(let n): return String(n)
        case .binary(_, let bytes): return bytes.map(Self.hexByte).joined(separator: ",")
        }
    }

    /// Two lower-case hex digits, as Wine writes a byte.
    static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}

/// One parsed registry file: its keys and values, where each sits in the file (0-based line
/// numbers), and a note for every line it could not read. Wine reads these files only when its
/// wineserver starts and writes them (whole, through a rename) when it saves.
public struct WineRegistryFile: Sendable, Equatable {
    public struct Value: Sendable, Equatable {
        /// nil: the key's default value (`@`).
        public var name: String?
        public var data: WineRegistryData
        /// The lines the value spans, continuation lines included.
        public var lines: ClosedRange<Int>
    }

    public struct Key: Sendable, Equatable {
        /// Unescaped, relative to the file's root: `Software\Microsoft\Windows\CurrentVersion\Run`.
        public var path: String
        /// The `[…] 1700000000` stamp (seconds since 1970), when present.
        public var modified: Int64?
        public var values: [Value]
        /// The key line through the line before the next key line (its options, values and the blank line).
        public var lines: ClosedRange<Int>

        /// The last value of that name (Windows compares names without case), as Wine would keep it.
        public func value(_ name: String?) -> Value? {
            values.last { WineRegistryFile.sameName($0.name, name) }
        }
    }

    /// `REGISTRY\Machine`, `REGISTRY\User\S-1-5-21-…` (from `;; All keys relative to …`).
    public var root: String?
    /// `#arch=win64`.
    public var arch: String?
    public var keys: [Key] = []
    /// One sentence per line (or run of lines) that did not parse, with its 1-based line number.
    public var notes: [String] = []
    /// Each line's bytes in the file, its newline included.
    var lineRanges: [Range<Int>] = []

    /// True when every line parsed: only then may the file be rewritten.
    public var isComplete: Bool { notes.isEmpty }

    /// Keys compare without case, as Windows does.
    public func key(_ path: String) -> Key? {
        let wanted = path.lowercased()
        return keys.last { $0.path.lowercased() == wanted }
    }

    static func sameName(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return x.lowercased() == y.lowercased()
        default: return false
        }
    }

    /// Parses what parses; everything else becomes a note (the file is never thrown away whole).
    /// With `onlyKeys`, the values of other keys are passed over unread (a quick look at a large
    /// `system.reg`; such a parse says nothing about the other lines).
    public static func parse(_ bytes: [UInt8], onlyKeys: ((String) -> Bool)? = nil) -> WineRegistryFile {
        var parser = WineRegistryParser(bytes: bytes, onlyKeys: onlyKeys)
        return parser.parse()
    }
}

/// An edit of a registry file for `WineRegistryFile.rewriting`.
public enum WineRegistryEdit: Sendable, Equatable {
    /// Drop every value of that name in that key.
    case removeValue(key: String, name: String?)
    /// Put back the value's lines as they were (bytes of whole lines, newlines included); drop the
    /// value when the key no longer holds it, and add the lines at the key's end when it does not.
    case restoreValue(key: String, name: String?, lines: [UInt8])
    /// Drop the key and every key below it.
    case removeKey(String)
}

extension WineRegistryFile {
    /// The file's lines as byte ranges, each with its newline (the last may have none).
    static func lineRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        bytes.withUnsafeBufferPointer { b in
            for i in 0..<b.count where b[i] == 10 {
                out.append(start..<(i + 1))
                start = i + 1
            }
        }
        if start < bytes.count { out.append(start..<bytes.count) }
        return out
    }

    /// The bytes of some whole lines of the file parsed from `bytes` (for `restoreValue`).
    public func bytes(of lines: ClosedRange<Int>, in bytes: [UInt8]) -> [UInt8] {
        guard lines.upperBound < lineRanges.count, lineRanges[lines.upperBound].upperBound <= bytes.count else { return [] }
        return Array(bytes[lineRanges[lines.lowerBound].lowerBound..<lineRanges[lines.upperBound].upperBound])
    }

    /// `bytes` with the edits applied, every other byte as it was; nil when the file did not parse
    /// completely (a file ww could not read whole is never written).
    public static func rewriting(_ bytes: [UInt8], _ edits: [WineRegistryEdit]) -> [UInt8]? {
        let file = parse(bytes)
        guard file.isComplete else { return nil }
        let ranges = file.lineRanges
        // Per line: nil keeps it; otherwise what replaces it (empty: dropped).
        var replaced: [Int: [UInt8]] = [:]
        var appended: [Int: [UInt8]] = [:]
        for edit in edits {
            switch edit {
            case .removeValue(let key, let name):
                for v in file.key(key)?.values ?? [] where sameName(v.name, name) { for l in v.lines { replaced[l] = [] } }
            case .restoreValue(let key, let name, let lines):
                guard let k = file.key(key) else { continue }
                let matching = k.values.filter { sameName($0.name, name) }
                if let first = matching.first {
                    for v in matching { for l in v.lines { replaced[l] = [] } }
                    replaced[first.lines.lowerBound] = lines
                } else {
                    // After the key's last value (or its options): before the blank line that ends it.
                    var last = k.lines.upperBound
                    while last > k.lines.lowerBound, ranges[last].count <= 1 { last -= 1 }
                    appended[last, default: []] += lines
                }
            case .removeKey(let path):
                let lower = path.lowercased()
                for k in file.keys where k.path.lowercased() == lower || k.path.lowercased().hasPrefix(lower + "\\") {
                    for l in k.lines { replaced[l] = [] }
                }
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (i, r) in ranges.enumerated() {
            if let r2 = replaced[i] { out += r2 } else { out += bytes[r] }
            if let extra = appended[i] { out += extra }
        }
        return out
    }
}
