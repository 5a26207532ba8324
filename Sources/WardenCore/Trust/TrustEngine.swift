/// SPEC §6 trust: a score from 0 to 100 per game, moved by what each session did. Pure: a session's
/// events and the game's standing in, the new standing and the reasons out.
public enum TrustTier: String, Codable, CaseIterable, Sendable, Comparable {
    case red, yellow, green

    /// red below 30, green above 70, yellow between.
    public static func of(score: Int) -> TrustTier { score < 30 ? .red : score > 70 ? .green : .yellow }

    public static func < (a: TrustTier, b: TrustTier) -> Bool { a.rank < b.rank }
    var rank: Int { self == .red ? 0 : self == .yellow ? 1 : 2 }

    /// The tier above (nil for green) and the lowest score inside it.
    public var next: TrustTier? { self == .red ? .yellow : self == .yellow ? .green : nil }
    public var lowestScore: Int { self == .red ? 0 : self == .yellow ? 30 : 71 }
}

/// What ww knows of a game between sessions.
public struct TrustStanding: Codable, Equatable, Sendable {
    public var score: Int
    /// Clean runs since the last promotion (or the last run that was not clean).
    public var cleanRuns: Int
    /// Programs seen in the game's first session: the baseline a new program is measured against.
    public var baselinePrograms: [String]?
    /// Set by the player (`ww trust set`): the tier used whatever the score.
    public var pinned: TrustTier?

    public static let start = TrustStanding(score: 50, cleanRuns: 0, baselinePrograms: nil, pinned: nil)

    public init(score: Int, cleanRuns: Int, baselinePrograms: [String]?, pinned: TrustTier?) {
        self.score = score
        self.cleanRuns = cleanRuns
        self.baselinePrograms = baselinePrograms
        self.pinned = pinned
    }

    /// The tier that picks the policy defaults: the pinned one, else the score's.
    public var tier: TrustTier { pinned ?? TrustTier.of(score: score) }
}

/// One event of a session, as the trust rules read it.
public struct TrustEvent: Equatable, Sendable {
    public var kind: String
    /// The program of an exec (its path), when the event is one.
    public var program: String?
    /// For a `syscall_refused`: the call; for `dns_query`: whether it was allowed.
    public var detail: String?

    public init(kind: String, program: String? = nil, detail: String? = nil) {
        self.kind = kind
        self.program = program
        self.detail = detail
    }

    /// From an audit-trail event: exec events keep their `path`, `syscall_refused` its `syscall`, and a
    /// `dns_query` the policy refused (`allowed` false) becomes detail "refused".
    public init(kind: String, details: [(String, AuditEvent.Value)]) {
        func string(_ key: String) -> String? {
            for (k, v) in details where k == key { if case .string(let s) = v { return s } }
            return nil
        }
        let refusedName = details.contains { k, v in if k == "allowed", case .bool(false) = v { return true }; return false }
        let unwatched = details.contains { k, v in if k == "folders_not_watched", case .int(let n) = v { return n > 0 }; return false }
        let detail: String?
        switch kind {
        case "syscall_refused": detail = string("syscall")
        case "dns_query": detail = refusedName ? "refused" : nil
        case "file_watch_status": detail = unwatched ? "partial" : nil
        default: detail = nil
        }
        self.init(kind: kind, program: kind.hasPrefix("exec_") ? string("path") : nil, detail: detail)
    }
}

/// One change of the score and why.
public struct TrustReason: Codable, Equatable, Sendable {
    public var delta: Int
    public var why: String

    public init(delta: Int, why: String) {
        self.delta = delta
        self.why = why
    }
}

public struct TrustSettings: Equatable, Sendable {
    public var autoPromote: Bool
    public var promotionAfterRuns: Int

    public init(autoPromote: Bool = true, promotionAfterRuns: Int = 3) {
        self.autoPromote = autoPromote
        self.promotionAfterRuns = promotionAfterRuns
    }
}

public enum TrustEngine {
    /// Refused calls that only an escape attempt makes (a game has no use for them): each one counts
    /// as a sensitive-access attempt. Others (an unknown ioctl a driver probes) do not count.
    public static let escapeSyscalls: Set<String> = [
        "ptrace", "process_vm_readv", "process_vm_writev", "keyctl", "add_key", "request_key", "bpf", "perf_event_open",
        "mount", "umount2", "pivot_root", "unshare", "setns", "clone", "open_tree", "move_mount", "fsopen", "fsmount",
        "fspick", "mount_setattr", "ioctl", "io_uring_setup", "kexec_load", "init_module", "finit_module",
    ]

