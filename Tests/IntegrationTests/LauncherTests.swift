import Foundation
import XCTest

/// Lutris, Heroic, Bottles and umu-run start `ww` with their own variables: the game id comes from
/// them, and the variables reach the game unchanged (Lutris finds its game by LUTRIS_GAME_UUID).
final class LauncherTests: XCTestCase {
    let sb = Sandbox.shared

    func launch(_ env: [String: String], show names: [String], file: StaticString = #filePath, line: UInt = #line) throws -> (game: String, seen: [String: String]) {
        let home = try sb.makeHome()
        let log = sb.logPath()
        let script = names.map { "printf '%s=%s\\n' \($0) \"$\($0)\"" }.joined(separator: "; ")
        let r = try sb.ww(["--log", log, "--", "/bin/sh", "-c", script], home: home, env: env)
        XCTAssertEqual(r.status, 0, r.output, file: file, line: line)
        var seen: [String: String] = [:]
        for l in r.stdout.split(separator: "\n") {
            let parts = l.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { seen[String(parts[0])] = String(parts[1]) }
        }
        let policy = sb.events(log).first { $0["kind"] as? String == "policy_applied" }
        return (policy?["game"] as? String ?? "none", seen)
    }

    func testLutrisLaunch() throws {
        let dir = sb.root + "/lutris-games/diablo-ii"
        try FileManager.default.createDirectory(atPath: dir + "/prefix", withIntermediateDirectories: true)
        sb.chownTree(dir)
        let env = ["LUTRIS_GAME_UUID": "0b9e6d4c-5a1f-4e32-9d1e-7f2a3b4c5d6e", "GAME_NAME": "Diablo II", "STORE": "gog",
                   "GAME_DIRECTORY": dir, "WINEPREFIX": dir + "/prefix"]
        let (game, seen) = try launch(env, show: Array(env.keys))
        XCTAssertEqual(game, "lutris:diablo-ii")
        for (k, v) in env { XCTAssertEqual(seen[k], v, k) }
    }

    func testHeroicLaunch() throws {
        let env = ["HEROIC_APP_NAME": "Fortnite", "HEROIC_APP_SOURCE": "epic", "HEROIC_APP_RUNNER": "legendary",
                   "STORE": "egs", "GAMEID": "umu-0", "WINEPREFIX": "/games/heroic/Prefixes/Fortnite"]
        let (game, seen) = try launch(env, show: Array(env.keys))
        XCTAssertEqual(game, "heroic:epic:fortnite")
        for (k, v) in env { XCTAssertEqual(seen[k], v, k) }
    }

    func testBottlesLaunch() throws {
        let prefix = sb.root + "/bottles-data/bottles/bottles/Epic Games"
        let env = ["WINEPREFIX": prefix]
        let (game, seen) = try launch(env, show: ["WINEPREFIX"])
        XCTAssertEqual(game, "bottles:epic-games")
        XCTAssertEqual(seen["WINEPREFIX"], prefix)
    }

    func testUmuLaunch() throws {
        let env = ["GAMEID": "umu-1245620", "STORE": "steam", "PROTONPATH": "GE-Proton", "WINEPREFIX": "/games/umu/elden"]
        let (game, seen) = try launch(env, show: Array(env.keys))
        XCTAssertEqual(game, "umu:steam:umu-1245620")
        for (k, v) in env { XCTAssertEqual(seen[k], v, k) }
    }
}
