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
        try assertRefused([], env: ["WW_BWRAP": "/nonexistent/bwrap"], mentions: ["bwrap", "install the bubblewrap package"])
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
