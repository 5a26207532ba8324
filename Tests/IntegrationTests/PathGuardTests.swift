import Foundation
import XCTest

/// Issue 17 (renamed parents in a real home, ww's own state) and issue 15's bad input (a decoy the
/// game replaces, deletes or links over), as the test user against the real bwrap: the mounts keep
/// everything in place, and every attempt is an event the player sees.
final class PathGuardTests: XCTestCase {
    let sb = Sandbox.shared
    static let chromeCookies = "PLANTED-CHROME-COOKIES"

    func home() throws -> FakeHome {
        let home = try sb.makeHome()
        let chrome = home.path + "/.config/google-chrome/Default"
        try FileManager.default.createDirectory(atPath: chrome, withIntermediateDirectories: true)
        try Self.chromeCookies.write(toFile: chrome + "/Cookies", atomically: true, encoding: .utf8)
        sb.chownTree(home.path)
        return home
    }

    func kinds(_ log: String, _ kind: String) -> [[String: Any]] { sb.events(log).filter { $0["kind"] as? String == kind } }

    /// Reads every planted secret under every name a rename could have left it at: none may show.
    func assertSecretsHiddenOnTheNextLaunch(_ home: FakeHome, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try sb.ww(["--home", "host", "--", "sh", "-c", """
            cd ~; for d in .config .cfgx; do cat $d/google-chrome/Default/Cookies; done
            for d in .local .lx; do cat $d/share/keyrings/login.keyring; done
            grep -r -h -o -e PLANTED-CHROME-COOKIES -e PLANTED-KEYRING . 2>/dev/null; exit 0
            """], home: home)
        XCTAssertEqual(r.status, 0, r.output, file: file, line: line)
        XCTAssertFalse(r.stdout.contains("PLANTED"), "a secret is readable: \(r.output)", file: file, line: line)
    }

