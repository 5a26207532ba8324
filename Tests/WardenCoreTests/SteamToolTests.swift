// `ww steam install-tool`'s decisions on a Steam tree held in memory: which Protons, which runtime
// each runs in, and the three files written for each.

import XCTest
@testable import WardenCore

/// Files by path; folders are every prefix of a file's path; links map one path to another.
struct MemoryTree: SteamTreeReader {
    var files: [String: String]
    var links: [String: String] = [:]

    func resolve(_ p: String) -> String {
        for (from, to) in links where p == from || p.hasPrefix(from + "/") { return to + p.dropFirst(from.count) }
        return p
    }
    func list(_ directory: String) -> [String] {
        let d = resolve(directory) + "/"
        return Array(Set(files.keys.filter { $0.hasPrefix(d) }.map { String($0.dropFirst(d.count).prefix { $0 != "/" }) })).sorted()
    }
    func text(_ file: String) -> String? { files[resolve(file)] }
    func isFile(_ path: String) -> Bool { files[resolve(path)] != nil }
    func isDirectory(_ path: String) -> Bool { let d = resolve(path) + "/"; return files.keys.contains { $0.hasPrefix(d) } }
    func canonical(_ path: String) -> String? { let r = resolve(path); return isFile(r) || isDirectory(r) ? r : nil }
}

final class SteamToolTests: XCTestCase {
    static let steam = "/home/player/.local/share/Steam"
    static let library = "/mnt/games/SteamLibrary"

    func tree() throws -> MemoryTree {
        let f = SteamFilesTests.fixture
        let s = Self.steam, l = Self.library
        let libraries = "\"libraryfolders\" { \"0\" { \"path\" \"\(s)\" } \"1\" { \"path\" \"\(l)\" } \"2\" { \"path\" \"/gone\" } }"
        return MemoryTree(files: [
            "\(s)/steamapps/libraryfolders.vdf": libraries,
            "\(s)/steamapps/appmanifest_1628350.acf": try f("appmanifest_1628350.acf"),
            "\(s)/steamapps/common/SteamLinuxRuntime_sniper/toolmanifest.vdf": try f("sniper-toolmanifest.vdf"),
            "\(s)/steamapps/common/SteamLinuxRuntime_sniper/_v2-entry-point": "",
            "\(s)/steamapps/common/Proton 9.0/toolmanifest.vdf": try f("proton-toolmanifest.vdf"),
            "\(s)/steamapps/common/Proton 9.0/proton": "",
            "\(s)/steamapps/common/Proton EasyAntiCheat Runtime/v2/lib64/x": "",
            "\(l)/steamapps/common/Proton - Experimental/toolmanifest.vdf": try f("proton-toolmanifest.vdf"),
            "\(l)/steamapps/common/Proton - Experimental/proton": "",
            "\(l)/steamapps/common/Proton 7.0/toolmanifest.vdf": "\"manifest\" { \"commandline\" \"/proton %verb%\" \"require_tool_appid\" \"1391110\" }",
            "\(l)/steamapps/common/Proton 7.0/proton": "",
            "\(s)/compatibilitytools.d/GE-Proton9-20/compatibilitytool.vdf": try f("ge-compatibilitytool.vdf"),
            "\(s)/compatibilitytools.d/GE-Proton9-20/toolmanifest.vdf": "\"manifest\" { \"version\" \"2\" \"commandline\" \"/proton %verb%\" }",
            "\(s)/compatibilitytools.d/GE-Proton9-20/proton": "",
            "\(s)/config/config.vdf": try f("config.vdf"),
        ], links: ["/home/player/.steam/root": s, "/home/player/.steam/steam": s])
    }

    func testRootsAreFoundOnceThroughTheirLinksAndFlatpakIsMarked() throws {
        var t = try tree()
        t.files["/home/player/.var/app/com.valvesoftware.Steam/.local/share/Steam/steamapps/x"] = ""
        let roots = SteamScan(reader: t).roots(home: "/home/player")
        XCTAssertEqual(roots, [SteamRoot(path: Self.steam, flatpak: false),
                               SteamRoot(path: "/home/player/.var/app/com.valvesoftware.Steam/.local/share/Steam", flatpak: true)])
    }

