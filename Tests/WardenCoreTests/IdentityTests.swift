// Game identity (SPEC §8 order), ${GAME_DIR}, and the small policies: environment, globs, path expansion.

import XCTest
@testable import WardenCore

final class IdentityTests: XCTestCase {
    static let user = UserInfo(name: "player", uid: 1000, gid: 1000, home: "/home/player")
    static let steam = "/home/player/.steam/steam"
    static let reaperLine = ["\(steam)/ubuntu12_32/reaper", "SteamLaunch", "AppId=1245620", "--",
                             "\(steam)/steamapps/common/Proton - Experimental/proton", "waitforexitandrun",
                             "\(steam)/steamapps/common/ELDEN RING/Game/eldenring.exe"]

    func ctx(_ command: [String], _ env: [String: String] = [:], resolved: String? = nil) -> LaunchContext {
        LaunchContext(command: command, environment: env, workingDirectory: "/home/player", user: Self.user,
                      resolvedCommand: resolved, windowsExecutable: LaunchContext.windowsProgramArgument(in: command))
    }

    func id(_ command: [String], _ env: [String: String] = [:], resolved: String? = nil) -> GameIdentity {
        GameIdentity.resolve(ctx(command, env, resolved: resolved))
    }

    func assertHexID(_ id: String, prefix: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(id.hasPrefix(prefix), id, file: file, line: line)
        let hex = id.dropFirst(prefix.count)
        XCTAssertEqual(hex.count, 16, id, file: file, line: line)
        XCTAssertTrue(hex.allSatisfy { $0.isHexDigit && !$0.isUppercase }, id, file: file, line: line)
    }

    // MARK: identity order

    func testSteamLaunchAppIdWinsOverSteamAppIdEnvironment() {
        let g = id(Self.reaperLine, ["SteamAppId": "570", "STEAM_COMPAT_APP_ID": "570"])
        XCTAssertEqual(g.id, "steam:1245620")
        XCTAssertEqual(g.source, .steamLaunch)
        XCTAssertEqual(g.steamAppID, 1245620)
    }

    func testSteamAppIdEnvironmentIdentifiesTheGame() {
        let g = id(["/usr/bin/game"], ["SteamAppId": "570"])
        XCTAssertEqual(g.id, "steam:570")
        XCTAssertEqual(g.source, .steamEnvironment)
    }

    func testZeroSteamAppIdIsIgnoredAndSteamCompatAppIdIsUsed() {
        let g = id(["/usr/bin/game"], ["SteamAppId": "0", "STEAM_COMPAT_APP_ID": "730"])
        XCTAssertEqual(g.id, "steam:730")
        XCTAssertEqual(g.steamAppID, 730)
    }

    func testZeroSteamIdsFallThroughToTheExecutable() {
        let g = id(["/usr/bin/game"], ["SteamAppId": "0", "STEAM_COMPAT_APP_ID": "0"], resolved: "/usr/bin/game")
        XCTAssertEqual(g.source, .executable)
        XCTAssertNil(g.steamAppID)
    }

    func testSteamGameIdHighBitsNameANonSteamShortcut() {
        let gid: UInt64 = (3_141_592_653 << 32) | 0x0200_0000
        let g = id(["/usr/bin/game"], ["SteamGameId": String(gid), "SteamAppId": "0"])
        XCTAssertEqual(g.id, "steam-shortcut:3141592653")
        XCTAssertEqual(g.source, .steamShortcut)
        XCTAssertNil(g.steamAppID)
    }

    /// A non-Steam game set to a WineWarden tool: ww sees Proton's chain, not reaper's AppId=N; N is SteamGameId>>32.
    func testAShortcutUnderACompatToolGetsTheIdReaperWouldGiveIt() {
        let gid: UInt64 = (3_141_592_653 << 32) | 0x0200_0000
        let g = id(["/s/steamapps/common/Proton 9.0/proton", "waitforexitandrun", "/g/game.exe"], ["SteamGameId": String(gid), "STEAM_COMPAT_APP_ID": "0"])
        XCTAssertEqual(g.id, "steam:3141592653")
        XCTAssertEqual(g.steamAppID, 3_141_592_653)
        let reaper = id(["/s/reaper", "SteamLaunch", "AppId=3141592653", "--", "/s/steamapps/common/Proton 9.0/proton", "waitforexitandrun", "/g/game.exe"])
        XCTAssertEqual(reaper.id, g.id)
    }