    public static let maxWrittenCounted = 5

    /// What one session does to the game's standing. Rules (SPEC §6):
    /// - −10 per sensitive-access attempt: a refused exec, or a refused escape call (`escapeSyscalls`);
    /// - −5 per network anomaly: a proxy denial, a refused destination, the rate limit, a refused name;
    /// - −2 per program run that is not in the game's first session (its baseline);
    /// - −2 per executable or script the game wrote (`file_written`), at most 5 counted per session
    ///   (an update rewriting 200 DLLs is one suspicious act, not 200);
    /// - +2 per full hour of a clean session (none of the above);
    /// - a session the file audit did not fully see (folders left unwatched for want of inotify
    ///   watches, or writes past its rate limit) is not clean: no clean hours, no clean run counted;
    /// - clamped to 0…100. With `autoPromote`, `promotionAfterRuns` clean sessions in a row raise the
    ///   score into the next tier. A pinned tier stays pinned; the score still moves.
    public static func apply(_ events: [TrustEvent], durationSeconds: Int, to standing: TrustStanding,
                             settings: TrustSettings = TrustSettings()) -> (standing: TrustStanding, reasons: [TrustReason]) {
        var s = standing
        var reasons: [TrustReason] = []
        func count(_ n: Int, _ each: Int, _ why: String) {
            if n > 0 { reasons.append(TrustReason(delta: n * each, why: n == 1 ? why : "\(n) × \(why)")) }
        }

        let refusedExecs = events.filter { $0.kind == "exec_refused" }.count
        let escapes = events.filter { $0.kind == "syscall_refused" && $0.detail.map(escapeSyscalls.contains) == true }.count
        count(refusedExecs, -10, "refused program (sensitive access)")
        count(escapes, -10, "refused escape call (sensitive access)")

        let anomalyKinds: [String: String] = ["proxy_deny": "proxy denial", "net_denied": "refused destination",
                                              "rate_limited": "connection rate limit hit"]
        var anomalies = 0
        for (kind, what) in anomalyKinds.sorted(by: { $0.key < $1.key }) {
            let n = events.filter { $0.kind == kind }.count
            anomalies += n
            count(n, -5, "\(what) (network anomaly)")
        }
        let refusedNames = events.filter { $0.kind == "dns_query" && $0.detail == "refused" }.count
        anomalies += refusedNames
        count(refusedNames, -5, "refused DNS name (network anomaly)")

        var programs: [String] = []
        for e in events where e.kind == "exec_allowed" {
            if let p = e.program, !programs.contains(p) { programs.append(p) }
        }
        if let baseline = s.baselinePrograms {
            count(programs.filter { !baseline.contains($0) }.count, -2, "program beyond the first session's")
        } else {
            s.baselinePrograms = programs   // the first session sets the baseline
        }

        let written = events.filter { $0.kind == "file_written" }.count
        count(min(written, maxWrittenCounted), -2, written > maxWrittenCounted ? "executable or script written (\(written) written, \(maxWrittenCounted) counted)" : "executable or script written")

        let unseen = events.contains { ($0.kind == "file_watch_status" && $0.detail == "partial") || $0.kind == "file_written_suppressed" }
        if unseen { reasons.append(TrustReason(delta: 0, why: "file audit incomplete (folders not watched or writes not recorded): not counted as a clean run")) }
        let clean = refusedExecs == 0 && escapes == 0 && anomalies == 0 && written == 0 && !unseen
        if clean {
            let hours = max(0, durationSeconds) / 3600
            count(hours, 2, "clean hour")
        }
        let total = reasons.reduce(0) { $0 + $1.delta }
        s.score = min(100, max(0, s.score + total))
        if total != 0 && (standing.score + total < 0 || standing.score + total > 100) {
            reasons.append(TrustReason(delta: s.score - (standing.score + total), why: "kept within 0…100"))
        }

        s.cleanRuns = clean ? s.cleanRuns + 1 : 0
        if clean, settings.autoPromote, s.cleanRuns >= settings.promotionAfterRuns,
           let next = TrustTier.of(score: s.score).next, s.score < next.lowestScore {
            reasons.append(TrustReason(delta: next.lowestScore - s.score, why: "\(s.cleanRuns) clean runs in a row: promoted to \(next.rawValue)"))
            s.score = next.lowestScore
            s.cleanRuns = 0
        }
        return (s, reasons)
    }
}
