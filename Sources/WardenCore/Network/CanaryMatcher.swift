/// Finds the session's canary tokens in what a game sends through ww's proxy and DNS relay.
/// A token is found as written, in any mix of upper and lower case, and as base64 at any of the
/// three alignments it can have inside a longer base64 text (base64 is case-sensitive, so that
/// form is matched exactly; the base64 of lower-case letters and digits has no "+" or "/", so the
/// URL-safe alphabet spells it the same). URL encoding leaves base32 unchanged; other transformations (hex,
/// compression, encryption) are not looked for.
public struct CanaryMatcher: Sendable {
    public enum Form: String, Sendable { case text, base64 }

    public struct Hit: Sendable, Equatable {
        public var token: CanaryTokens.Token
        public var form: Form
    }

    struct Pattern: Sendable {
        var bytes: [UInt8]
        var foldsCase: Bool
        var token: CanaryTokens.Token
        var form: Form
    }

    let patterns: [Pattern]
    /// Every pattern's bytes, one after another (`offsets[i]..<offsets[i + 1]`), and whether it folds case.
    let flat: [UInt8]
    let offsets: [Int]
    let folds: [Bool]
    /// Patterns by their third and fourth bytes (`third << 8 | fourth`, every case of a folding
    /// pattern; not the first two, which are "ww" for every token): `buckets[pair]..<buckets[pair + 1]`
    /// in `members`. Most positions end at one lookup.
    let buckets: [Int32]
    let members: [Int32]
    /// One bit per pair that starts some pattern (8 KiB, stays in the cache; the buckets do not).
    let pairBits: [UInt64]
    /// The longest pattern: a scan across chunks keeps one byte less of the previous chunk.
    let longest: Int

    public init(_ tokens: CanaryTokens) {
        var patterns: [Pattern] = []
        for t in tokens.tokens where t.value.utf8.count >= 4 {
            patterns.append(Pattern(bytes: Array(t.value.lowercased().utf8), foldsCase: true, token: t, form: .text))
            for shift in 0..<3 {
                let encoded = Self.base64Inside(Array(t.value.utf8), shift: shift)
                if encoded.count >= 4 { patterns.append(Pattern(bytes: encoded, foldsCase: false, token: t, form: .base64)) }
            }
        }
        // Each pattern under every pair it can start with (a counting sort into the buckets).
        let keys: [[Int]] = patterns.map { p in
            let cases: (UInt8) -> [Int] = { b in p.foldsCase && b >= 0x61 && b <= 0x7a ? [Int(b), Int(b - 0x20)] : [Int(b)] }
            return cases(p.bytes[2]).flatMap { a in cases(p.bytes[3]).map { a << 8 | $0 } }
        }
        var buckets = [Int32](repeating: 0, count: (1 << 16) + 1)
        for pair in keys.joined() { buckets[pair + 1] += 1 }
        for i in 1..<buckets.count { buckets[i] += buckets[i - 1] }
        var next = buckets, members = [Int32](repeating: 0, count: Int(buckets.last!))
        var pairBits = [UInt64](repeating: 0, count: (1 << 16) / 64)
        for (i, pairs) in keys.enumerated() {
            for pair in pairs {
                members[Int(next[pair])] = Int32(i)
                next[pair] += 1
                pairBits[pair >> 6] |= 1 << UInt64(pair & 63)
            }
        }
        self.pairBits = pairBits
        self.patterns = patterns
        flat = patterns.flatMap(\.bytes)
        offsets = patterns.reduce(into: [0]) { $0.append($0.last! + $1.bytes.count) }
        folds = patterns.map(\.foldsCase)
        self.buckets = buckets
        self.members = members
        longest = patterns.map(\.bytes.count).max() ?? 0
    }

    /// No tokens: every check is free and finds nothing.
    public var isEmpty: Bool { patterns.isEmpty }