    func testSteamGameIdWithoutHighBitsIsIgnored() {
        let g = id(["/usr/bin/game"], ["SteamGameId": "570"], resolved: "/usr/bin/game")
        XCTAssertEqual(g.source, .executable)
    }

    func testLutrisGameNameBecomesASlug() {
        let g = id(["wine", "/g/D2/Game.exe"], ["LUTRIS_GAME_UUID": "abc", "GAME_NAME": "Diablo II: Lord of Destruction",
                                                "WINEPREFIX": "/g/prefix"])
        XCTAssertEqual(g.id, "lutris:diablo-ii-lord-of-destruction")
        XCTAssertEqual(g.displayName, "Diablo II: Lord of Destruction")
        XCTAssertEqual(g.source, .lutris)
    }

    func testGameNameWithoutLutrisUUIDIsNotLutris() {
        let g = id(["/usr/bin/game"], ["GAME_NAME": "Diablo II"], resolved: "/usr/bin/game")
        XCTAssertEqual(g.source, .executable)
    }

    func testHeroicNamesSourceAndApp() {
        let g = id(["/usr/bin/game"], ["HEROIC_APP_NAME": "Fortnite", "HEROIC_APP_SOURCE": "epic"])
        XCTAssertEqual(g.id, "heroic:epic:fortnite")
        XCTAssertEqual(g.source, .heroic)
    }

    func testHeroicWithoutSourceIsUnknownStore() {
        XCTAssertEqual(id(["/usr/bin/game"], ["HEROIC_APP_NAME": "Hades"]).id, "heroic:unknown:hades")
    }

    func testUmuUsesGameIdAndStore() {
        let g = id(["/usr/bin/game"], ["GAMEID": "umu-1245620", "STORE": "steam"])
        XCTAssertEqual(g.id, "umu:steam:umu-1245620")
        XCTAssertEqual(g.source, .umu)
        XCTAssertEqual(id(["/usr/bin/game"], ["GAMEID": "umu-42"]).id, "umu:none:umu-42")
    }

    func testUmuZeroIsIgnored() {
        let g = id(["/usr/bin/game"], ["GAMEID": "umu-0", "STORE": "gog"], resolved: "/usr/bin/game")
        XCTAssertEqual(g.source, .executable)
    }

    func testBottlesPrefixNamesTheBottleAndProgram() {
        let native = id(["wine", "/g/Setup/Game.exe"], ["WINEPREFIX": "/home/p/.local/share/bottles/bottles/My Games"])
        XCTAssertEqual(native.id, "bottles:my-games:game.exe")
        XCTAssertEqual(native.source, .bottles)
        XCTAssertEqual(native.displayName, "My Games")
        let flatpak = id(["wine", "/g/Foo.exe"], ["WINEPREFIX": "/home/p/.var/app/com.usebottles.bottles/data/bottles/bottles/Foo/"])
        XCTAssertEqual(flatpak.id, "bottles:foo:foo.exe")
        XCTAssertEqual(id(["/usr/bin/game"], ["WINEPREFIX": "/b/bottles/bottles/Foo"], resolved: "/usr/bin/game").id, "bottles:foo")
        // A prefix that only has one "bottles" folder in it is not a bottle.
        XCTAssertEqual(id(["wine", "/g/Foo.exe"], ["WINEPREFIX": "/home/p/bottles/Foo"]).source, .winePrefix)
    }

    func testProtonIsFoundAfterTheDoubleDash() {
        XCTAssertTrue(SteamLaunchLine.runsProton(Self.reaperLine))
        XCTAssertFalse(SteamLaunchLine.runsProton(["/s/reaper", "SteamLaunch", "AppId=570", "--", "/s/steam-launch-wrapper", "--", "/g/dota2.sh"]))
        XCTAssertFalse(SteamLaunchLine.runsProton(["/opt/proton", "run"]), "only the chain after -- counts")
    }

