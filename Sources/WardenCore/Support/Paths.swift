/// Lexical path helpers. Nothing here touches the file system.
public enum Paths {
    /// Joins and normalises `//` and `/.`; `..` is left for the caller to refuse.
    public static func normalize(_ path: String) -> String {
        guard path.hasPrefix("/") else { return path }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    public static func join(_ base: String, _ rest: String) -> String {
        if rest.hasPrefix("/") { return normalize(rest) }
        return normalize(base + "/" + rest)
    }

    public static func hasParentReference(_ path: String) -> Bool {
        path.split(separator: "/").contains("..")
    }

    /// True when `path` is `ancestor` or lies below it.
    public static func isWithin(_ path: String, _ ancestor: String) -> Bool {
        if ancestor == "/" { return path.hasPrefix("/") }
        return path == ancestor || path.hasPrefix(ancestor + "/")
    }

    public static func dirname(_ path: String) -> String {
        let n = normalize(path)
        guard let slash = n.lastIndex(of: "/") else { return "." }
        return slash == n.startIndex ? "/" : String(n[..<slash])
    }

    public static func basename(_ path: String) -> String {
        let n = normalize(path)
        guard let slash = n.lastIndex(of: "/") else { return n }
        return String(n[n.index(after: slash)...])
    }

    /// `path` re-rooted from `oldBase` to `newBase` (for paths below a bind source).
    public static func rebase(_ path: String, from oldBase: String, to newBase: String) -> String {
        if path == oldBase { return newBase }
        let rest = path.dropFirst(oldBase == "/" ? 1 : oldBase.count + 1)
        return join(newBase, String(rest))
    }

    /// `path` as the player writes it: `~/…` below `home` (for the lines ww prints).
    public static func tilde(_ path: String, home: String?) -> String {
        guard let home = home.map(normalize), home.hasPrefix("/"), home != "/", isWithin(path, home) else { return path }
        return path == home ? "~" : "~" + path.dropFirst(home.count)
    }
}

/// A stable, dependency-free 64-bit hash (FNV-1a) for naming games by path; not a security boundary.
public enum StableHash {
    public static func hex(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        let digits = String(h, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
