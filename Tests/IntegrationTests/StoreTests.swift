import Foundation
import Glibc
import XCTest

/// Issue 5 with real sessions as the test user: the event database, `ww events`, `ww trust`, the
/// tier at launch, file activity.
final class StoreTests: XCTestCase {
    let sb = Sandbox.shared

    func json(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    func trust(_ game: String, home: FakeHome, env: [String: String] = [:]) throws -> [String: Any] {
        let r = try sb.ww(["trust", "show", game, "--json"], home: home, env: env)
        XCTAssertEqual(r.status, 0, r.output)
        return json(r.stdout).first?["trust"] as? [String: Any] ?? [:]
    }

    func sessionID(_ stderr: String) -> String? {
        guard let range = stderr.range(of: "session ") else { return nil }
        return String(stderr[range.upperBound...].prefix(16))
    }

    /// A program named like a blocked pattern: each run of it is a refused exec.
    func blockedProgram() throws -> (dir: String, profile: String) {
        (try sb.blockedProgram(), try sb.profile("[process]\nblocked_patterns = [\"*nc*\"]\n"))
    }

    // MARK: file activity

    func testExecutablesWrittenIntoThePrefixAndTheGameFolderAreRecorded() throws {
        let home = try sb.makeHome()
        let prefix = try sb.userFolder("prefix"), game = try sb.userFolder("game")
        let script = "sleep 0.3; echo MZ > \"$WINEPREFIX/evil.dll\"; echo '@echo off' > \(game)/run.bat; echo notes > \(game)/notes.txt; echo MZ > /tmp/untouched.dat"
        let r = try sb.ww(["--rw", prefix, "--rw", game, "--", "/bin/sh", "-c", script], home: home, env: ["WINEPREFIX": prefix])
        XCTAssertEqual(r.status, 0, r.output)
        let session = try XCTUnwrap(sessionID(r.stderr), r.output)
        let q = try sb.ww(["events", "--session", session, "--kind", "file_written", "--json"], home: home)
        XCTAssertEqual(q.status, 0, q.output)
        let written = json(q.stdout)
        XCTAssertEqual(Set(written.compactMap { $0["path"] as? String }), [prefix + "/evil.dll", game + "/run.bat"], q.stdout)
        XCTAssertEqual(written.count, 2, "one event each; notes.txt is neither executable nor script\n\(q.stdout)")
        XCTAssertEqual(Set(written.compactMap { $0["change"] as? String }), ["created"])
        // They count in the game's trust: -2 each.
        let game_id = try XCTUnwrap(written.first?["game"] as? String)
        XCTAssertEqual(try trust(game_id, home: home)["score"] as? Int, 46)
    }

    /// 100,000 files in 1,000 folders: every folder is watched, a drop deep inside is seen; with a
    /// watch budget smaller than the tree the launch goes on and says how much is not watched.
    func testAHundredThousandFilesNeitherStopTheLaunchNorExhaustWatches() throws {
        let home = try sb.makeHome()
        let game = try sb.userFolder("bigtree")
        let made = try Sandbox.run("/usr/bin/python3", ["-c", """
            import os, sys
            root = sys.argv[1]
            for d in range(1000):
                p = os.path.join(root, "d%03d" % d)
                os.mkdir(p)
                for f in range(100):
                    open(os.path.join(p, "f%03d.dat" % f), "w").close()
            """, game], timeout: 300)
        XCTAssertEqual(made.status, 0, made.output)
        sb.chownTree(game)
        _ = try Sandbox.run("/bin/chown", ["-R", "\(sb.uid):\(sb.gid)", game])
        let log = sb.logPath()
        let r = try sb.ww(["--rw", game, "--log", log, "--", "/bin/sh", "-c", "sleep 1; echo x > \(game)/d999/late.exe; true"], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        let events = sb.events(log)
        let status = try XCTUnwrap(events.first { $0["kind"] as? String == "file_watch_status" }, "\(events)")
        XCTAssertGreaterThanOrEqual(status["watches"] as? Int ?? 0, 1001, "every folder of the tree: \(status)")
        XCTAssertEqual(status["folders_not_watched"] as? Int, 0)
        XCTAssertEqual(events.filter { $0["kind"] as? String == "file_written" }.compactMap { $0["path"] as? String }, [game + "/d999/late.exe"])
        // The inotify watches of the user are not used up: another program still gets one.
        let inotify = try sb.asUser("/usr/bin/python3", ["-c", "import ctypes; l=ctypes.CDLL(None); fd=l.inotify_init(); print(l.inotify_add_watch(fd, b'/tmp', 2))"],
                                    env: ["PATH": "/usr/bin:/bin"], cwd: "/")
        XCTAssertEqual(inotify.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "1", inotify.output)

        // A budget of 100 watches: the tree is bigger; the launch still works, the trail says so.
        // The game waits (up to 60 s) until the watcher reported, so the walk is not cut short by the end.
        let small = sb.logPath()
        let wait = "i=0; while ! grep -q file_watch_status \(small) && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done"
        let s = try sb.ww(["--rw", game, "--ro", (small as NSString).deletingLastPathComponent, "--log", small, "--", "/bin/sh", "-c", wait], home: home, env: ["WW_TEST_FILE_WATCHES": "100"])
        XCTAssertEqual(s.status, 0, s.output)
        let limited = try XCTUnwrap(sb.events(small).first { $0["kind"] as? String == "file_watch_status" })
        XCTAssertEqual(limited["watches"] as? Int, 100, "\(limited)")
        XCTAssertGreaterThan(limited["folders_not_watched"] as? Int ?? 0, 900, "\(limited)")
        XCTAssertNotNil(sb.events(small).first { $0["kind"] as? String == "file_written_suppressed" }, "the trail says what was not watched")
        // A session the file audit did not fully see is not a clean run for the trust score.
        let gameID = try XCTUnwrap(sb.events(small).first?["game"] as? String)
        let standing = try trust(gameID, home: home)
        XCTAssertEqual(standing["clean_runs"] as? Int, 0, "\(standing)")
        let change = try sb.ww(["trust", "show", gameID], home: home)
        XCTAssertTrue(change.stdout.contains("file audit incomplete"), change.output)
    }

    // MARK: database, events, trust

    func testTwoSessionsAtOnceAreBothCompleteInTheDatabase() throws {
        let home = try sb.makeHome()
        let (dir, blocked) = try blockedProgram()
        var env = sb.wwEnvironment(home: home)
        env["WW_PROFILE_PATH"] = sb.profilesDir
        var logs: [String] = []
        var pids: [Int32] = []
        for i in 0..<2 {
            let log = sb.logPath()
            logs.append(log)
            // Each session refuses its program 5 times, spread over two seconds, while the other runs.
            let script = "for n in 1 2 3 4 5; do \(dir)/ncat; sleep 0.4; done; echo done\(i)"
            pids.append(try sb.backgroundAsUser(sb.wwBinary, ["--profile", blocked, "--ro", dir, "--log", log, "--", "/bin/sh", "-c", script], env: env))
        }
        for pid in pids {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            XCTAssertEqual(status, 0)
        }
        let sessions = logs.map { Set(sb.events($0).compactMap { $0["session"] as? String }) }
        XCTAssertEqual(sessions.map(\.count), [1, 1])
        let ids = sessions.map { $0.first! }
        for (id, log) in zip(ids, logs) {
            let q = try sb.ww(["events", "--session", id, "--json"], home: home)
            XCTAssertEqual(q.status, 0, q.output)
            let trailLines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
            XCTAssertEqual(q.stdout.split(separator: "\n").map(String.init), trailLines, "the database has every line of \(id), once, in order")
            XCTAssertEqual(json(q.stdout).filter { $0["kind"] as? String == "exec_refused" }.count, 5)
        }
        // The table shows both.
        let table = try sb.ww(["events", "--kind", "session_end"], home: home)
        for id in ids { XCTAssertTrue(table.stdout.contains(String(id.prefix(8))), table.stdout) }
    }

    func testTrustMovesWithRefusalsAndCleanRunsAndTheTierRulesTheNextLaunch() throws {
        let home = try sb.makeHome()
        let (dir, blocked) = try blockedProgram()
        // One clean run promotes (so the clean run's effect shows in one step).
        let config = home.path + "/.config/winewarden"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try "[trust]\npromotion_after_runs = 1\n".write(toFile: config + "/config.toml", atomically: true, encoding: .utf8)
        sb.chownTree(home.path + "/.config/winewarden/config.toml")
        _ = try Sandbox.run("/bin/chown", ["-R", "\(sb.uid):\(sb.gid)", home.path + "/.config"])
        let run = ["--profile", blocked, "--ro", dir, "--"]
        // The game: a script in its own folder (one game id for every run).
        let game = try sb.userFolder("trustgame")
        let launcher = game + "/game.sh"
        try "#!/bin/sh\nif [ \"$1\" = bad ]; then \(dir)/ncat; \(dir)/ncat; \(dir)/ncat; fi\nsed 1,2d /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ' '; echo\n".write(toFile: launcher, atomically: true, encoding: .utf8)
        chmod(launcher, 0o755)
        sb.chownTree(launcher)

        let bad = try sb.ww(run + [launcher, "bad"], home: home)
        XCTAssertEqual(bad.status, 0, bad.output)
        XCTAssertTrue(bad.stderr.contains("→ 20 (red)"), "ww says how trust moved\n\(bad.stderr)")
        let list = try sb.ww(["trust", "list", "--json"], home: home)
        let gameID = try XCTUnwrap(json(list.stdout).first?["game"] as? String, list.output)
        var t = try trust(gameID, home: home)
        XCTAssertEqual(t["score"] as? Int, 20)
        XCTAssertEqual(t["tier"] as? String, "red")
        let show = try sb.ww(["trust", "show", gameID], home: home)
        XCTAssertTrue(show.stdout.contains("50 → 20 (-30)"), show.stdout)
        XCTAssertTrue(show.stdout.contains("3 × refused program (sensitive access)"), show.stdout)

        // Red: a profile asking for the full network gets none, and shells are refused.
        let full = try sb.profile("[network]\nmode = \"full\"\n[process]\nblocked_patterns = [\"*nc*\"]\nallow_shell_execution = true\n")
        let redRun = try sb.ww(["--profile", full, "--ro", dir, "--", launcher], home: home)
        XCTAssertEqual(redRun.status, 0, redRun.output)
        XCTAssertEqual(redRun.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "lo", "network off: only loopback\n\(redRun.output)")
        XCTAssertTrue(redRun.stderr.contains("trust tier red (score 20): network full becomes off"), redRun.stderr)
        // That clean run promoted it to the lowest yellow score.
        t = try trust(gameID, home: home)
        XCTAssertEqual(t["score"] as? Int, 30, "\(t)")
        XCTAssertEqual(t["tier"] as? String, "yellow")

        // Pinned green by the player: the profile runs as written (the host's interfaces are there).
        XCTAssertEqual(try sb.ww(["trust", "set", gameID, "green"], home: home).status, 0)
        let greenRun = try sb.ww(["--profile", full, "--ro", dir, "--", launcher], home: home)
        XCTAssertNotEqual(greenRun.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "lo", greenRun.output)
        let reset = try sb.ww(["trust", "reset", gameID, "--json"], home: home)
        XCTAssertEqual(json(reset.stdout).first?["after"] as? Int, 50, reset.output)
        XCTAssertEqual(try trust(gameID, home: home)["pinned"] as? String, nil)
        XCTAssertEqual(try sb.ww(["trust", "show", "steam:0"], home: home).status, 125, "an unknown game: ww refuses")
    }

    /// ww SIGKILLed mid-session: the next `ww events` imports the rest; nothing lost, nothing twice.
    func testASessionWhoseWardenWasKilledIsImportedOnceByTheNextRun() throws {
        let home = try sb.makeHome()
        let log = sb.logPath()
        let (dir, blocked) = try blockedProgram()
        let env = sb.wwEnvironment(home: home)
        let pid = try sb.backgroundAsUser(sb.wwBinary, ["--profile", blocked, "--ro", dir, "--log", log, "--", "/bin/sh", "-c", "\(dir)/ncat; sleep 30"], env: env)
        var waited = 0
        while !(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("exec_refused")) && waited < 100 { usleep(100_000); waited += 1 }
        // The session's own writer has imported part of it: poll the database for its events.
        let running = try XCTUnwrap(sb.events(log).first?["session"] as? String)
        let db = home.path + "/.local/share/winewarden/winewarden.db"
        let imported = Date().addingTimeInterval(20)
        func importedCount() -> Int {
            let q = try? Sandbox.run("/usr/bin/python3", ["-c", "import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True, timeout=5); print(c.execute('SELECT count(*) FROM events WHERE session=?', (sys.argv[2],)).fetchone()[0])", db, running])
            return Int(q?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        }
        while importedCount() == 0 && Date() < imported { usleep(50_000) }
        XCTAssertGreaterThan(importedCount(), 0, "the running session's events reach the database while it runs")
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertFalse(lines.contains { $0.contains("session_end") }, "killed before its end")
        let session = try XCTUnwrap(sb.events(log).first?["session"] as? String)
        for _ in 0..<2 {
            let q = try sb.ww(["events", "--session", session, "--json"], home: home)
            XCTAssertEqual(q.status, 0, q.output)
            XCTAssertEqual(q.stdout.split(separator: "\n").map(String.init), lines, "every line, once (asked twice)")
        }
        let game = try XCTUnwrap(sb.events(log).first?["game"] as? String)
        let t = try sb.ww(["trust", "show", game, "--json"], home: home)
        let history = json(t.stdout).first?["history"] as? [[String: Any]] ?? []
        XCTAssertEqual(history.count, 1, "trust applied once for the killed session\n\(t.stdout)")
        XCTAssertEqual(history.first?["after"] as? Int, 40)
    }

    func testANewerDatabaseIsRefusedUntouchedAndTheGameStillRuns() throws {
        let home = try sb.makeHome()
        XCTAssertEqual(try sb.ww(["--", "/bin/true"], home: home).status, 0)
        let db = home.path + "/.local/share/winewarden/winewarden.db"
        XCTAssertTrue(FileManager.default.fileExists(atPath: db))
        let mark = try Sandbox.run("/usr/bin/python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO grdb_migrations VALUES ('v2-future')\"); c.commit()", db])
        XCTAssertEqual(mark.status, 0, mark.output)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let q = try sb.ww(["events"], home: home)
        XCTAssertEqual(q.status, 125, q.output)
        XCTAssertTrue(q.stderr.contains("written by a newer version of ww (schema v2-future)"), q.stderr)
        let game = try sb.ww(["--", "/bin/true"], home: home)
        XCTAssertEqual(game.status, 0, "the trail is the primary record: the game runs\n\(game.output)")
        XCTAssertTrue(game.stderr.contains("the session is not in the event database"), game.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), before, "not one byte changed")
    }

    func testEventsFiltersAndBadInput() throws {
        let home = try sb.makeHome()
        let (dir, blocked) = try blockedProgram()
        XCTAssertEqual(try sb.ww(["--profile", blocked, "--ro", dir, "--", "/bin/sh", "-c", "\(dir)/ncat; true"], home: home).status, 0)
        let refused = try sb.ww(["events", "--kind", "exec_refused", "--since", "1h", "--json"], home: home)
        XCTAssertEqual(json(refused.stdout).count, 1, refused.output)
        XCTAssertEqual(json(try sb.ww(["events", "--kind", "exec_*", "--json"], home: home).stdout).count, 2, "the game allowed, its ncat refused, nothing else")
        XCTAssertEqual(try sb.ww(["events", "--since", "2999-01-01", "--json"], home: home).stdout, "")
        XCTAssertEqual(json(try sb.ww(["events", "--game", "nothing:*", "--json"], home: home).stdout).count, 0)
        let last = try sb.ww(["events", "--last", "1", "--json"], home: home)
        XCTAssertEqual(json(last.stdout).first?["kind"] as? String, "session_end", last.output)
        let bad = try sb.ww(["events", "--since", "yesterday"], home: home)
        XCTAssertEqual(bad.status, 125, bad.output)
        XCTAssertTrue(bad.stderr.contains("--since yesterday: not a time"), bad.stderr)
        // A trail with garbage in it: what parses is imported, the rest named by line.
        let logs = home.path + "/.local/state/winewarden/logs"
        let good = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: logs).first)
        let lines = try String(contentsOfFile: logs + "/" + good, encoding: .utf8).split(separator: "\n")
        let broken = logs + "/20990101T000000Z-broken-ffffffffffffffff.jsonl"
        let text = lines[0].replacingOccurrences(of: "\"session\":\"", with: "\"session\":\"f") + "\nGARBAGE\n" + "{\"ts_ns\":1,"
        try text.write(toFile: broken, atomically: true, encoding: .utf8)
        sb.chownTree(broken)
        let imported = try sb.ww(["events", "--json"], home: home)
        XCTAssertEqual(imported.status, 0, imported.output)
        XCTAssertTrue(imported.stderr.contains("skipped \(broken):2: not a JSON event"), imported.stderr)
        XCTAssertTrue(imported.stderr.contains("skipped \(broken):3: torn last line"), imported.stderr)
    }
}