    func testWinePrefixAndExeGiveAStableHash() {
        let a = id(["wine", "/g/foo/Foo.exe"], ["WINEPREFIX": "/pfx/foo"])
        let b = id(["wine", "/g/foo/Foo.exe"], ["WINEPREFIX": "/pfx/foo/"])
        let c = id(["wine", "/g/foo/Foo.exe"], ["WINEPREFIX": "/pfx/bar"])
        XCTAssertEqual(a.source, .winePrefix)
        assertHexID(a.id, prefix: "wine:")
        XCTAssertEqual(a.id, b.id, "the same prefix written differently is the same game")
        XCTAssertNotEqual(a.id, c.id)
        XCTAssertEqual(a.displayName, "Foo.exe")
        XCTAssertEqual(a.id, "wine:" + StableHash.hex("/pfx/foo\n/g/foo/Foo.exe"))
    }

    func testPlainCommandIsIdentifiedByItsPath() {
        let g = id(["game"], [:], resolved: "/opt/game/bin/game")
        XCTAssertEqual(g.source, .executable)
        assertHexID(g.id, prefix: "exe:")
        XCTAssertEqual(g.id, "exe:" + StableHash.hex("/opt/game/bin/game"))
        XCTAssertEqual(g.id, id(["./game"], [:], resolved: "/opt/game/bin/game").id)
        XCTAssertNotEqual(g.id, id(["game"], [:], resolved: "/opt/other/game").id)
    }

    func testReaperLineWithoutAppIdIsUnparsableAndNoted() {
        let argv = ["\(Self.steam)/ubuntu12_32/reaper", "SteamLaunch", "--", "/opt/game"]
        XCTAssertEqual(SteamLaunchLine.parse(argv), .unparsable("no AppId=N before --"))
        let g = id(argv, [:], resolved: "\(Self.steam)/ubuntu12_32/reaper")
        XCTAssertEqual(g.source, .executable)
        XCTAssertTrue(g.notes.contains { $0.contains("Steam command line not understood") }, "\(g.notes)")
    }

    func testReaperLineWithoutAppIdStillUsesSteamAppIdEnvironment() {
        let g = id(["\(Self.steam)/ubuntu12_32/reaper", "SteamLaunch", "--", "/opt/game"], ["SteamAppId": "570"])
        XCTAssertEqual(g.id, "steam:570")
        XCTAssertEqual(g.notes.count, 1)
    }

    func testSteamLaunchLineParsing() {
        XCTAssertEqual(SteamLaunchLine.parse(["/usr/bin/game"]), .notSteam)
        XCTAssertEqual(SteamLaunchLine.parse([]), .notSteam)
        XCTAssertEqual(SteamLaunchLine.parse(Self.reaperLine), .appID(1245620))
        XCTAssertEqual(SteamLaunchLine.parse(["/x/reaper", "AppId=5", "--", "g"]), .unparsable("reaper without SteamLaunch"))
        XCTAssertEqual(SteamLaunchLine.parse(["/x/reaper", "SteamLaunch", "AppId=0", "--", "g"]), .unparsable("AppId=0 is not a Steam app id"))
        XCTAssertEqual(SteamLaunchLine.parse(["/x/reaper", "SteamLaunch", "AppId=5", "g"]), .unparsable("no -- after SteamLaunch"))
        // AppId= after `--` belongs to the game, not to Steam.
        XCTAssertEqual(SteamLaunchLine.parse(["/x/reaper", "SteamLaunch", "--", "g", "AppId=5"]), .unparsable("no AppId=N before --"))
    }

    // MARK: GAME_DIR

    func testGameDirPrefersSteamCompatInstallPath() {
        let g = id(["wine", "/g/x/Game.exe"], ["STEAM_COMPAT_INSTALL_PATH": "/steam/common/Game//", "GAME_DIRECTORY": "/lutris/game"],
                   resolved: "/usr/bin/wine")
        XCTAssertEqual(g.gameDirectory, "/steam/common/Game")
    }

