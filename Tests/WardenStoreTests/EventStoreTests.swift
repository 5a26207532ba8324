import Foundation
import Glibc
import GRDB
import XCTest
@testable import WardenStore
import WardenCore
import WardenLinux

final class EventStoreTests: XCTestCase {
    var dir = ""

    override func setUp() {
        dir = NSTemporaryDirectory() + "ww-store-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func event(_ session: String, _ kind: String, _ t: UInt64, game: String = "steam:620", pid: Int32? = nil, _ details: [(String, AuditEvent.Value)] = []) -> String {
        AuditEvent(time: 1_795_000_000_000_000_000 + t * 1_000_000_000, session: session, game: game, kind: kind, pid: pid,
                   chain: pid.map { [AuditEvent.ProcessLink(pid: $0, name: "game.exe")] } ?? [], details: details).jsonLine()
    }

    func session(_ id: String, game: String = "steam:620", refused: Int = 0, ended: Bool = true, hours: UInt64 = 0) -> [String] {
        var lines = [event(id, "policy_applied", 0, game: game, [("game_name", .string("Portal 2")), ("profile", .string("default")),
                                                                 ("plan_digest", .string("00ff")), ("network", .string("off"))]),
                     event(id, "landlock_status", 0, game: game, pid: 10, [("status", .string("fully enforced")), ("abi", .int(7))]),
                     event(id, "exec_allowed", 1, game: game, pid: 10, [("path", .string("/usr/bin/wine"))])]
        for i in 0..<refused {
            lines.append(event(id, "exec_refused", 2 + UInt64(i), game: game, pid: 11, [("path", .string("/bin/sh")), ("reason", .string("shell"))]))
        }
        if ended { lines.append(event(id, "session_end", 10 + hours * 3600, game: game, [("exit_status", .int(0))])) }
        return lines
    }

