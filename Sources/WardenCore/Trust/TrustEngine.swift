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
    /// The learned baseline: programs seen in a clean session (and the first session's, when it
    /// was clean). nil before the first session.
    public var baselinePrograms: [String]?
    /// Programs already counted as new (−2 once) but seen only in sessions that were not clean:
    /// never counted again, not trusted either until a clean session runs them.
    public var noticedPrograms: [String]?
    /// The tier used whatever the score: set by the player (`ww trust set`), or red after an
    /// exfiltration until the player changes it.
    public var pinned: TrustTier?
    /// Why ww pinned the tier itself (nil: the player pinned it).
    public var pinReason: String?

    public static let start = TrustStanding(score: 50, cleanRuns: 0, baselinePrograms: nil, pinned: nil)

    public init(score: Int, cleanRuns: Int, baselinePrograms: [String]?, noticedPrograms: [String]? = nil, pinned: TrustTier?, pinReason: String? = nil) {
        self.score = score
        self.cleanRuns = cleanRuns
        self.baselinePrograms = baselinePrograms
        self.noticedPrograms = noticedPrograms
        self.pinned = pinned
        self.pinReason = pinReason
    }

    /// The tier that picks the policy defaults: the pinned one, else the score's.
    public var tier: TrustTier { pinned ?? TrustTier.of(score: score) }
}

/// One event of a session, as the trust rules read it.
public struct TrustEvent: Equatable, Sendable {
    public var kind: String
    /// The program of an exec (its path), when the event is one.
    public var program: String?
    /// For a `syscall_refused`: the call; for `dns_query`: whether it was allowed; for an exec: the
    /// Windows program; for `process_exit`: the process's name; for `file_written`: the place.
    public var detail: String?
    /// What the event is about: the file written, the real secret a decoy stands for, the
    /// persistence target, the exfiltration's destination.
    public var subject: String?

    public init(kind: String, program: String? = nil, detail: String? = nil, subject: String? = nil) {
        self.kind = kind
        self.program = program
        self.detail = detail
        self.subject = subject
    }