    func testGameDirThenLutrisGameDirectory() {
        let g = id(["wine", "/g/x/Game.exe"], ["GAME_DIRECTORY": "/lutris/game"], resolved: "/usr/bin/wine")
        XCTAssertEqual(g.gameDirectory, "/lutris/game")
    }

    func testGameDirThenTheExeFolder() {
        XCTAssertEqual(id(["wine", "/g/x/Game.exe"], [:], resolved: "/usr/bin/wine").gameDirectory, "/g/x")
    }

    func testGameDirThenTheCommandFolder() {
        XCTAssertEqual(id(["/opt/game/bin/game"], [:], resolved: "/opt/game/bin/game").gameDirectory, "/opt/game/bin")
        XCTAssertEqual(id(["./game"], [:], resolved: "/opt/game/bin/game").gameDirectory, "/opt/game/bin")
        XCTAssertNil(id(["missing"], [:], resolved: nil).gameDirectory)
    }

    /// `--game NAME` names the game whatever runs: the installer and the game share one identity.
    func testANamedGameIsOneIdentityForEveryProgram() {
        func named(_ command: [String], _ env: [String: String] = [:]) -> GameIdentity {
            var c = ctx(command, env, resolved: "/usr/bin/wine")
            c.gameName = "my-rpg"
            return GameIdentity.resolve(c)
        }
        let setup = named(["wine", "/g/rpg/setup.exe"]), game = named(["wine", "/g/rpg/Game/rpg.exe"], ["WINEPREFIX": "/p/rpg"])
        XCTAssertEqual(setup.id, "game:my-rpg")
        XCTAssertEqual(game.id, "game:my-rpg")
        XCTAssertEqual(game.source, .named)
        XCTAssertEqual(game.displayName, "my-rpg")
        XCTAssertEqual(game.gameDirectory, "/g/rpg/Game", "the folder still comes from the launch")
        XCTAssertNotEqual(id(["wine", "/g/rpg/setup.exe"], resolved: "/usr/bin/wine").id, id(["wine", "/g/rpg/Game/rpg.exe"], resolved: "/usr/bin/wine").id)
    }

    /// A command found on PATH is the system's: its game is the folder it was started from, never /usr/bin,
    /// and never `/`, your home (or above it), or a folder that holds a hidden path (then a note says so).
    func testACommandFoundOnPathTakesTheCallersFolder() {
        func from(_ cwd: String) -> GameIdentity {
            GameIdentity.resolve(LaunchContext(command: ["paplay", "tone.wav"], environment: [:], workingDirectory: cwd, user: Self.user,
                                               resolvedCommand: "/usr/bin/paplay", windowsExecutable: nil))
        }
        XCTAssertEqual(from("/home/player/Games/tones/").gameDirectory, "/home/player/Games/tones")
        for cwd in ["/", "/home/player", "/home", "/home/player/.config"] {
            let g = from(cwd)
            XCTAssertNil(g.gameDirectory, cwd)
            XCTAssertTrue(g.notes.contains { $0.contains("paplay") && $0.contains("no folder of its own") }, "\(cwd): \(g.notes)")
        }
        XCTAssertTrue(from("/home/player/.config").notes.joined().contains("/home/player/.config/gcloud"), "\(from("/home/player/.config").notes)")
        // The id stays the program's: the same as before for the same command.
        XCTAssertEqual(from("/home/player/Games/tones").id, from("/tmp").id)
    }

    func testRelativeGameDirectoryVariablesAreIgnored() {
        XCTAssertEqual(id(["wine", "/g/x/Game.exe"], ["STEAM_COMPAT_INSTALL_PATH": "relative", "GAME_DIRECTORY": "also"]).gameDirectory, "/g/x")
    }

    func testWindowsProgramIsTheLastExeArgument() {
        XCTAssertEqual(LaunchContext.windowsProgramArgument(in: ["wine", "/a/Setup.EXE", "/b/Game.exe", "-windowed"]), "/b/Game.exe")
        XCTAssertEqual(LaunchContext.windowsProgramArgument(in: ["/a/Game.exe"]), "/a/Game.exe")
        XCTAssertNil(LaunchContext.windowsProgramArgument(in: ["/usr/bin/game"]))
    }

