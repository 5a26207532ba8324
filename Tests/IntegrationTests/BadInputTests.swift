import XCTest

/// Bad input gets one sentence naming the cause and the fix, exit 125, and nothing is started
/// (not even the game's virtual home is created).
final class BadInputTests: XCTestCase {
    let sb = Sandbox.shared

    func assertRefused(_ args: [String], env: [String: String] = [:], mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let home = try sb.makeHome()
        let r = try sb.ww(args + ["--", "sh", "-c", "echo GAME-RAN"], home: home, env: env)
        XCTAssertEqual(r.status, 125, r.output, file: file, line: line)
        XCTAssertFalse(r.stdout.contains("GAME-RAN"), r.output, file: file, line: line)
        for m in mentions { XCTAssertTrue(r.stderr.contains(m), "missing '\(m)' in: \(r.stderr)", file: file, line: line) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: home.path + "/.local/share/winewarden/virtual"), "something was set up", file: file, line: line)
    }

    func testMissingBwrap() throws {
        try assertRefused(["--unsafe-bwrap", "/nonexistent/bwrap"], mentions: ["bwrap not found at --unsafe-bwrap /nonexistent/bwrap", "install the bubblewrap package"])
    }

    /// A `bwrap` the player (or a game that escaped once) can write is never handed the sandbox:
    /// not from PATH, not from the old WW_BWRAP variable; only when named with --unsafe-bwrap.
    func testABwrapThePlayerCanWriteIsNotUsedUnlessNamed() throws {
        let home = try sb.makeHome()
        let dir = home.path + "/.local/bin"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let marker = home.path + "/fake-bwrap-ran"
        let fake = dir + "/bwrap"
        try "#!/bin/sh\necho FAKE > \(marker)\nexit 1\n".write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)
        sb.chownTree(home.path + "/.local")
        let env = ["PATH": "\(dir):/usr/local/bin:/usr/bin:/bin", "WW_BWRAP": fake]
        let r = try sb.ww(["--", "/bin/echo", "GAME-RAN"], home: home, env: env)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.stdout, "GAME-RAN\n", r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "the bwrap on the player's PATH ran")
        let named = try sb.ww(["--unsafe-bwrap", fake, "--", "/bin/echo", "GAME-RAN"], home: home, env: env)
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker), "named explicitly, it is used\n\(named.output)")
        XCTAssertTrue(named.stderr.contains("WARNING: running \(fake) (--unsafe-bwrap)"), named.output)
        XCTAssertNotEqual(named.status, 0, named.output)
    }

    func testUnknownProfileName() throws {
        try assertRefused(["-p", "no-such-profile"], mentions: ["no profile named 'no-such-profile'", "ww profile list"])
    }

    func testProfileThatDoesNotParse() throws {
        let path = sb.root + "/broken-\(UUID().uuidString).toml"
        try "[filesystem]\nhome = \"virtual\"\nread_only = [\"/opt\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        try assertRefused(["-p", path], mentions: [path + ":", "TOML syntax error"])
    }

    func testUnsafePaths() throws {
        try assertRefused(["--rw", "/etc"], mentions: ["/etc", "may never be granted"])
        try assertRefused(["--ro", "~/.ssh"], mentions: ["sensitive path"])
        try assertRefused(["--rw", "~/../other"], mentions: ["'..'"])
    }

    func testMissingReadWritePathWithoutCreate() throws {
        try assertRefused(["--rw", "~/Games/not-there"], mentions: ["does not exist", "create = true"])
    }

    func testUnknownModesAreRefusedNotWeakened() throws {
        try assertRefused(["--network", "vpn"], mentions: ["not a network mode"])
        try assertRefused(["--allow-domain", "a*b.example"], mentions: ["uses * inside a name"])
    }
}
