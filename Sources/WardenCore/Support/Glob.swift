/// Shell-style wildcard matching (`*`, `?`, `[abc]`) on whole strings; `*` also crosses `/`
/// because profile patterns such as `*/Game.exe` name a file anywhere.
public struct Glob: Equatable, Sendable, CustomStringConvertible {
    public let pattern: String
    private let chars: [Character]

    public init(_ pattern: String) {
        self.pattern = pattern
        self.chars = Array(pattern)
    }

    public var description: String { pattern }

    public static func hasWildcards(_ text: String) -> Bool { text.contains { "*?[".contains($0) } }

    public func matches(_ text: String, caseInsensitive: Bool = false) -> Bool {
        let p = caseInsensitive ? Array(pattern.lowercased()) : chars
        let s = caseInsensitive ? Array(text.lowercased()) : Array(text)
        return Glob.match(p, 0, s, 0)
    }

    // Iterative matcher with single-star backtracking: linear in practice, no recursion blow-up.
    private static func match(_ p: [Character], _ pi0: Int, _ s: [Character], _ si0: Int) -> Bool {
        var pi = pi0, si = si0
        var starP = -1, starS = -1
        while si < s.count {
            if pi < p.count {
                switch p[pi] {
                case "*":
                    starP = pi; starS = si; pi += 1; continue
                case "?":
                    pi += 1; si += 1; continue
                case "[":
                    if let (ok, next) = matchClass(p, pi, s[si]) {
                        if ok { pi = next; si += 1; continue }
                    } else if s[si] == "[" { pi += 1; si += 1; continue }
                default:
                    if p[pi] == s[si] { pi += 1; si += 1; continue }
                }
            }
            if starP >= 0 { pi = starP + 1; starS += 1; si = starS; continue }
            return false
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Returns (matched, index after the class) or nil when the `[` does not open a valid class.
    private static func matchClass(_ p: [Character], _ start: Int, _ c: Character) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count, p[i] == "!" || p[i] == "^" { negate = true; i += 1 }
        var found = false
        var first = true
        while i < p.count, p[i] != "]" || first {
            first = false
            if i + 2 < p.count, p[i + 1] == "-", p[i + 2] != "]" {
                if p[i] <= c && c <= p[i + 2] { found = true }
                i += 3
            } else {
                if p[i] == c { found = true }
                i += 1
            }
        }
        guard i < p.count else { return nil }
        return (found != negate, i + 1)
    }
}