    func write(_ name: String, _ lines: [String], torn: String? = nil) -> String {
        let path = dir + "/" + name
        var text = lines.map { $0 + "\n" }.joined()
        if let t = torn { text += t }
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    func append(_ path: String, _ lines: [String]) {
        let h = FileHandle(forWritingAtPath: path)!
        h.seekToEndOfFile()
        h.write(Data(lines.map { $0 + "\n" }.joined().utf8))
        h.closeFile()
    }

    func testRoundTripKeepsEveryLineAndSummarisesTheSession() throws {
        let lines = session("aaaa000000000001", refused: 2)
        let path = write("a.jsonl", lines)
        let store = try EventStore(path: dir + "/ww.db")
        let r = try store.importTrail(path)
        XCTAssertEqual(r.events, lines.count)
        XCTAssertEqual(try store.events(EventFilter()), lines, "stored lines are the trail's lines, byte for byte, in order")
        XCTAssertEqual(try store.events(EventFilter()).compactMap { AuditEvent(jsonLine: $0)?.jsonLine() }, lines, "and parse back to the same events")
        let s = try XCTUnwrap(try store.sessions().first)
        XCTAssertEqual(s.id, "aaaa000000000001")
        XCTAssertEqual(s.game, "steam:620")
        XCTAssertEqual(s.profile, "default")
        XCTAssertEqual(s.planDigest, "00ff")
        XCTAssertEqual(s.landlock, "fully enforced, ABI 7")
        XCTAssertEqual(s.exitStatus, 0)
        XCTAssertEqual(s.refused, 2)
        XCTAssertTrue(s.complete)
        XCTAssertEqual(try store.trustRecords().map(\.name), ["Portal 2"])
        XCTAssertEqual(try store.appliedMigrations(), ["v1", "v2-trust-learned"])
    }

    func testFiltersByGameSessionKindAndTime() throws {
        let store = try EventStore(path: dir + "/ww.db")
        try store.importTrail(write("a.jsonl", session("aaaa000000000001", refused: 1)))
        try store.importTrail(write("b.jsonl", session("bbbb000000000002", game: "lutris:doom", refused: 3)))
        XCTAssertEqual(try store.events(EventFilter(game: "lutris:doom")).count, 7)
        XCTAssertEqual(try store.events(EventFilter(game: "steam:*")).count, 5)
        XCTAssertEqual(try store.events(EventFilter(session: "bbbb")).count, 7)
        XCTAssertEqual(try store.events(EventFilter(kinds: ["exec_*"])).count, 6)
        XCTAssertEqual(try store.events(EventFilter(kinds: ["exec_refused", "session_end"])).count, 6)
        let t3 = 1_795_000_000_000_000_000 + 3 * 1_000_000_000 as UInt64
        XCTAssertEqual(try store.events(EventFilter(since: t3)).count, 4, "exec_refused at +3, +4 and both session_end")
        XCTAssertEqual(try store.events(EventFilter(until: t3)).count, 8)
        let last = try store.events(EventFilter(limit: 2)).compactMap { AuditEvent(jsonLine: $0) }
        XCTAssertEqual(last.map(\.kind), ["session_end", "session_end"])
        let filter = EventFilter(game: "lutris:*", kinds: ["exec_refused"])
        let direct = session("bbbb000000000002", game: "lutris:doom", refused: 3).compactMap { AuditEvent(jsonLine: $0) }.filter(filter.matches)
        XCTAssertEqual(direct.count, 3, "the live filter agrees with the database's")
    }

    /// ww killed mid-session: the next import completes it; importing again changes nothing.
    func testImportAfterACrashIsCompleteAndIdempotent() throws {
        let store = try EventStore(path: dir + "/ww.db")
        var lines = session("cccc000000000003", refused: 1, ended: false)
        let path = write("c.jsonl", Array(lines.prefix(2)))
        // While the session runs, its ww imports part of it (not final).
        try store.importTrail(path, final: false)
        XCTAssertEqual(try store.eventCount(), 2)
        XCTAssertFalse(try store.sessions()[0].complete)
        // More lines, the last one torn by the kill.
        append(path, Array(lines.dropFirst(2)))
        let torn = String(event("cccc000000000003", "exec_refused", 5).prefix(40))
        let h = FileHandle(forWritingAtPath: path)!; h.seekToEndOfFile(); h.write(Data(torn.utf8)); h.closeFile()
        // A running writer's torn line is not read yet.
        try store.importTrail(path, final: false)
        XCTAssertEqual(try store.eventCount(), lines.count)
        XCTAssertTrue(try store.skippedLines().isEmpty)
        // The next ww: nobody holds the lock, so it is final.
        let r = try store.importPending(logsFolder: nil)
        XCTAssertEqual(r.events, 0)
        XCTAssertEqual(r.skipped.map(\.line), [lines.count + 1])
        XCTAssertEqual(r.skipped.first?.reason, "torn last line (ww stopped while writing it)")
        XCTAssertEqual(r.trustChanges.count, 1, "the killed session's trust is applied")
        XCTAssertEqual(r.trustChanges.first?.after, 40)
        let s = try store.sessions()[0]
        XCTAssertTrue(s.complete)
        XCTAssertEqual(s.ended, 1_795_000_000_000_000_000 + 2 * 1_000_000_000, "ends at its last event")
        // Again, and again through a full scan of the folder: nothing twice.
        XCTAssertEqual(try store.importPending(logsFolder: dir).events, 0)
        try store.importTrail(path)
        XCTAssertEqual(try store.eventCount(), lines.count)
        XCTAssertEqual(try store.trustHistory(game: "steam:620").count, 1)
        XCTAssertEqual(try store.standing(game: "steam:620")?.score, 40)
        lines.removeAll()
    }

    /// A crash inside an import (the transaction never commits) leaves the database as it was.
    func testAnImportCutShortLeavesNothingHalfDone() throws {
        let path = write("d.jsonl", session("dddd000000000004", refused: 1))
        let store = try EventStore(path: dir + "/ww.db")
        struct Boom: Error {}
        XCTAssertThrowsError(try store.pool.write { db -> Void in
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            _ = try EventStore.importTrail(db, path: path, fd: fd, final: true, settings: TrustSettings())
            throw Boom()
        })
        XCTAssertEqual(try store.eventCount(), 0)
        XCTAssertNil(try store.standing(game: "steam:620"))
        try store.importTrail(path)
        XCTAssertEqual(try store.eventCount(), 5)
        XCTAssertEqual(try store.standing(game: "steam:620")?.score, 40)
    }

    /// A running ww holds a shared lock: its trail is never taken as complete.
    func testARunningWritersTrailStaysOpen() throws {
        let path = write("e.jsonl", session("eeee000000000005", ended: false))
        let store = try EventStore(path: dir + "/ww.db")
        let trail = try AuditTrail(path: path, session: "eeee000000000005", game: "steam:620")
        try store.importPending(logsFolder: dir)
        XCTAssertFalse(try store.sessions()[0].complete)
        trail.releaseLock()
        try store.importPending(logsFolder: nil)
        XCTAssertTrue(try store.sessions()[0].complete)
    }

    func testGarbageLinesAreSkippedWithTheirNumbers() throws {
        let lines = session("ffff000000000006")
        let path = write("f.jsonl", [lines[0], "not json at all", lines[1], "{\"kind\":\"no_session\"}", lines[2], lines[3]])
        let store = try EventStore(path: dir + "/ww.db")
        let r = try store.importTrail(path)
        XCTAssertEqual(r.events, 4)
        XCTAssertEqual(r.skipped.map(\.line), [2, 4])
        XCTAssertEqual(try store.skippedLines().map(\.line), [2, 4])
        XCTAssertEqual(try store.skippedLines().first?.excerpt, "not json at all")
    }

    /// A damaged trust record is an error with the fix (exit 125 at launch), never a silent reset
    /// that would drop the baseline or a tier the player pinned; `ww trust reset` then works.
    func testADamagedTrustRecordIsAClearErrorNeverASilentReset() throws {
        let path = dir + "/ww.db"
        let store = try EventStore(path: path)
        try store.pin(game: "steam:620", tier: .red, time: 1)
        XCTAssertEqual(try EventStore.peekStanding(path: path, game: "steam:620")?.pinned, .red)
        for (damage, says) in [("UPDATE trust SET baseline = '{not json'", "program baseline is not a JSON list"),
                               ("UPDATE trust SET baseline = NULL, pinned = 'purple'", "pinned tier 'purple'"),
                               ("UPDATE trust SET pinned = NULL, score = 250", "score 250 is not within 0…100")] {
            try store.pool.write { db in try db.execute(sql: damage) }
            XCTAssertThrowsError(try EventStore.peekStanding(path: path, game: "steam:620"), damage) { error in
                let e = error as? WardenError
                XCTAssertEqual(e?.exitStatus, 125)
                XCTAssertTrue(e?.message.contains("the trust record of steam:620 is damaged") == true && e?.message.contains(says) == true, e?.message ?? "\(error)")
                XCTAssertTrue(e?.message.contains("ww trust reset steam:620") == true, e?.message ?? "")
            }
        }
        _ = try store.resetTrust(game: "steam:620", time: 2)
        XCTAssertEqual(try EventStore.peekStanding(path: path, game: "steam:620"), .start)
    }

    /// A database an earlier ww wrote (schema v1 only, with a pinned game) is brought up to date by the
    /// launch's read of the trust, which then sees the record as it was.
    func testADatabaseFromAnEarlierVersionIsMigratedByTheLaunchsTrustRead() throws {
        let path = dir + "/ww.db"
        let queue = try DatabaseQueue(path: path)
        try EventStore.migrator.migrate(queue, upTo: "v1")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO trust (game, score, clean_runs, baseline, pinned, updated) VALUES ('steam:620', 40, 0, '[]', 'red', 1)")
        }
        try queue.close()
        let standing = try EventStore.peekStanding(path: path, game: "steam:620")
        XCTAssertEqual(standing?.pinned, .red)
        XCTAssertEqual(standing?.score, 40)
        let applied = try DatabaseQueue(path: path).read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        XCTAssertEqual(applied, EventStore.migrator.migrations)
    }

