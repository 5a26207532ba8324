import Foundation
import XCTest

/// `ww init` against a throwaway HOME: writes the commented default config, never clobbers one.
final class InitTests: XCTestCase {
    let sb = Sandbox.shared

    func emptyHome() throws -> String {
        let home = sb.root + "/init-homes/\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        sb.chownTree(home)
        return home
    }

    func ww(_ args: [String], home: String, env: [String: String] = [:]) throws -> Sandbox.Result {
        var environment = ["HOME": home, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "WW_PROFILE_PATH": sb.profilesDir]
        for (k, v) in env { environment[k] = v }
        return try sb.asUser(sb.wwBinary, args, env: environment, cwd: home)
    }

    func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
    }

    func testInitWritesTheCommentedDefaultIntoAPrivateFolder() throws {
        let home = try emptyHome()
        let r = try ww(["init"], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        let path = home + "/.config/winewarden/config.toml"
        XCTAssertTrue(r.stdout.contains(path), r.output)
        let printed = try ww(["init", "--stdout"], home: home)
        XCTAssertEqual(printed.status, 0, printed.output)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), printed.stdout)
        XCTAssertTrue(printed.stdout.contains("\nenabled = true\n"), printed.stdout)
        XCTAssertEqual(mode(home + "/.config/winewarden"), 0o700)
        XCTAssertEqual(mode(home + "/.config"), 0o700)

        // ww reads what init wrote without complaint.
        let show = try ww(["profile", "show", "default"], home: home)
        XCTAssertEqual(show.status, 0, show.output)
        XCTAssertFalse(show.output.contains("config.toml"), "the written config changed a profile value:\n\(show.output)")
    }

    func testInitFollowsXDGConfigHome() throws {
        let home = try emptyHome()
        let r = try ww(["init"], home: home, env: ["XDG_CONFIG_HOME": home + "/xdg"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: home + "/xdg/winewarden/config.toml"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: home + "/.config"))
    }

    func testInitRefusesToReplaceAConfigUnlessForced() throws {
        let home = try emptyHome()
        let dir = home + "/.config/winewarden"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "[winewarden]\nenabled = false\n".write(toFile: dir + "/config.toml", atomically: true, encoding: .utf8)
        sb.chownTree(home)

        let refused = try ww(["init"], home: home)
        XCTAssertEqual(refused.status, 125, refused.output)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, "one sentence:\n\(refused.stderr)")
        XCTAssertTrue(refused.stderr.contains(dir + "/config.toml already exists") && refused.stderr.contains("--force"), refused.stderr)
        XCTAssertEqual(try String(contentsOfFile: dir + "/config.toml", encoding: .utf8), "[winewarden]\nenabled = false\n")

        let forced = try ww(["init", "--force"], home: home)
        XCTAssertEqual(forced.status, 0, forced.output)
        XCTAssertEqual(try String(contentsOfFile: dir + "/config.toml.bak", encoding: .utf8), "[winewarden]\nenabled = false\n")
        XCTAssertTrue(try String(contentsOfFile: dir + "/config.toml", encoding: .utf8).contains("enabled = true"))
    }

    func testInitStdoutWritesNothing() throws {
        let home = try emptyHome()
        let r = try ww(["init", "--stdout"], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.hasPrefix("# WineWarden global settings"), r.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: home + "/.config"))
    }
}
