import Foundation
import Glibc
import GRDB
import WardenCore

/// A line of a trail that could not be read as an event: kept with its number, never dropped silently.
public struct SkippedLine: Equatable, Sendable {
    public var path: String
    public var line: Int
    public var reason: String
    public var excerpt: String
}

public struct ImportResult: Sendable {
    public var events = 0
    public var skipped: [SkippedLine] = []
    /// Sessions whose trust was applied by this import, with the change.
    public var trustChanges: [TrustChange] = []
}

/// One application of the trust rules (or a player's change), as stored in the history.
public struct TrustChange: Equatable, Sendable {
    public var game: String
    public var session: String?
    public var time: UInt64
    public var before: Int
    public var after: Int
    public var tier: TrustTier
    public var source: String
    public var reasons: [TrustReason]
}

extension EventStore {
    /// Brings the database up to date with one trail file: reads from where the last import stopped,
    /// in one transaction with the new position, so an import cut short (ww killed) leaves nothing
    /// half-done and the next one neither loses nor repeats a line.
    ///
    /// `final`: the file will not grow (its session ended, or its ww is gone). nil: decided by the
    /// writer's lock — a running ww holds a shared `flock` on its trail, so an exclusive one only
    /// succeeds once every writer is gone. A final import also reads a last line without a newline
    /// (skipped when torn), completes the file's sessions and applies their trust.
    @discardableResult
    public func importTrail(_ path: String, final done: Bool? = nil, trust settings: TrustSettings = TrustSettings()) throws -> ImportResult {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            throw WardenError(.launch, "cannot read the audit trail \(path): \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(fd) }
        let isFinal: Bool = done ?? (flock(fd, LOCK_EX | LOCK_NB) == 0)
        return try pool.write { db in
            try Self.importTrail(db, path: path, fd: fd, final: isFinal, settings: settings)
        }
    }

    /// Files the database has not finished: trails registered by a session that did not complete
    /// (killed ww) and, with `scanning`, files in the logs folder it has never seen. Each one whose
    /// writer is gone is imported completely; running ones up to their last whole line.
    @discardableResult
    public func importPending(logsFolder: String?, trust settings: TrustSettings = TrustSettings()) throws -> ImportResult {
        var paths = try pool.read { db in try String.fetchAll(db, sql: "SELECT path FROM trails WHERE complete = 0 ORDER BY id") }
        if let folder = logsFolder {
            let known = Set(try pool.read { db in try String.fetchAll(db, sql: "SELECT path FROM trails") })
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
            paths += names.map { Paths.join(folder, $0) }.filter { !known.contains($0) }
        }
        var total = ImportResult()
        for p in paths {
            guard access(p, R_OK) == 0 else { continue }
            let r = try importTrail(p, trust: settings)
            total.events += r.events
            total.skipped += r.skipped
            total.trustChanges += r.trustChanges
        }
        return total
    }

    static func importTrail(_ db: Database, path: String, fd: Int32, final: Bool, settings: TrustSettings) throws -> ImportResult {
        var result = ImportResult()
        if try Row.fetchOne(db, sql: "SELECT id FROM trails WHERE path = ?", arguments: [path]) == nil {
            try db.execute(sql: "INSERT INTO trails(path) VALUES (?)", arguments: [path])
        }
        let row = try Row.fetchOne(db, sql: "SELECT id, bytes, lines, complete FROM trails WHERE path = ?", arguments: [path])!
        let trail: Int64 = row["id"]
        let offset: Int = row["bytes"]
        var lineNumber: Int = row["lines"]

        var st = stat()
        guard fstat(fd, &st) == 0 else { return result }
        let size = Int(st.st_size)
        if size < offset {
            // The file was truncated or replaced: what was imported stays; nothing is read twice.
            throw WardenError(.launch, "the audit trail \(path) is shorter than what was already imported from it (\(size) < \(offset) bytes); it was changed after the session")
        }
        var data = [UInt8](repeating: 0, count: size - offset)
        var got = 0
        while got < data.count {
            let n = data.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, $0.count - got, off_t(offset + got)) }
            if n <= 0 { break }
            got += n
        }
        data.removeSubrange(got...)

