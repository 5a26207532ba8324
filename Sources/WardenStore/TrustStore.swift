import Foundation
import GRDB
import WardenCore

/// A game's trust as `ww trust list` shows it.
public struct TrustRecord: Equatable, Sendable {
    public var game: String
    public var name: String
    public var standing: TrustStanding
    public var sessions: Int
    /// The last change (nil: none yet).
    public var last: TrustChange?
    public var tier: TrustTier { standing.tier }
}

extension EventStore {
    /// The stored standing; throws when the record is damaged (a baseline that is not a list of
    /// programs, an unknown pinned tier, a score outside 0…100): never a silent reset, which would
    /// forget the game's baseline or unpin a tier the player chose.
    static func standing(_ db: Database, game: String) throws -> TrustStanding? {
        guard let row = try Row.fetchOne(db, sql: "SELECT score, clean_runs, baseline, noticed, pinned, pin_reason FROM trust WHERE game = ?", arguments: [game]) else { return nil }
        func damaged(_ what: String) -> WardenError {
            WardenError(.host, "the trust record of \(game) is damaged (\(what)); `ww trust reset \(game)` starts it afresh at 50 with a new baseline (the history stays)")
        }
        let score: Int? = row["score"]
        let cleanRuns: Int? = row["clean_runs"]
        guard let score, (0...100).contains(score) else { throw damaged("score \(score.map(String.init) ?? "missing") is not within 0…100") }
        guard let cleanRuns, cleanRuns >= 0 else { throw damaged("clean runs \(cleanRuns.map(String.init) ?? "missing")") }
        func programs(_ column: String, _ what: String) throws -> [String]? {
            let text: String? = row[column]
            guard let text else { return nil }
            guard let list = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { throw damaged("\(what) is not a JSON list of programs") }
            return list
        }
        let baseline = try programs("baseline", "the program baseline")
        let noticed = try programs("noticed", "the list of programs already counted")
        let pinnedText: String? = row["pinned"]
        var pinned: TrustTier?
        if let text = pinnedText {
            guard let tier = TrustTier(rawValue: text) else { throw damaged("pinned tier '\(text)' is none of red, yellow, green") }
            pinned = tier
        }
        let pinReason: String? = row["pin_reason"]
        return TrustStanding(score: score, cleanRuns: cleanRuns, baselinePrograms: baseline, noticedPrograms: noticed, pinned: pinned,
                             pinReason: pinned == nil ? nil : pinReason)
    }

    static func save(_ db: Database, game: String, _ s: TrustStanding, time: Int64) throws {
        func json(_ list: [String]?) -> String? { list.map { String(decoding: try! JSONEncoder().encode($0), as: UTF8.self) } }
        try db.execute(sql: """
            INSERT INTO trust(game, score, clean_runs, baseline, noticed, pinned, pin_reason, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(game) DO UPDATE SET score = excluded.score, clean_runs = excluded.clean_runs,
                baseline = excluded.baseline, noticed = excluded.noticed, pinned = excluded.pinned,
                pin_reason = excluded.pin_reason, updated = excluded.updated
            """, arguments: [game, s.score, s.cleanRuns, json(s.baselinePrograms), json(s.noticedPrograms), s.pinned?.rawValue, s.pinReason, time])
    }

