import Foundation
import XCTest

/// demo/probe.c built with mingw, in the test folder (shared with WineProbeTests).
func demoProbe(_ sb: Sandbox) throws -> String {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wine") else { throw Skip.unexpected("wine is not installed (apt-get install wine wine64)") }
    let dir = sb.root + "/wine"
    let exe = dir + "/probe.exe"
    if !FileManager.default.fileExists(atPath: exe) {
        let r = try Sandbox.run("/bin/sh", [Sandbox.packageRoot + "/demo/build-probe.sh", dir])
        guard r.status == 0 else { throw Skip.unexpected("cannot build the probe: \(r.output)") }
        _ = try Sandbox.run("/bin/chmod", ["-R", "a+rX", dir])
    }
    return exe
}

/// `ww profile new`: create, check, launch with it, refuse to overwrite; from the last session; for a Steam app.
final class ProfileNewTests: XCTestCase {
    let sb = Sandbox.shared

    func testNewProfileRoundTrip() throws {
        let exe = try demoProbe(sb)
        let home = try sb.makeHome()
        let path = home.path + "/.config/winewarden/profiles/mygame.toml"
        let new = try sb.ww(["profile", "new", "mygame", "--exe", exe], home: home)
        XCTAssertEqual(new.status, 0, new.output)
        XCTAssertTrue(new.stdout.contains("wrote \(path) (extends wine)"), new.output)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("extends = \"wine\"") && text.contains("executables = [\"\(exe)\"]"), text)
        XCTAssertTrue(text.hasPrefix("# mygame: written by `ww profile new`"), text)

        let check = try sb.ww(["profile", "check", path], home: home)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertEqual(check.stdout, "\(path): ok\n", check.output)

        // The game gets it by itself.
        let run = try sb.ww(["--verbose", "--", "wine", exe, "--exit", "4"], home: home, timeout: 240)
        XCTAssertEqual(run.status, 4, run.output)
        XCTAssertTrue(run.stderr.contains("with profile mygame (its [match] executable pattern \(exe) matches)"), run.output)
        XCTAssertFalse(run.output.contains("PLANTED"), run.output)

        let refused = try sb.ww(["profile", "new", "mygame", "--exe", exe], home: home)
        XCTAssertEqual(refused.status, 125, refused.output)
        XCTAssertTrue(refused.stderr.contains("\(path) exists") && refused.stderr.contains("--force"), refused.output)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), text)
        let forced = try sb.ww(["profile", "new", "mygame", "--exe", exe, "--force"], home: home)
        XCTAssertEqual(forced.status, 0, forced.output)
        XCTAssertEqual(try String(contentsOfFile: path + ".bak", encoding: .utf8), text)

        // From the newest session: the same program, the shipped profile under the one it used.
        let last = try sb.ww(["profile", "new", "again", "--from-last"], home: home)
        XCTAssertEqual(last.status, 0, last.output)
        let again = try String(contentsOfFile: home.path + "/.config/winewarden/profiles/again.toml", encoding: .utf8)
        XCTAssertTrue(again.contains("extends = \"wine\"") && again.contains("executables = [\"\(exe)\"]"), again)
    }

    func testNewSteamProfileAndBadNames() throws {
        let home = try sb.makeHome()
        let r = try sb.ww(["profile", "new", "steamgame", "--steam-appid", "4815162"], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        let path = home.path + "/.config/winewarden/profiles/steamgame.toml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("extends = \"steam-proton\"") && text.contains("steam_app_ids = [4815162]"), text)
        let shown = try sb.ww(["profile", "show", "steamgame"], home: home)
        XCTAssertEqual(shown.status, 0, shown.output)
        for (args, what) in [(["profile", "new", "../x", "--steam-appid", "1"], "is not a profile name"),
                             (["profile", "new", "default", "--steam-appid", "1"], "shipped profile's name"),
                             (["profile", "new", "nothing"], "say which game"),
                             (["profile", "new", "fresh", "--from-last"], "no session found")] {
            let bad = try sb.ww(args, home: home)
            XCTAssertEqual(bad.status, 125, "\(args)\n\(bad.output)")
            XCTAssertTrue(bad.stderr.contains(what) && bad.stderr.split(separator: "\n").count == 1, "\(args)\n\(bad.output)")
        }
    }
}