        var consumed = 0
        var touchedSessions: Set<String> = []
        var start = 0
        while start < data.count {
            let newline = data[start...].firstIndex(of: 0x0A)
            if newline == nil && !final { break }   // a line still being written
            let end = newline ?? data.count
            lineNumber += 1
            let bytes = data[start..<end]
            consumed = newline.map { $0 + 1 } ?? data.count
            start = consumed
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let text = String(decoding: bytes, as: UTF8.self)
            guard let event = AuditEvent(jsonLine: text) else {
                let reason = newline == nil ? "torn last line (ww stopped while writing it)" : "not a JSON event"
                let excerpt = String(text.prefix(120))
                try db.execute(sql: "INSERT OR IGNORE INTO skipped_lines(trail, line, reason, excerpt) VALUES (?, ?, ?, ?)",
                               arguments: [trail, lineNumber, reason, excerpt])
                result.skipped.append(SkippedLine(path: path, line: lineNumber, reason: reason, excerpt: excerpt))
                continue
            }
            try record(db, event, json: text, trail: trail, line: lineNumber)
            touchedSessions.insert(event.session)
            result.events += 1
        }
        try db.execute(sql: "UPDATE trails SET bytes = ?, lines = ?, complete = ? WHERE id = ?",
                       arguments: [offset + consumed, lineNumber, final, trail])
        if final {
            // Sessions cut off (ww killed): complete them as they are, ending at their last event.
            try db.execute(sql: """
                UPDATE sessions SET complete = 1,
                    ended = COALESCE(ended, (SELECT MAX(ts) FROM events WHERE events.session = sessions.id))
                WHERE trail = ? AND complete = 0
                """, arguments: [trail])
        }
        let ready = try String.fetchAll(db, sql: "SELECT id FROM sessions WHERE trail = ? AND complete = 1 AND trust_applied = 0 ORDER BY started",
                                        arguments: [trail])
        for session in ready {
            if let change = try applyTrust(db, session: session, settings: settings) { result.trustChanges.append(change) }
        }
        return result
    }

    /// One event into the tables: the event itself, its session's summary, its game.
    static func record(_ db: Database, _ e: AuditEvent, json: String, trail: Int64, line: Int) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO events(trail, line, session, game, ts, kind, pid, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       arguments: [trail, line, e.session, e.game, Int64(bitPattern: e.timeNanoseconds), e.kind, e.pid.map { Int64($0) }, json])
        guard db.changesCount > 0 else { return }   // already imported (a repeated import): nothing counts twice
        let ts = Int64(bitPattern: e.timeNanoseconds)
        let name = e.kind == "policy_applied" ? e.string("game_name") : nil
        try db.execute(sql: """
            INSERT INTO games(id, name, first_seen, last_seen) VALUES (?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen),
                name = CASE WHEN ? IS NULL THEN name ELSE excluded.name END
            """, arguments: [e.game, name ?? e.game, ts, ts, name])
        try db.execute(sql: "INSERT OR IGNORE INTO sessions(id, game, trail, started) VALUES (?, ?, ?, ?)",
                       arguments: [e.session, e.game, trail, ts])
        let refused = AuditEvent.refusalKinds.contains(e.kind) || e.kind == "proxy_deny" || e.kind == "net_denied" ? 1 : 0
        try db.execute(sql: "UPDATE sessions SET events = events + 1, refused = refused + ?, started = MIN(started, ?) WHERE id = ?",
                       arguments: [refused, ts, e.session])
        switch e.kind {
        case "policy_applied":
            try db.execute(sql: "UPDATE sessions SET profile = ?, plan_digest = ?, network = ? WHERE id = ?",
                           arguments: [e.string("profile"), e.string("plan_digest"), e.string("network"), e.session])
        case "landlock_status":
            let text = [e.string("status"), e.int("abi").map { "ABI \($0)" }].compactMap { $0 }.joined(separator: ", ")
            try db.execute(sql: "UPDATE sessions SET landlock = ? WHERE id = ?", arguments: [text, e.session])
        case "seccomp_status":
            if case .bool(let installed)? = e.detail("installed") {
                try db.execute(sql: "UPDATE sessions SET seccomp = ? WHERE id = ?",
                               arguments: [installed ? "filter and notification" : "filter only (notification failed)", e.session])
            } else {
                try db.execute(sql: "UPDATE sessions SET seccomp = COALESCE(seccomp, 'filter') WHERE id = ?", arguments: [e.session])
            }
        case "session_end":
            try db.execute(sql: "UPDATE sessions SET ended = ?, exit_status = ?, complete = 1 WHERE id = ?",
                           arguments: [ts, e.int("exit_status"), e.session])
        default: break
        }
    }
}