    static func addHistory(_ db: Database, _ c: TrustChange) throws {
        let reasons = String(decoding: try JSONEncoder().encode(c.reasons), as: UTF8.self)
        try db.execute(sql: """
            INSERT INTO trust_history(game, ts, session, score_before, score_after, tier, source, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [c.game, Int64(bitPattern: c.time), c.session, c.before, c.after, c.tier.rawValue, c.source, reasons])
    }

    /// The rules of `TrustEngine` over a completed session's events, once (`trust_applied`).
    static func applyTrust(_ db: Database, session: String, settings: TrustSettings) throws -> TrustChange? {
        guard let s = try Row.fetchOne(db, sql: "SELECT game, started, ended FROM sessions WHERE id = ?", arguments: [session]) else { return nil }
        let game: String = s["game"]
        let started: Int64 = s["started"]
        let ended: Int64 = s["ended"] ?? started
        let lines = try String.fetchAll(db, sql: "SELECT json FROM events WHERE session = ? ORDER BY ts, id", arguments: [session])
        let events = lines.compactMap { AuditEvent(jsonLine: $0) }.map { TrustEvent(kind: $0.kind, details: $0.details) }
        let before = try standing(db, game: game) ?? .start
        // The reasons write paths below the player's home with `~` (the decoys stand for its files).
        let (after, reasons) = TrustEngine.apply(events, durationSeconds: Int((ended - started) / 1_000_000_000), to: before, settings: settings,
                                                 home: ProcessInfo.processInfo.environment["HOME"])
        try save(db, game: game, after, time: ended)
        let change = TrustChange(game: game, session: session, time: UInt64(ended), before: before.score, after: after.score,
                                 tier: after.tier, source: "session", reasons: reasons)
        try addHistory(db, change)
        try db.execute(sql: "UPDATE sessions SET trust_applied = 1 WHERE id = ?", arguments: [session])
        return change
    }

    /// The standing launches read (nil: a game never seen; the config's default tier applies).
    public func standing(game: String) throws -> TrustStanding? {
        try pool.read { db in try Self.standing(db, game: game) }
    }

    /// Every game the database knows, with its trust (games without a finished session yet show the start).
    public func trustRecords() throws -> [TrustRecord] {
        try pool.read { db in
            let games = try Row.fetchAll(db, sql: """
                SELECT g.id, g.name, (SELECT COUNT(*) FROM sessions s WHERE s.game = g.id) AS n FROM games g
                UNION SELECT t.game, t.game, 0 FROM trust t WHERE t.game NOT IN (SELECT id FROM games)
                ORDER BY 1
                """)
            return try games.map { row in
                let id: String = row[0]
                let history = try Self.history(db, game: id, limit: 1)
                return TrustRecord(game: id, name: row[1], standing: try Self.standing(db, game: id) ?? .start, sessions: row[2], last: history.first)
            }
        }
    }

    public func trustRecord(game: String) throws -> TrustRecord? {
        try trustRecords().first { $0.game == game }
    }

    /// The changes of a game's score, newest first.
    public func trustHistory(game: String, limit: Int = 1000) throws -> [TrustChange] {
        try pool.read { db in try Self.history(db, game: game, limit: limit) }
    }

    static func history(_ db: Database, game: String, limit: Int) throws -> [TrustChange] {
        try Row.fetchAll(db, sql: "SELECT * FROM trust_history WHERE game = ? ORDER BY id DESC LIMIT ?", arguments: [game, limit]).map { r in
            let reasons: String = r["reasons"]
            let ts: Int64 = r["ts"]
            return TrustChange(game: game, session: r["session"], time: UInt64(bitPattern: ts), before: r["score_before"], after: r["score_after"],
                               tier: TrustTier(rawValue: r["tier"]) ?? .yellow, source: r["source"],
                               reasons: (try? JSONDecoder().decode([TrustReason].self, from: Data(reasons.utf8))) ?? [])
        }
    }

    /// The change a session made (the background import may have applied it already).
    public func trustChange(session: String) throws -> TrustChange? {
        try pool.read { db in
            guard let game = try String.fetchOne(db, sql: "SELECT game FROM trust_history WHERE session = ?", arguments: [session]) else { return nil }
            return try Self.history(db, game: game, limit: 1000).first { $0.session == session }
        }
    }

    /// `ww trust set GAME TIER`: pins the tier (nil unpins); the score keeps moving underneath. It
    /// also lifts ww's own pin (red after an exfiltration): the player has changed it.
    @discardableResult
    public func pin(game: String, tier: TrustTier?, time: UInt64) throws -> TrustChange {
        try pool.write { db in
            var s = try Self.standing(db, game: game) ?? .start
            let before = s.score
            let lifted = s.pinReason.map { "; lifts the red tier after \($0)" } ?? ""
            s.pinned = tier
            s.pinReason = nil
            try Self.save(db, game: game, s, time: Int64(bitPattern: time))
            let why = (tier.map { "pinned to \($0.rawValue) by the player" } ?? "unpinned by the player: the score decides the tier again") + lifted
            let change = TrustChange(game: game, session: nil, time: time, before: before, after: s.score, tier: s.tier, source: "player",
                                     reasons: [TrustReason(delta: 0, why: why)])
            try Self.addHistory(db, change)
            return change
        }
    }

    /// `ww trust reset GAME`: back to the start (50, no baseline, no pin); the history keeps the reset.
    @discardableResult
    public func resetTrust(game: String, time: UInt64) throws -> TrustChange {
        try pool.write { db in
            // A damaged record can be reset: what it held is only shown in the history as 0.
            let before = (try? Self.standing(db, game: game))??.score ?? TrustStanding.start.score
            try Self.save(db, game: game, .start, time: Int64(bitPattern: time))
            let change = TrustChange(game: game, session: nil, time: time, before: before, after: TrustStanding.start.score,
                                     tier: TrustStanding.start.tier, source: "player",
                                     reasons: [TrustReason(delta: TrustStanding.start.score - before, why: "reset by the player")])
            try Self.addHistory(db, change)
            return change
        }
    }

    /// Whether the database knows the game at all (for "no game named …" errors).
    public func knows(game: String) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM games WHERE id = ?) OR EXISTS(SELECT 1 FROM trust WHERE game = ?)",
                              arguments: [game, game]) ?? false
        }
    }
}

extension EventStore {
    /// The launch's read of a game's standing: read-only, without migrating or opening a pool (a few
    /// hundred microseconds). nil when there is no database or the game is not in it. A database
    /// that exists but cannot be read fails the launch: its tier could be the stricter one.
    public static func peekStanding(path: String, game: String) throws -> TrustStanding? {
        guard access(path, F_OK) == 0 else { return nil }
        do {
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(5)
            let queue = try DatabaseQueue(path: path, configuration: config)
            // A database another session is creating this very moment (no schema yet) holds no standing:
            // reading its migrations would fail ("no such table"), and the launch with it.
            let empty = try queue.read { db in try !db.tableExists("grdb_migrations") && !db.tableExists("trust") }
            if empty {
                try queue.close()
                return nil
            }
            // A database an earlier ww wrote is brought to this schema first (read-only here cannot).
            let current = try queue.read { db in try EventStore.migrator.hasCompletedMigrations(db) }
            guard current else {
                try queue.close()
                return try EventStore(path: path).standing(game: game)
            }
            defer { try? queue.close() }
            return try queue.read { db in
                guard try db.tableExists("trust") else { return nil }
                return try standing(db, game: game)
            }
        } catch let e as WardenError {
            throw e
        } catch {
            let why = (error as? DatabaseError).map { $0.message ?? "\($0.resultCode)" } ?? "\(error)"
            throw WardenError(.host, "cannot read the trust of \(game) from \(path): \(why); move the file aside and run again (the JSON-lines trails are imported again, trust history included)")
        }
    }
}