    /// `mv ~/.config ~/.cfgx` refused and an event; the new autostart entry lands in the session copy of
    /// ~/.config/autostart (a persistence_attempt, the real folder untouched), and moving that folder is
    /// refused; on the next launch Chrome's cookies are still hidden under either name.
    func testRenamingConfigInAWritableHomeIsRefusedAndRecorded() throws {
        let home = try home()
        let before = home.snapshot()
        let log = sb.logPath()
        let r = try sb.ww(["--log", log, "--home", "host", "--", "sh", "-c", """
            cd ~; mv .config .cfgx && echo MOVED
            mkdir -p .config/autostart; echo x > .config/autostart/evil.desktop && echo PLANTED-ENTRY
            mv .config/autostart .config/autostart-old && echo MOVED-AUTOSTART
            exit 0
            """], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertFalse(r.stdout.contains("MOVED"), r.output)
        XCTAssertTrue(r.stdout.contains("PLANTED-ENTRY"), "the session copy takes the write: \(r.output)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: home.path + "/.cfgx"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home.autostart), [], "the real autostart folder changed")
        XCTAssertEqual(home.snapshot(), before, "the real autostart folder changed")
        let refused = kinds(log, "path_refused")
        let config = try XCTUnwrap(refused.first { $0["path"] as? String == home.path + "/.config" }, "\(refused)")
        XCTAssertEqual(config["call"] as? String, "rename")
        XCTAssertEqual(config["relation"] as? String, "ancestor")
        XCTAssertEqual(config["to"] as? String, home.path + "/.cfgx")
        XCTAssertTrue((config["protects"] as? [String] ?? []).contains(home.path + "/.config/google-chrome"), "\(config)")
        let persistence = kinds(log, "persistence_attempt")
        XCTAssertTrue(persistence.contains { $0["target"] as? String == home.path + "/.config/autostart" && $0["refused"] as? Bool == true }, "\(persistence)")
        XCTAssertTrue(persistence.contains { $0["target"] as? String == home.path + "/.config/autostart/evil.desktop" && $0["capture"] != nil }, "\(persistence)")
        XCTAssertTrue(r.stderr.contains("protected path kept in place (~/.config)"), r.stderr)
        try assertSecretsHiddenOnTheNextLaunch(home)
    }

    /// `mv ~/.local ~/.lx` refused; the systemd user units land in session copies (persistence_attempt
    /// each, nothing planted in the real home); the keyring still hidden.
    func testRenamingLocalInAWritableHomeIsRefusedAndRecorded() throws {
        let home = try home()
        let log = sb.logPath()
        let r = try sb.ww(["--log", log, "--home", "host", "--", "sh", "-c", """
            cd ~; mv .local .lx && echo MOVED
            mv .local/share .local/sharex && echo MOVED-SHARE
            mkdir -p .local/share/systemd/user .config/systemd/user
            echo '[Service]' > .local/share/systemd/user/evil.service && echo PLANTED-UNIT
            echo '[Service]' > .config/systemd/user/evil.service && echo PLANTED-UNIT
            exit 0
            """], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertFalse(r.stdout.contains("MOVED"), r.output)
        let units = kinds(log, "persistence_attempt").compactMap { $0["target"] as? String }
        for unit in ["/.local/share/systemd/user/evil.service", "/.config/systemd/user/evil.service"] {
            XCTAssertTrue(units.contains(home.path + unit), "\(unit) in \(units)")
        }
        for path in ["/.lx", "/.local/sharex", "/.local/share/systemd/user/evil.service", "/.config/systemd/user/evil.service"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: home.path + path), path)
        }
        let paths = kinds(log, "path_refused").compactMap { $0["path"] as? String }
        XCTAssertTrue(paths.contains(home.path + "/.local") && paths.contains(home.path + "/.local/share"), "\(paths)")
        try assertSecretsHiddenOnTheNextLaunch(home)
    }

    /// The database and the trails: never readable, never writable, in any home mode.
    func testTheGameCannotReadOrWriteTheDatabaseOrATrailInAnyHomeMode() throws {
        for mode in ["virtual", "host-ro", "host"] {
            let home = try home()
            // A first session (default trail place) makes the database and a trail.
            XCTAssertEqual(try sb.ww(["--", "true"], home: home).status, 0)
            let db = home.path + "/.local/share/winewarden/winewarden.db"
            let logs = home.path + "/.local/state/winewarden/logs"
            let trail = logs + "/" + (try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: logs).first))
            let before = try Data(contentsOf: URL(fileURLWithPath: trail))
            let r = try sb.ww(["--home", mode, "--", "sh", "-c", """
                cat \(db) \(trail) 2>/dev/null | head -c 64; ls \(logs) \(home.path)/.config/winewarden 2>/dev/null
                echo x >> \(db) && echo WROTE-DB; echo x >> \(trail) && echo WROTE-TRAIL
                rm -f \(trail) && [ ! -e \(trail) ] && echo REMOVED; exit 0
                """], home: home)
            XCTAssertEqual(r.status, 0, "\(mode): \(r.output)")
            XCTAssertFalse(r.stdout.contains("SQLite format") || r.stdout.contains("session_start") || r.stdout.contains(".jsonl"), "\(mode): \(r.output)")
            // ww itself writes the database; the game's bytes never end it.
            XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: db)).suffix(2), Data("x\n".utf8), mode)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: trail)), before, "\(mode): the trail changed")
            if mode != "virtual" {
                // Over the real home, the writes themselves fail (in a virtual home they land in the game's own copy).
                XCTAssertFalse(r.stdout.contains("WROTE") || r.stdout.contains("REMOVED"), "\(mode): \(r.output)")
            }
        }
    }

    /// Issue 15's bad input: a decoy replaced, removed, moved or linked over, in a virtual and a
    /// read-only home: no host file changes, an event names the decoy.
    func testTamperingWithADecoyChangesNothingAndIsAnEvent() throws {
        for mode in ["virtual", "host-ro"] {
            let home = try home()
            let before = home.snapshot()
            let log = sb.logPath()
            let r = try sb.ww(["--log", log, "--home", mode, "--", "sh", "-c", """
                rm -f ~/.ssh/id_rsa; mv ~/.ssh/id_rsa ~/stolen; ln -sf /etc/passwd ~/.ssh/id_rsa; mv ~/.ssh ~/.ssh-moved; exit 0
                """], home: home)
            XCTAssertEqual(r.status, 0, "\(mode): \(r.output)")
            XCTAssertEqual(home.snapshot(), before, "\(mode): the real files changed")
            let tampered = kinds(log, "decoy_tampered")
            let calls = Set(tampered.filter { $0["path"] as? String == home.sshKey }.compactMap { $0["call"] as? String })
            XCTAssertTrue(calls.isSuperset(of: ["unlink", "rename"]), "\(mode): \(tampered)")
            XCTAssertTrue(tampered.contains { $0["stands_for"] as? String == home.sshKey }, "\(mode): \(tampered)")
            XCTAssertTrue(tampered.contains { $0["path"] as? String == home.path + "/.ssh" && $0["call"] as? String == "rename" }, "\(mode): \(tampered)")
            XCTAssertTrue(tampered.contains { ($0["path"] as? String ?? "").hasPrefix(home.path + "/.ssh/") && $0["call"] as? String == "symlink" }, "\(mode): \(tampered)")
            XCTAssertTrue(r.stderr.contains("tampered with (~/.ssh"), "\(mode): \(r.stderr)")
        }
    }

    /// Twenty short sessions at once with the default trail place, and a twenty-first in the real
    /// home trying to move and delete the trails: every trail stays, every session is in the store.
    func testTwentyConcurrentSessionsLoseNoTrail() throws {
        let home = try home()
        let attack = "cd ~; mv .local/state .local/state-x; mv .local/state/winewarden/logs /tmp/l; rm -rf .local/state/winewarden/logs/*; exit 0"
        // All started at once (a pool of threads would start them two by two): the first ones create
        // the database while the others read the game's standing from it.
        let env = sb.wwEnvironment(home: home)
        let errors = try sb.userFolder("stderr")
        var pids: [Int32] = []
        for i in 0...20 {
            let args = i == 20 ? ["--home", "host", "--", "sh", "-c", attack] : ["--", "sh", "-c", "sleep 0.\(i % 10); echo \(i)"]
            pids.append(try sb.backgroundAsUser("/bin/sh", ["-c", "exec \"$0\" \"$@\" 2>\(errors)/\(i)", sb.wwBinary] + args, env: env))
        }
        for (i, pid) in pids.enumerated() {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            XCTAssertEqual(status, 0, (try? String(contentsOfFile: "\(errors)/\(i)", encoding: .utf8)) ?? "")
        }
        let logs = home.path + "/.local/state/winewarden/logs"
        let trails = try FileManager.default.contentsOfDirectory(atPath: logs).filter { $0.hasSuffix(".jsonl") }
        XCTAssertEqual(trails.count, 21, "\(trails)")
        let sessions = Set(trails.compactMap { sb.events(logs + "/" + $0).first?["session"] as? String })
        XCTAssertEqual(sessions.count, 21)
        let q = try sb.ww(["events", "--kind", "session_end", "--json"], home: home)
        XCTAssertEqual(q.status, 0, q.output)
        let ended = Set(q.stdout.split(separator: "\n").compactMap { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["session"] as? String
        })
        XCTAssertEqual(ended, sessions, "every session complete in the store")
        XCTAssertFalse(FileManager.default.fileExists(atPath: home.path + "/.local/state-x"))
    }

    /// The same calls through the i386 entry point (`int 0x80`, what 32-bit Wine uses) are seen too.
    func testThe32BitEntryPointIsWatchedToo() throws {
        let dir = try sb.userFolder("int80")
        let source = dir + "/rename32.c"
        try """
            #include <stdio.h>
            #include <stdint.h>
            #include <string.h>
            #include <stdlib.h>
            #include <sys/mman.h>
            /* rename(argv[1], argv[2]) and unlink(argv[3]) as i386 syscalls (38, 10), strings below 4 GiB. */
            static int int80(uint32_t nr, uint32_t a, uint32_t b) {
                uint64_t rax = nr;
                __asm__ volatile("int $0x80" : "+a"(rax) : "b"((uint64_t)a), "c"((uint64_t)b) : "memory", "cc", "r8", "r9", "r10", "r11");
                return (int)(uint32_t)rax;
            }
            int main(int argc, char **argv) {
                char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
                if (p == MAP_FAILED || argc < 4) return 2;
                strcpy(p, argv[1]); strcpy(p + 1024, argv[2]); strcpy(p + 2048, argv[3]);
                printf("rename %d\\n", int80(38, (uint32_t)(uintptr_t)p, (uint32_t)(uintptr_t)(p + 1024)));
                printf("unlink %d\\n", int80(10, (uint32_t)(uintptr_t)(p + 2048), 0));
                return 0;
            }
            """.write(toFile: source, atomically: true, encoding: .utf8)
        let built = try Sandbox.run("/usr/bin/env", ["cc", "-O1", "-o", dir + "/rename32", source])
        guard built.status == 0 else { throw Skip.unexpected("cannot build a probe with cc: \(built.output)") }
        _ = try Sandbox.run("/bin/chmod", ["-R", "a+rX", dir])
        let home = try home()
        let before = home.snapshot()
        let log = sb.logPath()
        let r = try sb.ww(["--log", log, "--ro", dir, "--", dir + "/rename32", home.path + "/.ssh", home.path + "/.ssh-moved", home.sshKey], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("rename -16"), r.output)   // EBUSY, as the mount point would answer
        XCTAssertTrue(r.stdout.contains("unlink -30"), r.output)   // EROFS
        XCTAssertEqual(home.snapshot(), before)
        let calls = kinds(log, "decoy_tampered").compactMap { $0["call"] as? String }
        XCTAssertEqual(Set(calls), ["rename", "unlink"], "\(kinds(log, "decoy_tampered"))")
    }
}
