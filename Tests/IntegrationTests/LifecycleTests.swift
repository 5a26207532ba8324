import XCTest

/// Exit statuses, signals, per-game homes: the sandbox behaves like the game it wraps.
final class LifecycleTests: XCTestCase {
    let sb = Sandbox.shared

    func testExitStatusPropagates() throws {
        let home = try sb.makeHome()
        XCTAssertEqual(try sb.ww(["--", "true"], home: home).status, 0)
        XCTAssertEqual(try sb.ww(["--", "sh", "-c", "exit 7"], home: home).status, 7)
        XCTAssertEqual(try sb.ww(["--", "sh", "-c", "kill -TERM $$"], home: home).status, 128 + 15)
        let missing = try sb.ww(["--", "no-such-command-xyz"], home: home)
        XCTAssertEqual(missing.status, 127, missing.output)
        XCTAssertTrue(missing.stderr.contains("command not found"), missing.output)
    }

    func testCommandHiddenInsideTheSandboxIs127() throws {
        // Exists on the host, but lives in a hidden folder (~/.ssh) the sandbox never shows.
        let home = try sb.makeHome()
        let script = home.path + "/.ssh/tool.sh"
        try "#!/bin/sh\necho RAN\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        sb.chownTree(home.path)
        let r = try sb.ww(["--", script], home: home)
        XCTAssertEqual(r.status, 127, r.output)
        XCTAssertFalse(r.stdout.contains("RAN"))
    }

    func testNotExecutableIs126() throws {
        let home = try sb.makeHome()
        let file = home.path + "/not-a-program"
        try "echo hi\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o644)
        sb.chownTree(home.path)
        let r = try sb.ww(["--", file], home: home)
        XCTAssertEqual(r.status, 126, r.output)
    }

    func testVirtualHomePersistsPerGameAndDiffersBetweenGames() throws {
        let home = try sb.makeHome()
        let gameA = ["SteamAppId": "1111"], gameB = ["SteamAppId": "2222"]
        XCTAssertEqual(try sb.ww(["--", "sh", "-c", "echo saved-by-A > ~/save.txt"], home: home, env: gameA).status, 0)
        let again = try sb.ww(["--", "cat", home.path + "/save.txt"], home: home, env: gameA)
        XCTAssertEqual(again.stdout, "saved-by-A\n", again.output)
        let other = try sb.ww(["--", "cat", home.path + "/save.txt"], home: home, env: gameB)
        XCTAssertNotEqual(other.status, 0, other.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: home.path + "/save.txt"), "the save must land in the virtual home, not the real one")
        let saved = home.path + "/.local/share/winewarden/virtual/steam:1111/home/save.txt"
        XCTAssertEqual(try? String(contentsOfFile: saved, encoding: .utf8), "saved-by-A\n")
    }

    func testSigtermEndsTheGameAndLeavesNothingBehind() throws {
        let home = try sb.makeHome()
        let marker = "7\(Int.random(in: 100_000...999_999)).5"
        let env = ["HOME": home.path, "PATH": "/usr/bin:/bin", "WW_PROFILE_PATH": sb.profilesDir]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: sb.isRoot ? "/usr/bin/setpriv" : "/usr/bin/env")
        let inner = ["/usr/bin/env", "-i"] + env.keys.sorted().map { "\($0)=\(env[$0]!)" } + [sb.wwBinary, "--", "sh", "-c", "sleep \(marker); echo not-reached"]
        p.arguments = sb.isRoot ? ["--reuid=\(sb.uid)", "--regid=\(sb.gid)", "--clear-groups", "--"] + inner : Array(inner.dropFirst())
        p.currentDirectoryURL = URL(fileURLWithPath: home.path)
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        // Wait for the game's sleep to exist, then SIGTERM the outermost process (ww, or setpriv which execs it).
        let deadline = Date().addingTimeInterval(20)
        while try Sandbox.run("/usr/bin/pgrep", ["-f", "^sleep \(marker)"]).status != 0 {
            XCTAssertLessThan(Date(), deadline, "the sandboxed sleep never started")
            if Date() > deadline { return }
            usleep(20_000)
        }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 128 + 15)
        // The sandbox's processes die with it (the pid namespace's init is gone): poll for that.
        var left = try Sandbox.run("/usr/bin/pgrep", ["-f", marker])
        let gone = Date().addingTimeInterval(10)
        while left.status == 0 && Date() < gone {
            usleep(20_000)
            left = try Sandbox.run("/usr/bin/pgrep", ["-f", marker])
        }
        XCTAssertNotEqual(left.status, 0, "processes left behind: \(left.stdout)")
    }
}
