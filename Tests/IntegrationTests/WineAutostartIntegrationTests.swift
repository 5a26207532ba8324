import Foundation
import XCTest

/// Wine autostart under real Wine and bwrap: a `Run` value added with `wine reg add` or by a Windows
/// program (`Tests/probes/autostart.c`, `RegSetValueExW`), and a file dropped into the prefix's Startup
/// folder, are `persistence_attempt` events and are gone before the next start; with `keep_autostart = true`, or while a wineserver on the host still serves the
/// prefix, they stay and the event says why. One prefix for every step (making it is the slow part).
final class WineAutostartIntegrationTests: XCTestCase {
    let sb = Sandbox.shared
    static let run = #"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"#
    static let startup = #"drive_c/users/*/AppData/Roaming/Microsoft/Windows/"Start Menu"/Programs/StartUp"#

    func persistence(_ log: String) -> [[String: Any]] {
        sb.events(log).filter { $0["kind"] as? String == "persistence_attempt" }
    }

    /// `Tests/probes/autostart.c` built with mingw into a folder of its own (the game's folder inside ww).
    func probe() throws -> String {
        let dir = sb.root + "/autostart"
        let exe = dir + "/autostart.exe"
        if !FileManager.default.fileExists(atPath: exe) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let r = try Sandbox.run("/usr/bin/env", ["x86_64-w64-mingw32-gcc", "-municode", "-O1", "-o", exe,
                                                     Sandbox.packageRoot + "/Tests/probes/autostart.c", "-lshell32", "-ladvapi32"])
            guard r.status == 0 else { throw Skip.unexpected("cannot build Tests/probes/autostart.c (install gcc-mingw-w64-x86-64): \(r.output)") }
            sb.chownTree(dir)
        }
        return exe
    }

    func userReg(_ prefix: String) -> String { (try? String(contentsOfFile: prefix + "/user.reg", encoding: .utf8)) ?? "<missing>" }

    func testAutostartAddedInsideIsRecordedAndRemovedUnlessKept() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wine") else { throw Skip.unexpected("wine is not installed (apt-get install wine wine64)") }
        let home = try sb.makeHome()
        // A WINEPREFIX that does not exist yet: the wine profile creates it, as plain Wine would.
        let prefix = home.path + "/prefixes/new"
        try FileManager.default.createDirectory(atPath: home.path + "/prefixes", withIntermediateDirectories: true)
        sb.chownTree(home.path)
        let env = ["WINEPREFIX": prefix, "WINEDEBUG": "-all"]

        // 1. A new prefix; the session adds a Run value and drops a batch file into the Startup folder.
        let log = sb.logPath()
        let first = try sb.ww(["--log", log, "-p", "wine", "--", "/bin/sh", "-c", """
            set -e
            wine reg add '\(Self.run)' /v Evil /d 'C:\\evil.exe --quiet' /f
            for d in "$WINEPREFIX"/\(Self.startup); do printf '@echo evil\\r\\n' > "$d/evil.bat"; done
            """], home: home, env: env, timeout: 180)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: prefix + "/system.reg"), "the new prefix was made: \(first.output)")
        let events = persistence(log)
        XCTAssertEqual(events.count, 2, "\(events)\n\(first.output)")
        let runEvent = events.first { $0["mechanism"] as? String == "wine-run-key" } ?? [:]
        XCTAssertEqual(runEvent["target"] as? String, Self.run)
        XCTAssertEqual(runEvent["value"] as? String, "Evil")
        XCTAssertEqual(runEvent["command"] as? String, #"C:\evil.exe --quiet"#)
        XCTAssertEqual(runEvent["removed"] as? Bool, true, "\(runEvent)")
        let fileEvent = events.first { $0["mechanism"] as? String == "wine-startup-folder" } ?? [:]
        XCTAssertTrue((fileEvent["target"] as? String)?.hasSuffix(#"\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\StartUp\evil.bat"#) == true, "\(fileEvent)")
        XCTAssertEqual(fileEvent["removed"] as? Bool, true, "\(fileEvent)")
        XCTAssertTrue(userReg(prefix).hasPrefix("WINE REGISTRY Version 2"))
        XCTAssertFalse(userReg(prefix).contains("evil.exe"), "the value is still in user.reg")
        let users = (try? FileManager.default.contentsOfDirectory(atPath: prefix + "/drive_c/users")) ?? []
        for u in users {
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(prefix)/drive_c/users/\(u)/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/StartUp/evil.bat"))
        }
        let shown = try sb.ww(["events", "--kind", "persistence_attempt"], home: home)
        XCTAssertTrue(shown.stdout.contains("value=Evil"), shown.output)

        // 2. The next start: Wine inside finds nothing under Run, and nothing new is recorded.
        let log2 = sb.logPath()
        let query = try sb.ww(["--log", log2, "-p", "wine", "--", "wine", "reg", "query", Self.run], home: home, env: env, timeout: 120)
        XCTAssertFalse(query.stdout.contains("Evil"), query.output)
        XCTAssertEqual(persistence(log2).count, 0)

        // 3. A Windows program sets a Run value with RegSetValueExW and writes into CSIDL_STARTUP.
        let exe = try probe()
        let logProbe = sb.logPath()
        let dropped = try sb.ww(["--log", logProbe, "-p", "wine", "--", "wine", exe, "Probe", #"C:\probe.exe /q"#, "probe.bat"], home: home, env: env, timeout: 120)
        let planted = Sandbox.probeResults(dropped.stdout)
        XCTAssertTrue(planted["run_key"]?.hasPrefix("OK") == true && planted["startup_file"]?.hasPrefix("OK") == true, dropped.output)
        let probeEvents = persistence(logProbe)
        XCTAssertEqual(probeEvents.map { $0["mechanism"] as? String }, ["wine-run-key", "wine-startup-folder"], "\(probeEvents)")
        XCTAssertEqual(probeEvents.first?["value"] as? String, "Probe")
        XCTAssertEqual(probeEvents.first?["command"] as? String, #"C:\probe.exe /q"#)
        XCTAssertEqual(probeEvents.map { $0["removed"] as? Bool }, [true, true])
        XCTAssertFalse(userReg(prefix).contains("probe.exe"))

        // 3b. ww killed (SIGKILL) after the game added a Run value: the next session of the prefix finds
        // the killed one's journal, records the value and removes it before its own game starts.
        let marker = prefix + "/killed-session-ready"
        let logKilled = sb.logPath()
        let script = "wine reg add '\(Self.run)' /v Killed /d 'C:\\killed.exe' /f && wineserver -w && touch \"$WINEPREFIX/killed-session-ready\" && sleep 120"
        let command = ([sb.wwBinary, "--log", logKilled, "-p", "wine", "--", "/bin/sh", "-c", script]).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let killed = try sb.backgroundAsUser("/bin/sh", ["-c", "cd '\(home.path)' && exec " + command.joined(separator: " ")], env: sb.wwEnvironment(home: home, env))
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: marker) && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker), "the session never got ready: \(sb.events(logKilled))")
        XCTAssertTrue(userReg(prefix).contains("killed.exe"), "Wine saved the value")
        kill(killed, SIGKILL)
        var killedStatus: Int32 = 0
        waitpid(killed, &killedStatus, 0)
        try? FileManager.default.removeItem(atPath: marker)
        let logNext = sb.logPath()
        let next = try sb.ww(["--log", logNext, "-p", "wine", "--", "wine", "reg", "query", Self.run], home: home, env: env, timeout: 120)
        XCTAssertFalse(next.stdout.contains("Killed"), "the killed session's value reached the next start: \(next.output)")
        let recovered = persistence(logNext)
        XCTAssertEqual(recovered.map { $0["value"] as? String }, ["Killed"], "\(recovered)")
        XCTAssertEqual(recovered.first?["found"] as? String, "left by a session that did not end")
        XCTAssertEqual(recovered.first?["removed"] as? Bool, true)
        XCTAssertFalse(userReg(prefix).contains("killed.exe"))

        // 4. keep_autostart = true: the value stays and the event says so.
        let keep = try sb.profile("[filesystem]\nread_write = [\"${WINEPREFIX}\"]\n[wine]\nkeep_autostart = true\n")
        let log3 = sb.logPath()
        _ = try sb.ww(["--log", log3, "-p", keep, "--", "wine", "reg", "add", Self.run, "/v", "Kept", "/d", #"C:\kept.exe"#, "/f"], home: home, env: env, timeout: 120)
        let kept = persistence(log3)
        XCTAssertEqual(kept.map { $0["value"] as? String }, ["Kept"])
        XCTAssertEqual(kept.first?["removed"] as? Bool, false)
        XCTAssertTrue((kept.first?["note"] as? String)?.contains("keep_autostart = true") == true, "\(kept)")
        XCTAssertTrue(userReg(prefix).contains(#""Kept"="C:\\kept.exe""#))

        // 5. A wineserver on the host serves the prefix: nothing is changed.
        let hostEnv = ["HOME": home.path, "PATH": "/usr/bin:/bin", "WINEPREFIX": prefix, "WINEDEBUG": "-all"]
        let server = try sb.backgroundAsUser("/usr/bin/wineserver", ["-p", "-f"], env: hostEnv)
        defer {
            kill(server, SIGKILL)
            var status: Int32 = 0
            waitpid(server, &status, 0)
            // Debian's Wine names its socket folder in the prefix (/tmp/wine-XXXXXX): the host's one goes too.
            if let name = try? String(contentsOfFile: prefix + "/wineserver", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
               name.hasPrefix("wine-"), !name.contains("/") {
                try? FileManager.default.removeItem(atPath: "/tmp/" + name)
            }
        }
        usleep(500_000)
        let log4 = sb.logPath()
        _ = try sb.ww(["--log", log4, "-p", "wine", "--", "wine", "reg", "add", Self.run, "/v", "Held", "/d", #"C:\held.exe"#, "/f"], home: home, env: env, timeout: 120)
        let held = persistence(log4)
        XCTAssertEqual(held.map { $0["value"] as? String }, ["Held"])
        XCTAssertEqual(held.first?["removed"] as? Bool, false)
        XCTAssertTrue((held.first?["note"] as? String)?.contains("wineserver") == true, "\(held)")
        XCTAssertTrue(userReg(prefix).contains("held.exe"))
    }
}
