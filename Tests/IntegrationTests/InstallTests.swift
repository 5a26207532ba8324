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
}