    func testEveryProtonIsFoundWithTheRuntimeItRequires() throws {
        let found = try SteamScan(reader: try tree()).protons(SteamRoot(path: Self.steam, flatpak: false))
        XCTAssertEqual(found.chains.map(\.name), ["Proton 9.0", "Proton - Experimental", "GE-Proton9-20"])
        let slr = Self.steam + "/steamapps/common/SteamLinuxRuntime_sniper"
        XCTAssertEqual(found.chains[0].layers.map(\.folder), [slr, Self.steam + "/steamapps/common/Proton 9.0"])
        XCTAssertEqual(found.chains[1].layers.map(\.folder), [slr, Self.library + "/steamapps/common/Proton - Experimental"], "the runtime is found in another library")
        XCTAssertEqual(found.chains[2].layers.map(\.folder), [Self.steam + "/compatibilitytools.d/GE-Proton9-20"])
        // Proton 7.0 needs soldier (1391110), which is not installed: left out, and said why.
        XCTAssertEqual(found.skipped.count, 1)
        XCTAssertTrue(found.skipped[0].hasPrefix("Proton 7.0 is left out: it needs Steam app 1391110"), found.skipped[0])
    }

    func testTheToolRunsWWAroundTheRuntimeAndProtonWithTheVerb() throws {
        let found = try SteamScan(reader: try tree()).protons(SteamRoot(path: Self.steam, flatpak: false))
        let tool = try WardenCompatTool(chain: found.chains[0], ww: "/home/player/.local/bin/ww")
        XCTAssertEqual(tool.internalName, "winewarden-proton-9.0")
        XCTAssertEqual(tool.files.map(\.name), ["compatibilitytool.vdf", "toolmanifest.vdf", "winewarden-launch"])
        let declaration = CompatToolDeclaration.parse(try VDF.parse(tool.files[0].text, file: "c"))
        XCTAssertEqual(declaration, [CompatToolDeclaration(internalName: "winewarden-proton-9.0", displayName: "WineWarden (Proton 9.0)", installPath: ".")])
        let manifest = try ToolManifest(try VDF.parse(tool.files[1].text, file: "m"), file: "m")
        XCTAssertEqual(manifest, ToolManifest(commandLine: "/winewarden-launch %verb%"), "ww's tool requires nothing: ww runs the runtime itself, inside its sandbox")
        let script = tool.files[2].text
        XCTAssertTrue(tool.files[2].executable)
        let slr = Self.steam + "/steamapps/common/SteamLinuxRuntime_sniper"
        let proton = Self.steam + "/steamapps/common/Proton 9.0"
        XCTAssertTrue(script.contains("exec /home/player/.local/bin/ww -- \(slr)/_v2-entry-point --verb=\"$verb\" -- '\(proton)/proton' \"$verb\" \"$@\"\n"), script)
        XCTAssertTrue(script.contains("STEAM_COMPAT_TOOL_PATHS='\(proton):\(slr)'${STEAM_COMPAT_TOOL_PATHS:+:$STEAM_COMPAT_TOOL_PATHS}"), script)
        for f in tool.files { XCTAssertTrue(WardenCompatTool.isWrittenByWarden(f.text), f.name) }
        XCTAssertFalse(WardenCompatTool.isWrittenByWarden(try SteamFilesTests.fixture("ge-compatibilitytool.vdf")))
    }

    func testToolNamesAreSafeFolderNames() {
        XCTAssertEqual(WardenCompatTool.internalName(forProton: "Proton - Experimental"), "winewarden-proton-experimental")
        XCTAssertEqual(WardenCompatTool.internalName(forProton: "../../x"), "winewarden-..-..-x")
        XCTAssertFalse(WardenCompatTool.internalName(forProton: "a/b").dropFirst(11).contains("/"))
    }

    func testAManifestWWCannotRebuildIsRefused() {
        let m = ToolManifest(commandLine: "proton \"%verb%\"")
        XCTAssertThrowsError(try m.words(inFolder: "/t", file: "/t/toolmanifest.vdf")) { e in
            XCTAssertTrue((e as? WardenError)?.message.hasPrefix("/t/toolmanifest.vdf: the commandline") == true, "\(e)")
        }
    }

    func testStatusReadsWhichGamesUseWWsTools() throws {
        let games = try SteamScan(reader: try tree()).gamesUsing(SteamRoot(path: Self.steam, flatpak: false))
        XCTAssertEqual(games["winewarden-proton-9.0"], ["1245620"])
        XCTAssertEqual(games["proton_9"], ["0"])
    }
}