    /// The first token in `bytes`, if any.
    public func find<C: Collection<UInt8>>(in bytes: C) -> Hit? {
        guard !isEmpty else { return nil }
        if let hit = bytes.withContiguousStorageIfAvailable({ scan($0) }) { return hit }
        return Array(bytes).withUnsafeBufferPointer { scan($0) }
    }

    public func find(in text: String) -> Hit? {
        guard !isEmpty else { return nil }
        var copy = text
        return copy.withUTF8 { scan($0) }
    }

    /// A DNS name: the token as a label or inside one, and split across labels (the dots taken out).
    public func find(inName name: String) -> Hit? {
        guard !isEmpty else { return nil }
        return find(in: name) ?? find(in: name.utf8.filter { $0 != UInt8(ascii: ".") })
    }

    func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Hit? {
        guard bytes.count >= 4 else { return nil }
        for i in 0..<(bytes.count - 3) {
            let pair = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard pairBits[pair >> 6] & (1 << UInt64(pair & 63)) != 0 else { continue }
            for m in Int(buckets[pair])..<Int(buckets[pair + 1]) {
                let p = Int(members[m])
                if matches(p, bytes, at: i) { return Hit(token: patterns[p].token, form: patterns[p].form) }
            }
        }
        return nil
    }

    func matches(_ p: Int, _ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        let from = offsets[p], length = offsets[p + 1] - from
        guard bytes.count - start >= length else { return false }
        let folding = folds[p]
        for k in 0..<length {
            var b = bytes[start + k]
            if folding, b >= 0x41, b <= 0x5a { b += 0x20 }
            if b != flat[from + k] { return false }
        }
        return true
    }

    /// The base64 characters that depend only on `token` when it starts `shift` bytes into a
    /// 3-byte group: the characters shared with the neighbouring bytes are left out.
    static func base64Inside(_ token: [UInt8], shift: Int) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var bytes = [UInt8](repeating: 0, count: shift) + token
        while bytes.count % 3 != 0 { bytes.append(0) }
        var chars: [UInt8] = []
        for g in stride(from: 0, to: bytes.count, by: 3) {
            let v = Int(bytes[g]) << 16 | Int(bytes[g + 1]) << 8 | Int(bytes[g + 2])
            for s in [18, 12, 6, 0] { chars.append(alphabet[(v >> s) & 63]) }
        }
        let first = (shift * 8 + 5) / 6, end = (shift + token.count) * 8 / 6
        return first < end ? Array(chars[first..<end]) : []
    }

    /// A scanner for one connection's outgoing bytes.
    public func scanner(limit: Int = CanaryScanner.defaultLimit) -> CanaryScanner { CanaryScanner(self, limit: limit) }
}

/// Scans a stream chunk by chunk: a token split across two chunks is found (the last bytes of the
/// previous chunk are kept, one fewer than the longest pattern), and only the first `limit` bytes
/// are looked at, so memory and time per connection stay bounded.
public struct CanaryScanner: Sendable {
    public static let defaultLimit = 64 * 1024
    let matcher: CanaryMatcher
    let limit: Int
    var tail: [UInt8] = []
    public private(set) var scanned = 0

    init(_ matcher: CanaryMatcher, limit: Int) {
        self.matcher = matcher
        self.limit = limit
    }

    /// Nothing more will be looked at (no tokens, or `limit` bytes seen).
    public var isDone: Bool { matcher.isEmpty || scanned >= limit }

    /// The first token completed by `chunk` (its part within the limit), if any.
    public mutating func feed<C: Collection<UInt8>>(_ chunk: C) -> CanaryMatcher.Hit? {
        guard !isDone else { return nil }
        let taken = chunk.prefix(limit - scanned)
        scanned += taken.count
        let window = tail + taken
        let keep = matcher.longest - 1
        tail = window.count > keep ? Array(window.suffix(keep)) : window
        return matcher.find(in: window)
    }
}
