// Steam's VDF files (fixtures shaped like the client's own), and the tree `ww steam install-tool` reads.

import XCTest
@testable import WardenCore

final class SteamFilesTests: XCTestCase {
    static func fixture(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/steam/\(name)")
        return try String(contentsOf: url, encoding: .utf8)
    }

    func parse(_ name: String) throws -> VDF { try VDF.parse(try Self.fixture(name), file: name) }

    func testLibraryFoldersListsEveryLibraryPath() throws {
        XCTAssertEqual(SteamFiles.libraryFolders(try parse("libraryfolders.vdf")), ["/home/player/.local/share/Steam", "/mnt/games/SteamLibrary"])
    }

    func testOldLibraryFoldersFormatGivesThePathsAndSkipsTheStatistics() throws {
        XCTAssertEqual(SteamFiles.libraryFolders(try parse("libraryfolders-old.vdf")), ["/media/old/SteamLibrary"])
    }

    func testCompatToolMappingNamesEachGamesToolAndSkipsEmptyOnes() throws {
        let map = SteamFiles.compatToolMapping(try parse("config.vdf"))
        XCTAssertEqual(map.map(\.app), ["0", "1245620"])
        XCTAssertEqual(map.map(\.tool), ["proton_9", "winewarden-proton-9.0"])
    }

    func testAppManifestGivesTheInstallFolder() throws {
        XCTAssertEqual(SteamFiles.installDirectory(appManifest: try parse("appmanifest_1628350.acf")), "SteamLinuxRuntime_sniper")
        let sneaky = try VDF.parse("\"AppState\" { \"installdir\" \"../../.ssh\" }", file: "x.acf")
        XCTAssertNil(SteamFiles.installDirectory(appManifest: sneaky), "an install folder is one name below steamapps/common")
    }

    func testProtonManifestRequiresTheRuntime() throws {
        let m = try ToolManifest(try parse("proton-toolmanifest.vdf"), file: "toolmanifest.vdf")
        XCTAssertEqual(m.commandLine, "/proton %verb%")
        XCTAssertEqual(m.requiredToolAppID, "1628350")
        XCTAssertEqual(m.layerName, "proton")
        XCTAssertEqual(try m.words(inFolder: "/s/common/Proton 9.0", file: "m"), ["/s/common/Proton 9.0/proton", "%verb%"])
        let slr = try ToolManifest(try parse("sniper-toolmanifest.vdf"), file: "toolmanifest.vdf")
        XCTAssertNil(slr.requiredToolAppID)
        XCTAssertTrue(slr.usesToolSubprocessReaper)
        XCTAssertEqual(try slr.words(inFolder: "/s/SLR", file: "m"), ["/s/SLR/_v2-entry-point", "--verb=%verb%", "--"])
    }

    func testCompatibilityToolDeclarationWithCommentsParses() throws {
        let d = CompatToolDeclaration.parse(try parse("ge-compatibilitytool.vdf"))
        XCTAssertEqual(d, [CompatToolDeclaration(internalName: "GE-Proton9-20", displayName: "GE-Proton9-20", installPath: ".")])
        // The spelling Valve's documentation uses.
        let spaced = try VDF.parse("\"compatibilitytools\" { \"compat tools\" { \"x\" { \"display_name\" \"X\" } } }", file: "c")
        XCTAssertEqual(CompatToolDeclaration.parse(spaced).map(\.displayName), ["X"])
    }

    func testKeysCompareWithoutCaseEscapesAndConditionsAreRead() throws {
        let v = try VDF.parse("\"A\" { \"Path\" \"C:\\\\Games \\\"x\\\"\" [$WIN32] bare value\n }", file: "e")
        XCTAssertEqual(v.block("a")?.text("path"), "C:\\Games \"x\"")
        XCTAssertEqual(v.block("a")?.text("BARE"), "value")
    }

    func testBrokenFilesAreOneSentenceWithTheLine() {
        for (text, what) in [("\"a\"\n{\n\"b\" \"c\"\n", "not closed"), ("\"a\" \"b\"\n}", "closes no block"),
                             ("\"a\" {\n\"b\"\n}", "has no value"), ("\"a\" \"unterminated\n", "quoted string")] {
            XCTAssertThrowsError(try VDF.parse(text, file: "/s/x.vdf")) { e in
                let m = (e as? WardenError)?.message ?? "\(e)"
                XCTAssertTrue(m.hasPrefix("/s/x.vdf:") && m.contains(what), m)
            }
        }
    }

    func testWhatWWWritesParsesBackTheSame() throws {
        let v = VDF([.init("k", .block(VDF([.init("a \"q\" \\", .text("v\\\"")), .init("n", .block(VDF()))])))])
        XCTAssertEqual(try VDF.parse(v.rendered(), file: "r"), v)
    }
}
