import Foundation
import GRDB
import WardenCore

/// What `ww events` asks for: every condition optional, all of them must hold.
public struct EventFilter: Equatable, Sendable {
    /// A game id, exactly (`steam:620`), or a glob (`steam:*`).
    public var game: String?
    /// A session id or the start of one (at least 4 hex digits).
    public var session: String?
    /// Kinds, exactly or as globs (`dns_*`); any of them.
    public var kinds: [String] = []
    /// Nanoseconds since the epoch.
    public var since: UInt64?
    public var until: UInt64?
    /// The newest `limit` events (still printed oldest first); nil: all.
    public var limit: Int?

    public init(game: String? = nil, session: String? = nil, kinds: [String] = [], since: UInt64? = nil, until: UInt64? = nil, limit: Int? = nil) {
        self.game = game
        self.session = session
        self.kinds = kinds
        self.since = since
        self.until = until
        self.limit = limit
    }

    /// The same test the database makes, for events that arrive live (`--follow`).
    public func matches(_ e: AuditEvent) -> Bool {
        if let g = game, !Glob(g).matches(e.game) { return false }
        if let s = session, !e.session.hasPrefix(s) { return false }
        if !kinds.isEmpty, !kinds.contains(where: { Glob($0).matches(e.kind) }) { return false }
        if let t = since, e.timeNanoseconds < t { return false }
        if let t = until, e.timeNanoseconds >= t { return false }
        return true
    }
}

/// A session as the database summarises it.
public struct SessionRecord: Equatable, Sendable {
    public var id: String
    public var game: String
    public var profile: String?
    public var planDigest: String?
    public var network: String?
    public var started: UInt64
    public var ended: UInt64?
    public var exitStatus: Int?
    public var landlock: String?
    public var seccomp: String?
    public var events: Int
    public var refused: Int
    public var complete: Bool
}

extension EventStore {
    /// The stored lines that pass the filter, oldest first.
    public func events(_ filter: EventFilter) throws -> [String] {
        try events(filter, runningCounts: false).lines
    }

    /// The stored lines that pass the filter and, read in the same transaction, how many lines of each
    /// session still running (not complete) the database holds: `--follow` skips that many of the
    /// session's live feed (it replays from the first line), so no line is printed twice or missed.
    public func events(_ filter: EventFilter, runningCounts: Bool) throws -> (lines: [String], stored: [String: Int]) {
        let (sql, arguments) = Self.query(filter)
        return try pool.read { db in
            let lines = try String.fetchAll(db, sql: sql, arguments: StatementArguments(arguments as [Any])!)
            var stored: [String: Int] = [:]
            if runningCounts {
                for row in try Row.fetchAll(db, sql: "SELECT session, COUNT(*) FROM events WHERE session IN (SELECT id FROM sessions WHERE complete = 0) GROUP BY session") {
                    stored[row[0]] = row[1]
                }
            }
            return (lines, stored)
        }
    }

    static func query(_ filter: EventFilter) -> (String, [(any DatabaseValueConvertible)?]) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let g = filter.game {
            if g.contains(where: { "*?[".contains($0) }) { conditions.append("game GLOB ?") } else { conditions.append("game = ?") }
            arguments.append(g)
        }
        if let s = filter.session { conditions.append("session >= ? AND session < ?"); arguments += [s, s + "\u{10FFFF}"] }
        if !filter.kinds.isEmpty {
            conditions.append("(" + filter.kinds.map { _ in "kind GLOB ?" }.joined(separator: " OR ") + ")")
            arguments += filter.kinds.map { $0 as DatabaseValueConvertible? }
        }
        if let t = filter.since { conditions.append("ts >= ?"); arguments.append(Int64(bitPattern: t)) }
        if let t = filter.until { conditions.append("ts < ?"); arguments.append(Int64(bitPattern: t)) }
        var sql = "SELECT json FROM events" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
        if let n = filter.limit {
            sql = "SELECT json FROM (\(sql.replacingOccurrences(of: "SELECT json", with: "SELECT json, ts, id")) ORDER BY ts DESC, id DESC LIMIT \(max(0, n))) ORDER BY ts, id"
        } else {
            sql += " ORDER BY ts, id"
        }
        return (sql, arguments)
    }

    public func sessions(game: String? = nil, limit: Int = 100) throws -> [SessionRecord] {
        try pool.read { db in
            let sql = "SELECT * FROM sessions" + (game == nil ? "" : " WHERE game = ?") + " ORDER BY started DESC LIMIT ?"
            let args: StatementArguments = game.map { [$0, limit] } ?? [limit]
            return try Row.fetchAll(db, sql: sql, arguments: args).map { r in
                let started: Int64 = r["started"]
                let ended: Int64? = r["ended"]
                return SessionRecord(id: r["id"], game: r["game"], profile: r["profile"], planDigest: r["plan_digest"], network: r["network"],
                                     started: UInt64(bitPattern: started), ended: ended.map { UInt64(bitPattern: $0) }, exitStatus: r["exit_status"],
                                     landlock: r["landlock"], seccomp: r["seccomp"], events: r["events"], refused: r["refused"], complete: r["complete"])
            }
        }
    }

    /// Lines the imports could not read, with their file and number.
    public func skippedLines() throws -> [SkippedLine] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT t.path, s.line, s.reason, s.excerpt FROM skipped_lines s JOIN trails t ON t.id = s.trail ORDER BY t.id, s.line")
                .map { SkippedLine(path: $0[0], line: $0[1], reason: $0[2], excerpt: $0[3]) }
        }
    }

    public func eventCount(session: String? = nil) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events" + (session == nil ? "" : " WHERE session = ?"),
                             arguments: session.map { [$0] } ?? []) ?? 0
        }
    }
}
