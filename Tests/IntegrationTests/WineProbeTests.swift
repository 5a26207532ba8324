import XCTest

/// A Windows "credential stealer" built with mingw, run by real Wine inside ww: it cannot reach the
/// planted secrets through Z:\, cannot plant persistence, and its exit code comes back.
final class WineProbeTests: XCTestCase {
    let sb = Sandbox.shared

    /// Builds demo/probe.c into the test folder; skips when mingw or wine is not installed.
    func probe() throws -> String {
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

    func lines(_ output: String) -> [String: String] { Sandbox.probeResults(output) }

    func testProbeStealsWithoutTheSandbox() throws {
        // The control: plain Wine as the same user reads the planted key, so the next test can fail.
        let exe = try probe()
        let home = try sb.makeHome()
        let prefix = home.path + "/control-prefix"
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        sb.chownTree(home.path)
        let r = try sb.asUser("/usr/bin/wine", [exe, "--only", "ssh_key"], env: [
            "HOME": home.path, "PATH": "/usr/bin:/bin", "WINEPREFIX": prefix, "WINEDEBUG": "-all",
            "WINEDLLOVERRIDES": "mscoree,mshtml=;winemenubuilder.exe=d"], cwd: home.path, timeout: 180)
        let got = lines(r.stdout)
        XCTAssertEqual(got["done"] != nil || r.stdout.contains("PROBE done"), true, r.output)
        XCTAssertTrue(got["ssh_key"]?.hasPrefix("OK") == true, r.output)
    }

    func testProbeUnderWineInsideWWIsBlockedAndItsExitCodeComesBack() throws {
        let exe = try probe()
        let home = try sb.makeHome()
        let before = home.snapshot()
        let log = sb.logPath()
        let r = try sb.ww(["--log", log, "--", "wine", exe, "--exit", "7"], home: home, timeout: 240)
        XCTAssertEqual(r.status, 7, r.output)
        XCTAssertTrue(r.stdout.contains("PROBE done"), r.output)
        let got = lines(r.stdout)
        XCTAssertTrue(got["shadow"]?.hasPrefix("BLOCKED") == true, "shadow: \(got["shadow"] ?? "missing")\n\(r.output)")
        // In the virtual home .bashrc and autostart are the game's copies: the writes land there, each is a
        // persistence_attempt, and both are put back at the end.
        let attempts = sb.events(log).filter { $0["kind"] as? String == "persistence_attempt" }
        for (check, target) in [("bashrc", home.bashrcFile), ("autostart", home.autostart + "/")] {
            XCTAssertTrue(got[check]?.hasPrefix("OK") == true, "\(check): \(got[check] ?? "missing")\n\(r.output)")
            XCTAssertTrue(attempts.contains { ($0["target"] as? String ?? "").hasPrefix(target) && $0["removed"] as? Bool == true }, "\(check): \(attempts)")
        }
        // The secrets it reads through Z: are decoys (their first lines), and each read is an event.
        XCTAssertEqual(got["ssh_key"], "OK -----BEGIN OPENSSH PRIVATE KEY-----", r.output)
        XCTAssertEqual(got["aws_credentials"], "OK [default]", r.output)
        XCTAssertTrue(got["firefox_cookies"]?.hasPrefix("OK SQLite format 3") == true, r.output)
        XCTAssertFalse(r.output.contains("PLANTED"), r.output)
        let touched = sb.events(log).filter { $0["kind"] as? String == "secret_touched" }.compactMap { $0["path"] as? String }
        XCTAssertTrue(touched.contains(home.sshKey) && touched.contains(home.awsCredentials), "\(touched)")
        XCTAssertTrue(touched.contains { $0.hasPrefix(home.path + "/.mozilla/firefox/") && $0.hasSuffix("/cookies.sqlite") }, "\(touched)")
        XCTAssertEqual(home.snapshot(), before, "the real files changed")
        // The prefix Wine created lives in the game's virtual home, not in the real one.
        XCTAssertFalse(FileManager.default.fileExists(atPath: home.path + "/.wine"))
    }

    /// A Windows program reading the key and the AWS credentials through Z:: decoys, two events, trust −20.
    func testAWindowsProgramReadingSecretsGetsDecoysTwoEventsAndLosesTwentyPoints() throws {
        let exe = try probe()
        let home = try sb.makeHome()
        let log = sb.logPath()
        let r = try sb.ww(["--log", log, "--", "wine", exe, "--only", "ssh_key,aws_credentials"], home: home, timeout: 240)
        XCTAssertEqual(r.status, 0, r.output)
        let got = lines(r.stdout)
        XCTAssertEqual(got["ssh_key"], "OK -----BEGIN OPENSSH PRIVATE KEY-----", r.output)
        XCTAssertEqual(got["aws_credentials"], "OK [default]", r.output)
        XCTAssertFalse(r.output.contains("PLANTED"), r.output)
        let touched = sb.events(log).filter { $0["kind"] as? String == "secret_touched" }.compactMap { $0["path"] as? String }
        XCTAssertEqual(touched.sorted(), [home.awsCredentials, home.sshKey].sorted())
        let game = try XCTUnwrap(sb.events(log).first?["game"] as? String)
        let t = try sb.ww(["trust", "show", game, "--json"], home: home)
        let line = t.stdout.split(separator: "\n").first.map { String($0) } ?? ""
        let trust = ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["trust"] as? [String: Any]
        XCTAssertEqual(trust?["score"] as? Int, 30, "50 − 2 × 10, the new prefix costs nothing: \(t.output)")
    }
}
