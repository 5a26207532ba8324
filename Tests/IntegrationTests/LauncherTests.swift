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

    /// Flatpak Steam or Bottles: bwrap cannot nest there, so ww says so and stops (here: a sandbox
    /// that has /.flatpak-info, as every Flatpak app has).
    func testInsideFlatpakWWStopsWithTheReason() throws {
        let home = try sb.makeHome()
        let info = sb.root + "/flatpak-info"
        try "[Application]\nname=com.valvesoftware.Steam\n".write(toFile: info, atomically: true, encoding: .utf8)
        chmod(info, 0o644)
        let args = ["--tmpfs", "/", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                    "--symlink", "usr/lib64", "/lib64", "--ro-bind", "/etc", "/etc", "--proc", "/proc", "--dev", "/dev",
                    "--bind", "/tmp", "/tmp", "--ro-bind-try", "/opt", "/opt", "--ro-bind", info, "/.flatpak-info", "--", sb.wwBinary, "--", "/bin/true"]
        let r = try sb.asUser("/usr/bin/bwrap", args, env: ["HOME": home.path, "PATH": "/usr/bin:/bin", "WW_PROFILE_PATH": sb.profilesDir, "USER": sb.user],
                              cwd: home.path)
        XCTAssertEqual(r.status, 125, r.output)
        XCTAssertTrue(r.stderr.contains("inside Flatpak"), r.output)
    }

    /// A reaper line without AppId is run as a plain command, and --verbose says why.
    func testUnparsableSteamLineRunsAsAPlainCommand() throws {
        let home = try sb.makeHome()
        let reaper = sb.root + "/fake-steam/ubuntu12_32/reaper"
        try FileManager.default.createDirectory(atPath: (reaper as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "#!/bin/sh\nwhile [ \"$1\" != -- ]; do shift; done; shift; exec \"$@\"\n".write(toFile: reaper, atomically: true, encoding: .utf8)
        chmod(reaper, 0o755)
        sb.chownTree(sb.root + "/fake-steam")
        let log = sb.logPath()
        let r = try sb.ww(["--verbose", "--log", log, "--", reaper, "SteamLaunch", "--", "/bin/echo", "ran"], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.stdout, "ran\n", r.output)
        XCTAssertTrue(r.stderr.contains("Steam command line not understood (no AppId=N before --); treating it as a plain command"), r.output)
        let policy = sb.events(log).first { $0["kind"] as? String == "policy_applied" }
        XCTAssertEqual(policy?["profile"] as? String, "default", "\(String(describing: policy))")
    }

    func testUmuLaunch() throws {
        let env = ["GAMEID": "umu-1245620", "STORE": "steam", "PROTONPATH": "GE-Proton", "WINEPREFIX": "/games/umu/elden"]
        let (game, seen) = try launch(env, show: Array(env.keys))
        XCTAssertEqual(game, "umu:steam:umu-1245620")
        for (k, v) in env { XCTAssertEqual(seen[k], v, k) }
    }

    /// `ww -- paplay tone.wav` from the game's folder: a command found on PATH works on the files of the
    /// folder it was started from (it is the game's folder, read-write), not /usr/bin; from your home it
    /// gets no folder, and a note says why.
    func testACommandFromThePathRunsInTheCallersFolder() throws {
        let home = try sb.makeHome()
        let folder = home.path + "/Games/tones"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "TONE-BYTES\n".write(toFile: folder + "/tone.wav", atomically: true, encoding: .utf8)
        sb.chownTree(home.path)
        let r = try sb.ww(["--", "sh", "-c", "pwd; cat tone.wav && echo saved > played.txt"], home: home, cwd: folder)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.hasPrefix(folder + "\n"), r.output)
        XCTAssertTrue(r.stdout.contains("TONE-BYTES"), r.output)
        XCTAssertEqual(try String(contentsOfFile: folder + "/played.txt", encoding: .utf8), "saved\n")
        let plan = try sb.ww(["plan", "--", "sh", "-c", "true"], home: home)
        XCTAssertTrue(plan.stdout.contains("no folder of its own"), plan.output)
        XCTAssertFalse(plan.stdout.contains("game folder /usr/bin"), plan.output)
    }

    /// MangoHud's settings and a user Vulkan layer manifest are read in the virtual home as on the host,
    /// and cannot be changed from inside.
    func testOverlaySettingsAndLayersAreReadOnlyInTheVirtualHome() throws {
        let home = try sb.makeHome()
        for dir in [".config/MangoHud", ".local/share/vulkan/implicit_layer.d"] {
            try FileManager.default.createDirectory(atPath: home.path + "/" + dir, withIntermediateDirectories: true)
        }
        try "fps\nposition=top-left\n".write(toFile: home.path + "/.config/MangoHud/MangoHud.conf", atomically: true, encoding: .utf8)
        try "{\"file_format_version\": \"1.0.0\"}\n".write(toFile: home.path + "/.local/share/vulkan/implicit_layer.d/MangoHud.json", atomically: true, encoding: .utf8)
        sb.chownTree(home.path)
        let r = try sb.ww(["--", "sh", "-c", """
            cat ~/.config/MangoHud/MangoHud.conf ~/.local/share/vulkan/implicit_layer.d/MangoHud.json
            echo x >> ~/.config/MangoHud/MangoHud.conf && echo CHANGED; touch ~/.config/MangoHud/new && echo ADDED; exit 0
            """], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("position=top-left") && r.stdout.contains("file_format_version"), r.output)
        XCTAssertFalse(r.stdout.contains("CHANGED") || r.stdout.contains("ADDED"), r.output)
        XCTAssertEqual(try String(contentsOfFile: home.path + "/.config/MangoHud/MangoHud.conf", encoding: .utf8), "fps\nposition=top-left\n")
    }

    /// `discord_ipc = true` shows a running Discord's IPC socket (here a stand-in that answers one line)
    /// where the game's Discord library looks; without it the socket is not there.
    func testDiscordIPCOnlyWhenTheProfileAsks() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/socat") else { throw Skip.unexpected("socat is not installed") }
        let home = try sb.makeHome()
        let runtime = try sb.userFolder("run-discord-\(UUID().uuidString.prefix(6))")
        chmod(runtime, 0o700)
        let socket = runtime + "/discord-ipc-0"
        let discord = try sb.backgroundAsUser("/usr/bin/socat", ["UNIX-LISTEN:\(socket),fork", "SYSTEM:echo DISCORD-HELLO"], env: ["PATH": "/usr/bin:/bin"])
        defer { kill(discord, SIGKILL); var st: Int32 = 0; waitpid(discord, &st, 0) }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket) && Date() < deadline { usleep(20_000) }
        let probe = "test -S \"$XDG_RUNTIME_DIR/discord-ipc-0\" && socat - UNIX-CONNECT:\"$XDG_RUNTIME_DIR/discord-ipc-0\" </dev/null; echo END"
        let off = try sb.ww(["--", "sh", "-c", probe], home: home, env: ["XDG_RUNTIME_DIR": runtime])
        XCTAssertEqual(off.stdout, "END\n", off.output)
        let profile = try sb.profile("[desktop]\ndiscord_ipc = true\n")
        let log = sb.logPath()
        let on = try sb.ww(["--log", log, "-p", profile, "--", "sh", "-c", probe], home: home, env: ["XDG_RUNTIME_DIR": runtime])
        XCTAssertTrue(on.stdout.contains("DISCORD-HELLO"), on.output)
        XCTAssertTrue(on.stderr.contains("who you are"), on.stderr)
        XCTAssertEqual(sb.events(log).first { $0["kind"] as? String == "policy_applied" }?["discord_ipc"] as? Bool, true)
    }

    /// `ww --game NAME`: two different programs of one game share its virtual home (what the installer
    /// left, the game finds); a name ww cannot keep as it is stops the launch with 125 and the fix.
    func testANamedGameSharesOneHomeAcrossPrograms() throws {
        let home = try sb.makeHome()
        let first = try sb.ww(["--game", "my-rpg", "--", "sh", "-c", "echo INSTALLED > ~/installed.txt"], home: home)
        XCTAssertEqual(first.status, 0, first.output)
        let second = try sb.ww(["--game", "my-rpg", "--", "cat", "installed.txt"], home: home, cwd: home.path)
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertEqual(second.stdout, "INSTALLED\n", second.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: home.path + "/.local/share/winewarden/virtual/game:my-rpg/home/installed.txt"))
        let other = try sb.ww(["--", "sh", "-c", "cat ~/installed.txt 2>/dev/null; echo END"], home: home)
        XCTAssertEqual(other.stdout, "END\n", "another program without --game is another game: \(other.output)")
        let bad = try sb.ww(["--game", "My RPG!", "--", "true"], home: home)
        XCTAssertEqual(bad.status, 125, bad.output)
        XCTAssertTrue(bad.stderr.contains("--game My RPG!") && bad.stderr.contains("my-rpg"), bad.stderr)
    }
}
