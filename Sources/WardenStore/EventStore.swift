import Foundation
import Glibc
import GRDB
import WardenCore
import WardenLinux

/// `~/.local/share/winewarden/winewarden.db` (SPEC §6): every session, its events, the games and
/// their trust, filled from the JSON-lines trails (which stay the primary record). SQLite in WAL
/// mode, so several sessions and readers use it at once.
public final class EventStore {
    public let path: String
    let pool: DatabasePool

    /// The schema, one migration per version; never edit a released one, add the next.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE games(
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL);
                CREATE TABLE trails(
                    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, bytes INTEGER NOT NULL DEFAULT 0,
                    lines INTEGER NOT NULL DEFAULT 0, complete INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE sessions(
                    id TEXT PRIMARY KEY, game TEXT NOT NULL REFERENCES games(id), trail INTEGER NOT NULL REFERENCES trails(id),
                    profile TEXT, plan_digest TEXT, network TEXT, started INTEGER NOT NULL, ended INTEGER, exit_status INTEGER,
                    landlock TEXT, seccomp TEXT, events INTEGER NOT NULL DEFAULT 0, refused INTEGER NOT NULL DEFAULT 0,
                    complete INTEGER NOT NULL DEFAULT 0, trust_applied INTEGER NOT NULL DEFAULT 0);
                CREATE INDEX sessions_by_game ON sessions(game, started);
                CREATE TABLE events(
                    id INTEGER PRIMARY KEY, trail INTEGER NOT NULL REFERENCES trails(id), line INTEGER NOT NULL,
                    session TEXT NOT NULL, game TEXT NOT NULL, ts INTEGER NOT NULL, kind TEXT NOT NULL, pid INTEGER,
                    json TEXT NOT NULL, UNIQUE(trail, line));
                CREATE INDEX events_by_session ON events(session, ts);
                CREATE INDEX events_by_kind ON events(kind, ts);
                CREATE INDEX events_by_time ON events(ts);
                CREATE INDEX events_by_game ON events(game, ts);
                CREATE TABLE skipped_lines(
                    trail INTEGER NOT NULL REFERENCES trails(id), line INTEGER NOT NULL, reason TEXT NOT NULL,
                    excerpt TEXT NOT NULL, UNIQUE(trail, line));
                CREATE TABLE trust(
                    game TEXT PRIMARY KEY, score INTEGER NOT NULL, clean_runs INTEGER NOT NULL,
                    baseline TEXT, pinned TEXT, updated INTEGER NOT NULL);
                CREATE TABLE trust_history(
                    id INTEGER PRIMARY KEY, game TEXT NOT NULL, ts INTEGER NOT NULL, session TEXT,
                    score_before INTEGER NOT NULL, score_after INTEGER NOT NULL, tier TEXT NOT NULL,
                    source TEXT NOT NULL, reasons TEXT NOT NULL);
                CREATE INDEX trust_history_by_game ON trust_history(game, id);
                """)
        }
        // The learned baseline's programs counted once but not yet trusted; why ww pinned a tier itself.
        m.registerMigration("v2-trust-learned") { db in
            try db.execute(sql: """
                ALTER TABLE trust ADD COLUMN noticed TEXT;
                ALTER TABLE trust ADD COLUMN pin_reason TEXT;
                """)
        }
        return m
    }

    /// The file's place: `<data>/winewarden.db` (`WardenDirectories.data` is `~/.local/share/winewarden`).
    public static func defaultPath(_ dirs: WardenDirectories) -> String { Paths.join(dirs.data, "winewarden.db") }

    /// Opens (creating it and its folder, 0700/0600) and brings the schema up to date. A database
    /// from a newer ww is refused untouched: it is checked read-only before anything writes.
    public init(path: String) throws {
        self.path = path
        try WardenDirectories.create(Paths.dirname(path))
        // Two sessions starting at once must not both create the schema (the second would fail on a
        // table the first just made): opening and migrating are serialised by a lock file.
        let lockFD = open(path + ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if lockFD >= 0 { _ = flock(lockFD, LOCK_EX) }
        defer { if lockFD >= 0 { _ = flock(lockFD, LOCK_UN); Glibc.close(lockFD) } }
        let existed = FileManager.default.fileExists(atPath: path)
        if existed {
            do {
                var ro = Configuration()
                ro.readonly = true
                ro.busyMode = .timeout(10)
                let peek = try DatabaseQueue(path: path, configuration: ro)
                let newer = try peek.read { db -> [String] in
                    guard try db.tableExists("grdb_migrations") else { return [] }
                    let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                    let known = Set(Self.migrator.migrations)
                    return applied.filter { !known.contains($0) }
                }
                try peek.close()
                if !newer.isEmpty {
                    throw WardenError(.host, "the event database \(path) was written by a newer version of ww (schema \(newer.joined(separator: ", "))); upgrade ww, or move the file aside to start a new one (the JSON-lines trails keep every event)")
                }
            } catch let e as WardenError { throw e }
            catch { throw Self.unusable(path, error) }
        }
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // A small page cache: the supervisor writes here during the game (≤ 10 MiB RSS in all).
            try db.execute(sql: "PRAGMA cache_size = -512")
            // WAL with NORMAL: a commit is not synced (a checkpoint is); a power cut may lose the last
            // imports, never the database's consistency, and the trails are imported again (each line
            // once). FULL cost an fsync per import at every session's end.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            if !existed {
                let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                if fd >= 0 { Glibc.close(fd) }
            }
            pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
        } catch {
            throw Self.unusable(path, error)
        }
    }

    static func unusable(_ path: String, _ error: Error) -> WardenError {
        let why = (error as? DatabaseError).map { $0.message ?? "\($0.resultCode)" } ?? "\(error)"
        return WardenError(.host, "cannot use the event database \(path): \(why); move it aside and run again (the JSON-lines trails keep every event and are imported again)")
    }

    /// The migrations applied (for tests and `ww features`).
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
    }

    public func close() throws { try pool.close() }
}