    func testSlug() {
        XCTAssertEqual(GameIdentity.slug("Diablo II"), "diablo-ii")
        XCTAssertEqual(GameIdentity.slug("  --Hello, World!--  "), "hello-world")
        XCTAssertNil(GameIdentity.slug("!!!"))
        XCTAssertNil(GameIdentity.slug(".."))
        XCTAssertEqual(GameIdentity.slug(String(repeating: "a", count: 100))?.count, 64)
    }

    func testSlugNeverContainsAPathSeparator() {
        XCTAssertEqual(GameIdentity.slug("../../etc/passwd"), "..-..-etc-passwd")
        XCTAssertFalse(GameIdentity.slug("a/b")!.contains("/"))
    }
}

final class EnvironmentPolicyTests: XCTestCase {
    func testSecretsAreRemoved() {
        for name in ["SSH_AUTH_SOCK", "GPG_AGENT_INFO", "DBUS_SESSION_BUS_ADDRESS", "FOO_TOKEN", "MY_SECRET_KEY",
                     "AWS_ACCESS_KEY_ID", "GITHUB_TOKEN", "DB_PASSWORD", "KUBECONFIG"] {
            XCTAssertNotNil(EnvironmentPolicy.secretReason(name), name)
        }
    }

    func testLauncherVariablesAreKept() {
        for name in ["LD_PRELOAD", "DISPLAY", "SteamAppId", "WINEPREFIX", "HOME", "PATH", "XDG_RUNTIME_DIR",
                     "STEAM_COMPAT_DATA_PATH", "WAYLAND_DISPLAY", "DXVK_HUD", "PROTON_LOG"] {
            XCTAssertNil(EnvironmentPolicy.secretReason(name), name)
        }
    }

    func testMenuBuilderIsAppendedWhenNotSet() {
        XCTAssertEqual(EnvironmentPolicy.disableMenuBuilder(nil), "winemenubuilder.exe=d")
        XCTAssertEqual(EnvironmentPolicy.disableMenuBuilder(""), "winemenubuilder.exe=d")
        XCTAssertEqual(EnvironmentPolicy.disableMenuBuilder("d3d11=n,b;dxgi=n"), "d3d11=n,b;dxgi=n;winemenubuilder.exe=d")
    }

    func testMenuBuilderSettingIsReplaced() {
        XCTAssertEqual(EnvironmentPolicy.disableMenuBuilder("winemenubuilder.exe=n,b;dxgi=n"), "dxgi=n;winemenubuilder.exe=d")
        XCTAssertEqual(EnvironmentPolicy.disableMenuBuilder("WineMenuBuilder=b"), "winemenubuilder.exe=d")
    }

    func testOtherDLLsListedWithTheMenuBuilderKeepTheirOverride() throws {
        // Wine accepts `dll1,dll2=mode`; dropping the whole entry loses mscoree's override.
        let result = EnvironmentPolicy.disableMenuBuilder("mscoree,winemenubuilder.exe=d")
        if !result.contains("mscoree") {
            return XCTFail("disableMenuBuilder(\"mscoree,winemenubuilder.exe=d\") = \"\(result)\": the mscoree override in the same entry is dropped")
        }
    }

    func testValidNames() {
        XCTAssertTrue(EnvironmentPolicy.isValidName("WINEDEBUG"))
        XCTAssertTrue(EnvironmentPolicy.isValidName("_x1"))
        XCTAssertFalse(EnvironmentPolicy.isValidName("1X"))
        XCTAssertFalse(EnvironmentPolicy.isValidName("A-B"))
        XCTAssertFalse(EnvironmentPolicy.isValidName(""))
    }
}

final class GlobTests: XCTestCase {
    func testStarMatchesAnyRunAlsoAcrossSlash() {
        XCTAssertTrue(Glob("*.exe").matches("Game.exe"))
        XCTAssertTrue(Glob("*/Game.exe").matches("/a/b/Game.exe"))
        XCTAssertTrue(Glob("ssfn*").matches("ssfn123"))
        XCTAssertFalse(Glob("ssfn*").matches("xssfn123"))
        XCTAssertTrue(Glob("*").matches(""))
    }