    func testADatabaseFromANewerVersionIsRefusedUntouched() throws {
        let path = dir + "/ww.db"
        try EventStore(path: path).close()
        let q = try DatabaseQueue(path: path)
        try q.write { db in try db.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES ('v9-from-the-future')") }
        try q.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try EventStore(path: path)) { error in
            let message = (error as? WardenError)?.message ?? ""
            XCTAssertTrue(message.contains("written by a newer version of ww (schema v9-from-the-future)"), message)
            XCTAssertEqual((error as? WardenError)?.exitStatus, 125)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before, "not one byte changed")
    }

    func testACorruptDatabaseIsAClearError() throws {
        let path = dir + "/ww.db"
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 8192))
        XCTAssertThrowsError(try EventStore(path: path)) { error in
            XCTAssertTrue(((error as? WardenError)?.message ?? "").contains("cannot use the event database"), "\(error)")
        }
        XCTAssertThrowsError(try EventStore.peekStanding(path: path, game: "steam:620")) { error in
            XCTAssertTrue(((error as? WardenError)?.message ?? "").contains("move the file aside"), "\(error)")
        }
        XCTAssertNil(try EventStore.peekStanding(path: dir + "/none.db", game: "steam:620"))
    }

    /// Two sessions import at once from two threads, each with its own connection (WAL): all lines land.
    func testConcurrentWritersLoseNothing() throws {
        let path = dir + "/ww.db"
        _ = try EventStore(path: path)
        let a = write("g.jsonl", []), b = write("h.jsonl", [])
        let group = DispatchGroup()
        final class Failures: @unchecked Sendable { var list: [Error] = []; let lock = NSLock() }
        let failures = Failures()
        for (trail, id) in [(a, "aaaa00000000000a"), (b, "bbbb00000000000b")] {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let store = try EventStore(path: path)
                    for i in 0..<200 {
                        self.append(trail, [self.event(id, "net_connect", UInt64(i), game: "g:\(id)")])
                        if i % 10 == 0 { try store.importTrail(trail, final: false) }
                    }
                    try store.importTrail(trail, final: true)
                } catch { failures.lock.lock(); failures.list.append(error); failures.lock.unlock() }
            }
        }
        group.wait()
        XCTAssertTrue(failures.list.isEmpty, "\(failures.list)")
        let store = try EventStore(path: path)
        XCTAssertEqual(try store.eventCount(session: "aaaa00000000000a"), 200)
        XCTAssertEqual(try store.eventCount(session: "bbbb00000000000b"), 200)
        XCTAssertEqual(try store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }, "wal")
    }

    func testTrustMovesBySessionAndByThePlayer() throws {
        let store = try EventStore(path: dir + "/ww.db")
        try store.importTrail(write("1.jsonl", session("1111000000000001", refused: 2)))
        XCTAssertEqual(try store.standing(game: "steam:620")?.score, 30)
        try store.importTrail(write("2.jsonl", session("2222000000000002", hours: 2)))
        XCTAssertEqual(try store.standing(game: "steam:620")?.score, 34, "+2 per clean hour")
        let h = try store.trustHistory(game: "steam:620")
        XCTAssertEqual(h.map(\.after), [34, 30])
        XCTAssertEqual(h.last?.reasons, [TrustReason(delta: -20, why: "2 × refused program (sensitive access)")])
        try store.pin(game: "steam:620", tier: .green, time: 1)
        XCTAssertEqual(try store.standing(game: "steam:620")?.tier, .green)
        XCTAssertEqual(try EventStore.peekStanding(path: dir + "/ww.db", game: "steam:620")?.pinned, .green)
        try store.resetTrust(game: "steam:620", time: 2)
        XCTAssertEqual(try store.standing(game: "steam:620"), .start)
        XCTAssertEqual(try store.trustHistory(game: "steam:620").map(\.source), ["player", "player", "session", "session"])
    }

    /// Issue 15: an exfiltration locks the tier red in the store (the launch reads it), `ww trust
    /// set` lifts the lock and says so; the learned baseline and the programs already counted
    /// survive the round trip through the database.
    func testAnExfiltrationLocksTheTierRedUntilThePlayerChangesIt() throws {
        let store = try EventStore(path: dir + "/ww.db")
        try store.importTrail(write("1.jsonl", session("1111000000000001")))
        var bad = session("2222000000000002")
        bad.insert(event("2222000000000002", "exec_allowed", 2, pid: 12, [("path", .string("/tmp/dropper"))]), at: 3)
        bad.insert(event("2222000000000002", "exfiltration", 3, [("destination", .string("evil.example:80")), ("channel", .string("http")),
                                                                 ("stands_for", .string("/home/p/.ssh/id_rsa")), ("closed", .bool(true))]), at: 4)
        try store.importTrail(write("2.jsonl", bad))
        let locked = try XCTUnwrap(try store.standing(game: "steam:620"))
        XCTAssertEqual(locked.score, 8, "−40 and −2 for the new program")
        XCTAssertEqual(locked.tier, .red)
        XCTAssertEqual(locked.pinReason, "an exfiltration to evil.example:80")
        XCTAssertEqual(locked.baselinePrograms, ["/usr/bin/wine"])
        XCTAssertEqual(locked.noticedPrograms, ["/tmp/dropper"])
        let peeked = try XCTUnwrap(try EventStore.peekStanding(path: dir + "/ww.db", game: "steam:620"))
        XCTAssertTrue(TrustPolicy.tier(standing: peeked, profilePin: nil, defaultTier: .green).reason.contains("exfiltration"))
        let reasons = try XCTUnwrap(try store.trustHistory(game: "steam:620").first?.reasons.map(\.why))
        XCTAssertTrue(reasons.contains("exfiltration: a canary token was sent to evil.example:80"), "\(reasons)")
        let change = try store.pin(game: "steam:620", tier: nil, time: 3)
        XCTAssertEqual(change.reasons.map(\.why), ["unpinned by the player: the score decides the tier again; lifts the red tier after an exfiltration to evil.example:80"])
        let lifted = try XCTUnwrap(try store.standing(game: "steam:620"))
        XCTAssertNil(lifted.pinned)
        XCTAssertNil(lifted.pinReason)
        XCTAssertEqual(lifted.noticedPrograms, ["/tmp/dropper"])
    }
}
