import Foundation
import XCTest

/// `make install` / `make uninstall` into a throwaway PREFIX, with the binary the tests use (INSTALL_BIN),
/// so no release build is needed here.
final class InstallTests: XCTestCase {
    let sb = Sandbox.shared

    static let installed = [
        "bin/ww", "share/bash-completion/completions/ww", "share/zsh/site-functions/_ww",
        "share/fish/vendor_completions.d/ww.fish", "share/man/man1/ww.1", "share/man/man5/ww-profile.5",
        "share/winewarden/profiles/default.toml", "share/winewarden/profiles/wine.toml", "share/winewarden/profiles/offline.toml",
    ]

    func make(_ target: String, prefix: String) throws -> Sandbox.Result {
        try Sandbox.run("/usr/bin/env", ["make", "-s", "-C", Sandbox.packageRoot, target, "PREFIX=\(prefix)", "INSTALL_BIN=\(sb.wwBinary)"])
    }

    func testMakeInstallPutsEverythingInItsPlaceAndUninstallRemovesIt() throws {
        let prefix = sb.root + "/prefix-\(UUID().uuidString.prefix(8))"
        let install = try make("install", prefix: prefix)
        XCTAssertEqual(install.status, 0, install.output)
        let fm = FileManager.default
        for path in Self.installed {
            XCTAssertTrue(fm.fileExists(atPath: prefix + "/" + path), "\(path) not installed")
        }
        let mode = (try fm.attributesOfItem(atPath: prefix + "/bin/ww")[.posixPermissions] as? NSNumber)?.intValue
        XCTAssertEqual(mode, 0o755)
        XCTAssertEqual(fm.contents(atPath: prefix + "/share/man/man1/ww.1"), fm.contents(atPath: Sandbox.packageRoot + "/man/ww.1"))
        XCTAssertEqual(fm.contents(atPath: prefix + "/share/man/man5/ww-profile.5"), fm.contents(atPath: Sandbox.packageRoot + "/man/ww-profile.5"))
        // man finds both pages where they were put.
        for (section, page, file) in [("1", "ww", "man1/ww.1"), ("5", "ww-profile", "man5/ww-profile.5")] {
            let found = try Sandbox.run("/usr/bin/man", ["-M", prefix + "/share/man", "-w", section, page])
            XCTAssertEqual(found.stdout.trimmingCharacters(in: .whitespacesAndNewlines), prefix + "/share/man/" + file, found.output)
        }
        XCTAssertEqual(fm.contents(atPath: prefix + "/share/zsh/site-functions/_ww"), fm.contents(atPath: Sandbox.packageRoot + "/completions/_ww"))

        // The installed ww finds the installed profiles by itself: a player's empty home, no WW_PROFILE_PATH.
        _ = try Sandbox.run("/bin/chmod", ["-R", "a+rX", prefix])
        let home = try sb.makeHome()
        let listed = try sb.asUser(prefix + "/bin/ww", ["profile", "list"], env: ["HOME": home.path, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"], cwd: sb.root)
        XCTAssertEqual(listed.status, 0, listed.output)
        XCTAssertTrue(listed.stdout.contains(prefix + "/share/winewarden/profiles/default.toml"), listed.output)

        let uninstall = try make("uninstall", prefix: prefix)
        XCTAssertEqual(uninstall.status, 0, uninstall.output)
        for path in Self.installed {
            XCTAssertFalse(fm.fileExists(atPath: prefix + "/" + path), "\(path) left behind")
        }
        XCTAssertFalse(fm.fileExists(atPath: prefix + "/share/winewarden"), "the profiles folder is removed when empty")
    }

    /// `install -m 755 ww ~/.local/bin/` alone: the shipped profiles are compiled in, and a profile file of
    /// the same name in the player's folder wins. The debug binary proves it as well as the release one
    /// (the profiles are Swift source, linked the same way whatever the build).
    func testTheBinaryAloneWorksWithItsBuiltInProfilesAndAUserProfileOverridesOne() throws {
        let exe = try demoProbe(sb)
        let bin = try sb.userFolder("alone") + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let install = try Sandbox.run("/usr/bin/install", ["-m", "755", sb.wwBinary, bin + "/ww"])
        XCTAssertEqual(install.status, 0, install.output)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bin), ["ww"])
        sb.chownTree(bin)
        let home = try sb.makeHome()
        // No WW_PROFILE_PATH, no profile folder anywhere ww looks.
        let env = ["HOME": home.path, "PATH": "\(bin):/usr/bin:/bin", "LANG": "C.UTF-8", "USER": sb.user]
        func ww(_ args: [String]) throws -> Sandbox.Result { try sb.asUser("ww", args, env: env, cwd: home.path, timeout: 240) }

        let list = try ww(["profile", "list"])
        XCTAssertEqual(list.status, 0, list.output)
        for name in ["default", "wine", "offline", "steam-native", "steam-proton"] {
            XCTAssertTrue(list.stdout.contains(name.padding(toLength: 16, withPad: " ", startingAt: 0) + " built in\n"), "\(name)\n\(list.output)")
        }
        XCTAssertEqual(try ww(["features"]).status, 0)
        let plan = try ww(["plan", "--", "wine", exe])
        XCTAssertEqual(plan.status, 0, plan.output)
        let run = try ww(["--", "wine", exe, "--exit", "7"])
        XCTAssertEqual(run.status, 7, run.output)
        XCTAssertTrue(run.stdout.contains("PROBE done"), run.output)
        XCTAssertFalse(run.output.contains("PLANTED"), run.output)

        // The player's default.toml replaces the built-in one.
        let mine = home.path + "/.config/winewarden/profiles/default.toml"
        try FileManager.default.createDirectory(atPath: home.path + "/.config/winewarden/profiles", withIntermediateDirectories: true)
        try "description = \"my default\"\n[environment]\nset = { WW_MY_DEFAULT = \"yes\" }\n".write(toFile: mine, atomically: true, encoding: .utf8)
        sb.chownTree(home.path)
        let listed = try ww(["profile", "list"])
        XCTAssertTrue(listed.stdout.contains("default          \(mine)\n                 my default"), listed.output)
        XCTAssertTrue(listed.stdout.contains("(the built-in default is overridden by \(mine))"), listed.output)
        let envRun = try ww(["--", "/usr/bin/env"])
        XCTAssertEqual(envRun.status, 0, envRun.output)
        XCTAssertTrue(envRun.stdout.contains("WW_MY_DEFAULT=yes"), envRun.output)
    }
}