    func testQuestionMarkMatchesOneCharacter() {
        XCTAssertTrue(Glob("X?").matches("X0"))
        XCTAssertFalse(Glob("X?").matches("X"))
        XCTAssertFalse(Glob("X?").matches("X10"))
    }

    func testCharacterClasses() {
        XCTAssertTrue(Glob("[a-z]1").matches("q1"))
        XCTAssertFalse(Glob("[a-z]1").matches("Q1"))
        XCTAssertTrue(Glob("[!a-z]1").matches("Q1"))
        XCTAssertTrue(Glob("[abc]").matches("b"))
        XCTAssertFalse(Glob("[abc]").matches("d"))
        XCTAssertTrue(Glob("a[").matches("a["), "an unclosed [ is a literal")
    }

    func testCaseInsensitiveMatchingForExe() {
        XCTAssertFalse(Glob("*.exe").matches("GAME.EXE"))
        XCTAssertTrue(Glob("*.exe").matches("GAME.EXE", caseInsensitive: true))
        XCTAssertTrue(ProfileResolver.executableMatches("*.exe", "/g/GAME.EXE"))
        XCTAssertFalse(ProfileResolver.executableMatches("wine", "/usr/bin/WINE"))
        XCTAssertTrue(ProfileResolver.executableMatches("wine", "/usr/bin/wine"))
    }

    func testHasWildcards() {
        XCTAssertTrue(Glob.hasWildcards("a*"))
        XCTAssertTrue(Glob.hasWildcards("a?"))
        XCTAssertTrue(Glob.hasWildcards("a[b]"))
        XCTAssertFalse(Glob.hasWildcards("/plain/path"))
    }

    func testManyStarsDoNotBlowUp() {
        let text = String(repeating: "a", count: 2000)
        XCTAssertFalse(Glob(String(repeating: "*a", count: 30) + "b").matches(text))
    }
}

final class PathPolicyTests: XCTestCase {
    let vars = ["HOME": "/home/player", "GAME_DIR": "/games/x", "EMPTY": ""]

    func testTildeExpandsToHome() {
        XCTAssertEqual(PathPolicy.expand("~", variables: vars), .path("/home/player"))
        XCTAssertEqual(PathPolicy.expand("~/Games/", variables: vars), .path("/home/player/Games"))
    }

    func testDollarHomeExpands() {
        XCTAssertEqual(PathPolicy.expand("$HOME/.config", variables: vars), .path("/home/player/.config"))
    }

    func testBracedVariableExpandsAndNormalises() {
        XCTAssertEqual(PathPolicy.expand("${GAME_DIR}//saves/./a", variables: vars), .path("/games/x/saves/a"))
    }

    func testUnsetOrEmptyVariableIsReported() {
        XCTAssertEqual(PathPolicy.expand("${WINEPREFIX}/drive_c", variables: vars), .unset("WINEPREFIX"))
        XCTAssertEqual(PathPolicy.expand("$EMPTY/x", variables: vars), .unset("EMPTY"))
    }

    func testVariablesAreListed() {
        XCTAssertEqual(PathPolicy.variables(in: "$HOME/${GAME_DIR}/x$UID"), ["HOME", "GAME_DIR", "UID"])
    }

    func testSensitivePathsIncludeGlobMatchesAndTheirContents() {
        let home = "/home/player"
        XCTAssertTrue(SensitivePaths.isSensitive("/home/player/.ssh", home: home))
        XCTAssertTrue(SensitivePaths.isSensitive("/home/player/.ssh/id_ed25519", home: home))
        XCTAssertTrue(SensitivePaths.isSensitive("/home/player/.steam/steam/ssfn123", home: home))
        XCTAssertFalse(SensitivePaths.isSensitive("/home/player/.sshx", home: home))
        XCTAssertFalse(SensitivePaths.isSensitive("/home/player/.steam/steam/steamapps", home: home))
    }

    func testAncestorOfASensitivePathIsNotItselfSensitive() {
        // Granting ~/.steam is allowed; the planner hides ssfn* and loginusers.vdf on top of it.
        XCTAssertFalse(SensitivePaths.isSensitive("/home/player/.steam", home: "/home/player"))
    }
}
