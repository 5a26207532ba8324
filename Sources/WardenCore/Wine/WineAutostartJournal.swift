/// What a session's Wine autostart check saw before the game ran, kept on disk while it runs, so that a
/// `ww` that was killed (and never compared) leaves the next session of the prefix something to compare
/// with: the autostart entries of each registry file that existed, and the Startup folders' files.
///
/// A text file of lines: `ww-wine-autostart 1`, then `file NAME`, `item MECHANISM KEY NAME COMMAND LINES`
/// (each field hex-encoded, NAME `-` for the default value), `startup PATH` (hex), and `end` last (a cut
/// file is not a journal). Anything else, or a
/// field that does not decode, makes the whole journal unreadable (nil): a guess is never compared.
public enum WineAutostartJournal {
    public struct Content: Equatable, Sendable {
        /// Registry file name → its autostart entries (a file listed with none existed with none).
        public var registry: [String: [WineAutostart.RegistryItem]]
        public var startupFiles: [String]
        public init(registry: [String: [WineAutostart.RegistryItem]], startupFiles: [String]) {
            self.registry = registry
            self.startupFiles = startupFiles
        }
    }

    static let header = "ww-wine-autostart 1"

    public static func encode(_ c: Content) -> [UInt8] {
        var out = header + "\n"
        for file in c.registry.keys.sorted() {
            out += "file \(hex(Array(file.utf8)))\n"
            for item in c.registry[file] ?? [] {
                let name = item.name.map { hex(Array($0.utf8)) } ?? "-"
                out += "item \(hex(Array(item.mechanism.rawValue.utf8))) \(hex(Array(item.key.utf8))) \(name) \(hex(Array(item.command.utf8))) \(hex(item.lines))\n"
            }
        }
        for path in c.startupFiles.sorted() { out += "startup \(hex(Array(path.utf8)))\n" }
        return Array((out + "end\n").utf8)
    }

    public static func decode(_ bytes: [UInt8]) -> Content? {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first == Substring(header), lines.last == "end" else { return nil }
        var c = Content(registry: [:], startupFiles: [])
        var file: String?
        for line in lines.dropFirst().dropLast() {
            let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            switch (words.first, words.count) {
            case ("file", 2):
                guard let name = text(words[1]) else { return nil }
                file = name
                c.registry[name] = c.registry[name] ?? []
            case ("item", 6):
                guard let f = file, let m = text(words[1]), let mechanism = PersistenceMechanism(rawValue: m), let key = text(words[2]),
                      let command = text(words[4]), let itemLines = unhex(words[5]) else { return nil }
                let name: String?
                if words[3] == "-" { name = nil } else { guard let n = text(words[3]) else { return nil }; name = n }
                c.registry[f, default: []].append(WineAutostart.RegistryItem(mechanism: mechanism, key: key, name: name, command: command, lines: itemLines))
            case ("startup", 2):
                guard let path = text(words[1]) else { return nil }
                c.startupFiles.append(path)
            default:
                return nil
            }
        }
        return c
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func unhex(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static func text(_ s: String) -> String? { unhex(s).map { String(decoding: $0, as: UTF8.self) } }
}
