// The profiles compiled into ww, `ww profile new`'s template, and the profile a compatibility tool's chain gets.

import XCTest
@testable import WardenCore

final class ShippedProfilesTests: XCTestCase {
    /// `make profiles` regenerates the Swift source; a profile edited without it would ship stale.
    func testCompiledInProfilesAreTheRepositorysFilesByteForByte() throws {
        let dir = Fixture.repoRoot.appendingPathComponent("profiles")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".toml") }.sorted()
        XCTAssertEqual(ShippedProfiles.texts.map(\.name), files.map { String($0.dropLast(5)) }, "run `make profiles`")
        for (name, text) in ShippedProfiles.texts {
            XCTAssertEqual(text, try String(contentsOf: dir.appendingPathComponent(name + ".toml"), encoding: .utf8), "\(name): run `make profiles`")
        }
    }

    func testAFileOfTheSameNameOverridesTheBuiltInOne() throws {
        let user = ProfileSource(name: "default", path: "/home/p/.config/winewarden/profiles/default.toml", text: "description = \"mine\"\n")
        let catalog = ProfileCatalog(searchOrder: [user] + ProfileSource.builtIn)
        XCTAssertEqual(catalog.source(named: "default")?.path, user.path)
        XCTAssertTrue(catalog.source(named: "wine")?.isBuiltIn == true)
        XCTAssertEqual(catalog.source(named: "wine")?.path, "<built-in>/wine.toml")
        XCTAssertEqual(catalog.shadowed.map(\.path), ["<built-in>/default.toml"])
        // The built-ins alone load, extends and all.
        let steam = try ProfileResolver(catalog: ProfileCatalog(searchOrder: ProfileSource.builtIn)).load(named: "steam-proton")
        XCTAssertEqual(steam.chain, ["<built-in>/default.toml", "<built-in>/steam-native.toml", "<built-in>/steam-proton.toml"])
    }

    // MARK: ww profile new

    func load(_ t: ProfileTemplate) throws -> Profile {
        let source = ProfileSource(name: t.name, path: "/u/\(t.name).toml", text: t.text)
        return try ProfileResolver(catalog: ProfileCatalog(searchOrder: [source] + ProfileSource.builtIn)).load(source)
    }

    func testNewSteamProfileExtendsSteamProtonAndMatchesTheAppId() throws {
        let t = ProfileTemplate(name: "elden", extends: ProfileTemplate.base(forGame: "steam:1245620", profileUsed: nil, exe: nil),
                                steamAppIDs: [1245620], origin: "Steam AppId 1245620")
        XCTAssertEqual(t.extends, "steam-proton")
        let p = try load(t)
        XCTAssertEqual(p.match.steamAppIDs, [1245620])
        XCTAssertEqual(p.chain.last, "/u/elden.toml")
        XCTAssertTrue(t.text.hasPrefix("# elden: written by `ww profile new` (Steam AppId 1245620).\n"), t.text)
        XCTAssertTrue(t.text.contains("# read_write = ["), "the file shows what can be added")
    }

    func testNewWineProfileMatchesTheProgramsPath() throws {
        let exe = ProfileTemplate.executablePattern("/home/p/Games/My Game/game.exe")
        let t = ProfileTemplate(name: "mygame", extends: ProfileTemplate.base(forGame: nil, profileUsed: nil, exe: exe), executables: [exe], origin: "x")
        XCTAssertEqual(t.extends, "wine")
        XCTAssertEqual(try load(t).match.executables, ["/home/p/Games/My Game/game.exe"])
        XCTAssertEqual(ProfileTemplate.executablePattern("/g/[x]/a.exe"), "a.exe", "a path with glob characters matches by file name")
        XCTAssertEqual(ProfileTemplate.base(forGame: "steam:570", profileUsed: "steam-native", exe: nil), "steam-native", "the profile the last session used")
        XCTAssertEqual(ProfileTemplate.base(forGame: "exe:abc", profileUsed: "mine", exe: nil), "default")
    }

    /// A profile for one Windows program extends `wine`, which matches the `wine` command: the refinement wins.
    func testAMatchingProfileWinsOverTheProfileItExtends() throws {
        let t = ProfileTemplate(name: "mygame", extends: "wine", executables: ["/g/game.exe"], origin: "x")
        let mine = ProfileSource(name: t.name, path: "/u/mygame.toml", text: t.text)
        let other = ProfileSource(name: "other", path: "/u/other.toml", text: "extends = \"default\"\n[match]\nexecutables = [\"game.exe\"]\n")
        let user = UserInfo(name: "player", uid: 1000, gid: 1000, home: "/home/player")
        let ctx = LaunchContext(command: ["wine", "/g/game.exe"], environment: [:], workingDirectory: "/g", user: user,
                                resolvedCommand: "/usr/bin/wine", windowsExecutable: "/g/game.exe")
        let resolver = ProfileResolver(catalog: ProfileCatalog(searchOrder: [mine] + ProfileSource.builtIn))
        XCTAssertEqual(try resolver.select(for: ctx, identity: GameIdentity.resolve(ctx)).1, .executable("/g/game.exe"))
        // Two profiles that do not extend each other both matching stay an error.
        let both = ProfileResolver(catalog: ProfileCatalog(searchOrder: [mine, other] + ProfileSource.builtIn))
        XCTAssertThrowsError(try both.select(for: ctx, identity: GameIdentity.resolve(ctx)))
    }

    func testNamesThatAreNotFileNamesOrShippedNamesAreRefused() {
        for bad in ["", "a/b", "../x", ".hidden", "-x", "a b", "default"] {
            XCTAssertThrowsError(try ProfileTemplate.checkName(bad, shipped: ShippedProfiles.texts.map(\.name)), bad)
        }
        XCTAssertNoThrow(try ProfileTemplate.checkName("elden-ring_2.0", shipped: ["default"]))
    }

    // MARK: a compatibility tool's chain

    func testTheChainACompatToolHandsWWGetsTheSteamProfileAsUnderReaper() throws {
        let user = UserInfo(name: "player", uid: 1000, gid: 1000, home: "/home/player")
        let slr = "/home/player/.local/share/Steam/steamapps/common/SteamLinuxRuntime_sniper"
        let proton = "/home/player/.local/share/Steam/steamapps/common/Proton 9.0"
        let env = ["SteamAppId": "1245620", "STEAM_COMPAT_APP_ID": "1245620"]
        let resolver = ProfileResolver(catalog: ProfileCatalog(searchOrder: ProfileSource.builtIn))
        for command in [["\(slr)/_v2-entry-point", "--verb=run", "--", "\(proton)/proton", "run", "/g/setup.exe"],
                        ["\(proton)/proton", "waitforexitandrun", "/g/game.exe"]] {
            let ctx = LaunchContext(command: command, environment: env, workingDirectory: "/g", user: user, resolvedCommand: command[0],
                                    windowsExecutable: LaunchContext.windowsProgramArgument(in: command))
            let identity = GameIdentity.resolve(ctx)
            XCTAssertEqual(identity.id, "steam:1245620")
            let (source, selection) = try resolver.select(for: ctx, identity: identity)
            XCTAssertEqual(source.name, "steam-proton", "\(command)")
            XCTAssertEqual(selection, .steamLaunch(app: 1245620, proton: true))
        }
        // Steam's variables alone, without Steam's chain, change nothing.
        let plain = LaunchContext(command: ["/usr/bin/wine", "x.exe"], environment: env, workingDirectory: "/g", user: user, resolvedCommand: "/usr/bin/wine", windowsExecutable: "/g/x.exe")
        XCTAssertEqual(try resolver.select(for: plain, identity: GameIdentity.resolve(plain)).0.name, "wine")
    }
}
