import Foundation
import XCTest

/// `copy_on_write = ["${GAME_DIR}"]`: the game writes and deletes in its folder, the real folder stays
/// byte for byte as it was, the next run sees the changes, `ww cow status` lists them and
/// `ww cow reset` discards them. Real overlayfs, mounted by ww as the test user.
final class CopyOnWriteTests: XCTestCase {
    let sb = Sandbox.shared

    struct Game {
        let home: FakeHome
        let dir: String
        let env: [String: String]
        let profile: String
        static let id = "lutris:cow-test"
    }

    func makeGame() throws -> Game {
        let home = try sb.makeHome()
        let dir = sb.root + "/cow-games/\(UUID().uuidString.prefix(8))"
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        try "original a\n".write(toFile: dir + "/a.txt", atomically: true, encoding: .utf8)
        try "original b\n".write(toFile: dir + "/b.txt", atomically: true, encoding: .utf8)
        try "level 1\n".write(toFile: dir + "/data/level1.dat", atomically: true, encoding: .utf8)
        sb.chownTree(dir)
        let profile = sb.root + "/cow-\(UUID().uuidString).toml"
        try "extends = \"default\"\n[filesystem]\ncopy_on_write = [\"${GAME_DIR}\"]\n".write(toFile: profile, atomically: true, encoding: .utf8)
        chmod(profile, 0o644)
        // Lutris' variables make the folder ${GAME_DIR} and the id lutris:cow-test.
        let env = ["LUTRIS_GAME_UUID": "c0c0c0c0-0000-4000-8000-000000000001", "GAME_NAME": "cow test", "GAME_DIRECTORY": dir]
        return Game(home: home, dir: dir, env: env, profile: profile)
    }

    /// Every file under `dir` with its bytes, and every folder.
    func snapshot(_ dir: String) -> [String: String] {
        var out: [String: String] = [:]
        let e = FileManager.default.enumerator(atPath: dir)
        while let rel = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir)
            out[rel] = isDir.boolValue ? "<dir>" : ((try? String(contentsOfFile: dir + "/" + rel, encoding: .utf8)) ?? "<unreadable>")
        }
        return out
    }

    func run(_ g: Game, _ script: String) throws -> Sandbox.Result {
        try sb.ww(["--profile", g.profile, "--", "/bin/sh", "-c", script], home: g.home, env: g.env, cwd: g.dir)
    }

    func cow(_ g: Game, _ args: [String]) throws -> Sandbox.Result {
        try sb.ww(["cow"] + args, home: g.home, env: g.env)
    }

    func testChangesLandInTheLayerAndTheRealFolderIsUntouched() throws {
        let g = try makeGame()
        let before = snapshot(g.dir)
        let first = try run(g, """
            set -e
            cd "$GAME_DIRECTORY"
            echo changed > a.txt
            rm b.txt
            echo new > c.txt
            mkdir saves && echo slot1 > saves/1.sav
            rm -r data
            cat a.txt c.txt saves/1.sav; ls
            """)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertEqual(first.stdout, "changed\nnew\nslot1\na.txt\nc.txt\nsaves\n", first.output)
        XCTAssertEqual(snapshot(g.dir), before, "the real folder changed")

        // The next run sees the changes.
        let second = try run(g, "cd \"$GAME_DIRECTORY\" && cat a.txt && ls")
        XCTAssertEqual(second.stdout, "changed\na.txt\nc.txt\nsaves\n", second.output)

        let status = try cow(g, ["status", Game.id])
        XCTAssertEqual(status.status, 0, status.output)
        for line in ["M a.txt", "D b.txt", "A c.txt", "A saves/", "A saves/1.sav", "D data"] {
            XCTAssertTrue(status.stdout.contains("  \(line)\n"), "\(line)\n\(status.output)")
        }
        let json = try cow(g, ["status", Game.id, "--json"])
        XCTAssertTrue(json.stdout.contains("\"change\":\"D\",\"folder\":\"\(g.dir)\",\"game\":\"\(Game.id)\",\"path\":\"b.txt\""), json.output)
        XCTAssertTrue(try cow(g, ["status"]).stdout.contains(Game.id))

        let reset = try cow(g, ["reset", Game.id])
        XCTAssertEqual(reset.status, 0, reset.output)
        let third = try run(g, "cd \"$GAME_DIRECTORY\" && cat a.txt b.txt && ls")
        XCTAssertEqual(third.stdout, "original a\noriginal b\na.txt\nb.txt\ndata\n", third.output)
        XCTAssertEqual(snapshot(g.dir), before)
    }

    /// The control: the same profile without copy_on_write writes the real folder.
    func testWithoutCopyOnWriteTheRealFolderChanges() throws {
        let g = try makeGame()
        let r = try sb.ww(["--", "/bin/sh", "-c", "echo changed > \"$GAME_DIRECTORY/a.txt\""], home: g.home, env: g.env, cwd: g.dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(try String(contentsOfFile: g.dir + "/a.txt", encoding: .utf8), "changed\n")
    }

    /// A layer on a nearly full file system stops the launch before anything runs.
    func testAFullLayerFileSystemStopsTheLaunch() throws {
        guard sb.isRoot else { throw Skip.allowed(.needsRootForSetUp, "needs root to mount a small tmpfs") }
        let g = try makeGame()
        let data = sb.root + "/cow-full-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let m = try Sandbox.run("/bin/mount", ["-t", "tmpfs", "-o", "size=8m,mode=0777", "tmpfs", data])
        guard m.status == 0 else { throw Skip.unexpected("cannot mount a tmpfs: \(m.output)") }
        defer { _ = try? Sandbox.run("/bin/umount", ["-l", data]) }
        var env = g.env
        env["XDG_DATA_HOME"] = data
        let r = try sb.ww(["--profile", g.profile, "--", "/bin/sh", "-c", "echo ran"], home: g.home, env: env, cwd: g.dir)
        XCTAssertEqual(r.status, 125, r.output)
        XCTAssertFalse(r.stdout.contains("ran"), r.output)
        XCTAssertTrue(r.stderr.contains("MiB are free"), r.output)
    }
}