    /// From an audit-trail event: exec events keep their `path` and Windows program, `syscall_refused`
    /// its `syscall`, a `dns_query` the policy refused (`allowed` false) becomes detail "refused",
    /// and the events that name a file, a secret, a target or a destination keep it as the subject.
    public init(kind: String, details: [(String, AuditEvent.Value)]) {
        func string(_ key: String) -> String? {
            for (k, v) in details where k == key { if case .string(let s) = v { return s } }
            return nil
        }
        let refusedName = details.contains { k, v in if k == "allowed", case .bool(false) = v { return true }; return false }
        let unwatched = details.contains { k, v in if k == "folders_not_watched", case .int(let n) = v { return n > 0 }; return false }
        var detail: String?
        var subject: String?
        switch kind {
        case "syscall_refused": detail = string("syscall")
        case "dns_query": detail = refusedName ? "refused" : nil
        case "file_watch_status": detail = unwatched ? "partial" : nil
        case "exec_allowed", "exec_refused": detail = string("windows_program")
        case "process_exit": detail = string("name")
        case "file_written": detail = string("place"); subject = string("path")
        case VisibilityEvent.secretTouched: subject = string("stands_for") ?? string("path")
        case VisibilityEvent.persistenceAttempt: subject = string("target")
        case VisibilityEvent.exfiltration: subject = string("destination")
        case VisibilityEvent.decoyTampered: subject = string("stands_for") ?? string("path")
        case VisibilityEvent.pathRefused: subject = string("path")
        default: break
        }
        self.init(kind: kind, program: kind.hasPrefix("exec_") ? string("path") : nil, detail: detail, subject: subject)
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
    public static let maxPersistenceCounted = 3
    public static let maxRefusedPathsCounted = 3

    /// What one session does to the game's standing. Rules (SPEC §6):
    /// - −10 per sensitive-access attempt: a refused exec, or a refused escape call (`escapeSyscalls`);
    /// - −10 per decoy secret read (`secret_touched`), each real secret once per session;
    /// - −10 per persistence attempt, at most 3 counted per session;
    /// - −10 per decoy the game tried to replace, delete or link over (`decoy_tampered`), each once;
    /// - −10 per protected path (hidden, ww's state, a folder holding them) it tried to rename or
    ///   delete (`path_refused`), each path once, at most 3 counted per session;
    /// - −40 for an exfiltration (a canary token left the sandbox), and the tier is red until the
    ///   player changes it (`ww trust set`, `ww trust reset`);
    /// - −5 per network anomaly: a proxy denial, a refused destination, the rate limit, a refused name;
    /// - −2 per new program: one neither in the learned baseline nor counted before (only the first
    ///   time it appears); a clean session's programs join the baseline; the first session sets it free;
    /// - −2 per executable or script the game wrote (`file_written`), at most 5 counted per session
    ///   (an update rewriting 200 DLLs is one suspicious act, not 200); what Wine writes in its own
    ///   folders while it sets the prefix up (`PrefixSetup`) is not the game's;
    /// - +2 per full hour of a clean session (none of the above but new programs);
    /// - a session the file audit did not fully see (folders left unwatched for want of inotify
    ///   watches, or writes past its rate limit) is not clean: no clean hours, no clean run counted;
    /// - clamped to 0…100. With `autoPromote`, `promotionAfterRuns` clean sessions in a row raise the
    ///   score into the next tier. A pinned tier stays pinned; the score still moves.
    /// Paths in the reasons are written with `~` below `home`.
    public static func apply(_ events: [TrustEvent], durationSeconds: Int, to standing: TrustStanding,
                             settings: TrustSettings = TrustSettings(), home: String? = nil) -> (standing: TrustStanding, reasons: [TrustReason]) {
        var s = standing
        var reasons: [TrustReason] = []
        func count(_ n: Int, _ each: Int, _ why: String) {
            if n > 0 { reasons.append(TrustReason(delta: n * each, why: n == 1 ? why : "\(n) × \(why)")) }
        }
        func names(_ list: [String]) -> String {
            let shown = list.prefix(5).map { EventText.printable(Paths.tilde($0, home: home)) }
            return shown.joined(separator: ", ") + (list.count > shown.count ? ", \(list.count - shown.count) more" : "")
        }
        func about(_ list: [String]) -> String { list.isEmpty ? "" : " (\(names(list)))" }
        func distinct(_ kind: String) -> (all: Int, subjects: [String]) {
            var subjects: [String] = []
            var all = 0
            for e in events where e.kind == kind {
                all += 1
                if let x = e.subject, !subjects.contains(x) { subjects.append(x) }
            }
            return (all, subjects)
        }

        let refusedExecs = events.filter { $0.kind == "exec_refused" }.count
        let escapes = events.filter { $0.kind == "syscall_refused" && $0.detail.map(escapeSyscalls.contains) == true }.count
        count(refusedExecs, -10, "refused program (sensitive access)")
        count(escapes, -10, "refused escape call (sensitive access)")

        let secrets = distinct(VisibilityEvent.secretTouched)
        let secretCount = secrets.all == 0 ? 0 : max(1, secrets.subjects.count)
        count(secretCount, -10, "decoy secret read" + about(secrets.subjects))
        let persistence = distinct(VisibilityEvent.persistenceAttempt)
        let persistenceCounted = min(persistence.all, maxPersistenceCounted)
        let persistenceWhy = persistence.all > maxPersistenceCounted
            ? "persistence attempt (\(persistence.all) seen, \(maxPersistenceCounted) counted\(persistence.subjects.isEmpty ? "" : ": " + names(persistence.subjects)))"
            : "persistence attempt" + about(persistence.subjects)
        count(persistenceCounted, -10, persistenceWhy)
        let tampered = distinct(VisibilityEvent.decoyTampered)
        count(tampered.all == 0 ? 0 : max(1, tampered.subjects.count), -10, "decoy tampered with" + about(tampered.subjects))
        let moved = distinct(VisibilityEvent.pathRefused)
        let movedCount = moved.all == 0 ? 0 : min(max(1, moved.subjects.count), maxRefusedPathsCounted)
        count(movedCount, -10, "protected path moved or deleted (refused)" + about(moved.subjects))
        let exfiltration = distinct(VisibilityEvent.exfiltration)
        if exfiltration.all > 0 {
            let to = exfiltration.subjects.isEmpty ? "" : " to \(names(exfiltration.subjects))"
            reasons.append(TrustReason(delta: -40, why: "exfiltration: a canary token was sent\(to)"))
        }

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

        let setup = PrefixSetup.setupWrites(events)
        let written = events.enumerated().filter { $0.element.kind == "file_written" && !setup.contains($0.offset) }.count
        count(min(written, maxWrittenCounted), -2, written > maxWrittenCounted ? "executable or script written (\(written) written, \(maxWrittenCounted) counted)" : "executable or script written")

        let unseen = events.contains { ($0.kind == "file_watch_status" && $0.detail == "partial") || $0.kind == "file_written_suppressed" }
        if unseen { reasons.append(TrustReason(delta: 0, why: "file audit incomplete (folders not watched or writes not recorded): not counted as a clean run")) }
        let clean = refusedExecs == 0 && escapes == 0 && secrets.all == 0 && persistence.all == 0 && exfiltration.all == 0
            && tampered.all == 0 && moved.all == 0
            && anomalies == 0 && written == 0 && !unseen

        learnPrograms(events, clean: clean, into: &s, reasons: &reasons)

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
        if exfiltration.all > 0 {
            s.pinned = .red
            s.pinReason = "an exfiltration" + (exfiltration.subjects.isEmpty ? "" : " to \(names(exfiltration.subjects))")
            reasons.append(TrustReason(delta: 0, why: "tier red until you change it (`ww trust set` with a tier or auto, or `ww trust reset`)"))
        }
        return (s, reasons)
    }

    /// The learned baseline: the first session's programs are free (and its baseline when it was
    /// clean); later, a program neither in the baseline nor noticed before costs −2 once; a clean
    /// session's programs join the baseline, a session that was not clean only notes them.
    static func learnPrograms(_ events: [TrustEvent], clean: Bool, into s: inout TrustStanding, reasons: inout [TrustReason]) {
        var programs: [String] = []
        for e in events where e.kind == "exec_allowed" {
            if let p = e.program, !programs.contains(p) { programs.append(p) }
        }
        let first = s.baselinePrograms == nil
        var baseline = s.baselinePrograms ?? []
        var noticed = s.noticedPrograms ?? []
        let new = programs.filter { !baseline.contains($0) && !noticed.contains($0) }
        if !first && !new.isEmpty {
            let shown = new.prefix(5).map(EventText.printable).joined(separator: ", ") + (new.count > 5 ? ", \(new.count - 5) more" : "")
            reasons.append(TrustReason(delta: -2 * new.count, why: (new.count == 1 ? "" : "\(new.count) × ") + "new program (\(shown))"))
        }
        if clean {
            baseline += programs.filter { !baseline.contains($0) }
            noticed.removeAll { baseline.contains($0) }
        } else {
            noticed += new
        }
        s.baselinePrograms = baseline
        s.noticedPrograms = noticed.isEmpty ? nil : noticed
    }
}
