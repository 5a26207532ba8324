import Foundation
import XCTest
@testable import WardenCore

/// The Wine autostart check's decisions: which entries of the Wine-written fixtures are autostart
/// entries, what counts as added, how each is undone, and the plan's part.
final class WineAutostartTests: XCTestCase {
    static let run = "Software\\Microsoft\\Windows\\CurrentVersion\\Run"
    static let winlogon = "Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon"

    func items(_ bytes: [UInt8]) -> [WineAutostart.RegistryItem] {
        WineAutostart.items(WineRegistryFile.parse(bytes, onlyKeys: WineAutostart.isAutostartKey), bytes: bytes)
    }

    /// The fixture as it was before `wine reg add` put the test's values in.
    func userBefore() throws -> [UInt8] {
        try XCTUnwrap(WineRegistryFile.rewriting(try WineRegistryTests.fixture("user.reg"), [
            .removeValue(key: Self.run, name: "Evil"), .removeValue(key: Self.run, name: "\u{dc}n\u{ef}code"),
            .removeValue(key: "Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce", name: "Once"),
        ]))
    }

    func testNewRunValuesAreFoundWithKeyValueAndCommand() throws {
        let after = try WineRegistryTests.fixture("user.reg")
        let found = WineAutostart.added(file: "user.reg", hive: "HKCU", before: items(try userBefore()), after: items(after))
        XCTAssertEqual(found.map(\.target), ["HKCU\\\(Self.run)", "HKCU\\\(Self.run)", "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce"])
        XCTAssertEqual(found.map(\.value), ["Evil", "\u{dc}n\u{ef}code", "Once"])
        XCTAssertEqual(found.map(\.command), ["C:\\evil.exe --silent", "C:\\Spiel\\Gr\u{f6}\u{df}e.exe", "%SystemRoot%\\system32\\once.exe"])
        XCTAssertEqual(Set(found.map(\.mechanism)), [.wineRunKey])
        XCTAssertEqual(found[0].undo, .registry(file: "user.reg", .removeValue(key: Self.run, name: "Evil")))
    }

    func testUndoingEveryFindingGivesBackTheFileByteForByte() throws {
        let before = try userBefore()
        let after = try WineRegistryTests.fixture("user.reg")
        let edits = WineAutostart.added(file: "user.reg", hive: "HKCU", before: items(before), after: items(after)).compactMap { f -> WineRegistryEdit? in
            if case .registry(_, let e) = f.undo { return e }
            return nil
        }
        XCTAssertEqual(WineRegistryFile.rewriting(after, edits), before)
    }

    func testAChangedWinlogonShellIsRestoredAndAnUnchangedValueIsNot() throws {
        let after = try WineRegistryTests.fixture("system.reg")
        let stock = Array("\"Shell\"=\"explorer.exe\"\n".utf8)
        let before = try XCTUnwrap(WineRegistryFile.rewriting(after, [
            .restoreValue(key: Self.winlogon, name: "Shell", lines: stock),
            .removeKey("System\\CurrentControlSet\\Services\\EvilSvc"),
            .removeValue(key: Self.run, name: "MachineEvil"),
        ]))
        let found = WineAutostart.added(file: "system.reg", hive: "HKLM", before: items(before), after: items(after))
        XCTAssertEqual(found.map(\.mechanism), [.wineRunKey, .wineWinlogon, .wineService])
        XCTAssertEqual(found.map(\.target), ["HKLM\\\(Self.run)", "HKLM\\\(Self.winlogon)", "HKLM\\System\\CurrentControlSet\\Services\\EvilSvc"])
        XCTAssertEqual(found[1].value, "Shell")
        XCTAssertEqual(found[1].command, "explorer.exe,C:\\evil.exe")
        XCTAssertEqual(found[1].undo, .registry(file: "system.reg", .restoreValue(key: Self.winlogon, name: "Shell", lines: stock)))
        XCTAssertNil(found[2].value)
        XCTAssertEqual(found[2].command, "C:\\svc.exe")
        XCTAssertEqual(found[2].undo, .registry(file: "system.reg", .removeKey("System\\CurrentControlSet\\Services\\EvilSvc")))
        XCTAssertEqual(WineRegistryFile.rewriting(after, found.compactMap { if case .registry(_, let e) = $0.undo { return e }; return nil }), before)
        XCTAssertEqual(WineAutostart.added(file: "system.reg", hive: "HKLM", before: items(after), after: items(after)), [], "nothing new")
    }

    func testInANewPrefixWinesOwnServicesAreSetUpButOthersAreFound() throws {
        let found = WineAutostart.added(file: "system.reg", hive: "HKLM", before: nil, after: items(try WineRegistryTests.fixture("system.reg")))
        XCTAssertEqual(found.map(\.target), ["HKLM\\\(Self.run)", "HKLM\\\(Self.winlogon)", "HKLM\\System\\CurrentControlSet\\Services\\EvilSvc"])
    }

    func testWow6432NodeRunKeysCount() {
        let text = "WINE REGISTRY Version 2\n\n[Software\\\\Wow6432Node\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\RunServicesOnce] 1\n@=\"C:\\\\x.exe\"\n\n[Software\\\\Wine] 1\n\"Run\"=\"no\"\n"
        let found = WineAutostart.added(file: "system.reg", hive: "HKLM", before: [], after: items(Array(text.utf8)))
        XCTAssertEqual(found.map(\.target), ["HKLM\\Software\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\RunServicesOnce"])
        XCTAssertEqual(found.map(\.value), ["(Default)"])
        XCTAssertEqual(found.first?.undo, .registry(file: "system.reg", .removeValue(key: "Software\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\RunServicesOnce", name: nil)))
    }

    func testNewStartupFilesAreFoundByTheirWindowsPath() {
        let folder = "drive_c/users/player/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup"
        let found = WineAutostart.addedFiles(before: ["\(folder)/old.lnk"], after: ["\(folder)/old.lnk", "\(folder)/evil.bat"])
        XCTAssertEqual(found.map(\.target), ["C:\\users\\player\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\evil.bat"])
        XCTAssertEqual(found.first?.mechanism, .wineStartupFolder)
        XCTAssertNil(found.first?.command, "the file itself is what runs")
        XCTAssertEqual(found.first?.undo, .deleteFile("\(folder)/evil.bat"))
        XCTAssertTrue(WineAutostart.component("STARTUP", matches: "StartUp"))
        XCTAssertTrue(WineAutostart.component("steamuser", matches: "*"))
    }

    func testWineserverFoldersOfUpstreamAndDebian() {
        let plan = WineAutostartPlan(prefix: "/v/home/.wine", sandboxPrefix: "/home/p/.wine", bindSource: "/v/home", keep: false,
                                     keepOrigin: "x", temporaryFolders: ["/tmp", "/v/tmp"], uid: 1000)
        XCTAssertEqual(plan.serverDirectories(dev: 0xfe00, ino: 0xf82489, debianName: "wine-M06A2R"), [
            "/tmp/.wine-1000/server-fe00-f82489", "/tmp/wine-M06A2R/server-fe00-f82489",
            "/v/tmp/.wine-1000/server-fe00-f82489", "/v/tmp/wine-M06A2R/server-fe00-f82489"])
        XCTAssertEqual(plan.serverDirectories(dev: 1, ino: 2, debianName: "../etc").count, 2, "a name with a slash is ignored")
    }

    func testThePlanWatchesTheWinePrefixOnTheHost() throws {
        let wine = try Fixture.plan("wine")
        XCTAssertEqual(wine.wineAutostart?.prefix, "/home/player/Prefixes/foo")
        XCTAssertEqual(wine.wineAutostart?.keep, false)
        XCTAssertEqual(wine.wineAutostart?.temporaryFolders, ["/tmp", "/home/player/.local/share/winewarden/virtual/\(wine.game.id)/tmp"])
        let native = try Fixture.plan("default-native")
        XCTAssertEqual(native.wineAutostart?.prefix, "/home/player/.local/share/winewarden/virtual/\(native.game.id)/home/.wine")
        XCTAssertEqual(native.wineAutostart?.sandboxPrefix, "/home/player/.wine")
        let steam = try Fixture.plan("steam")
        XCTAssertEqual(steam.wineAutostart?.prefix, "/home/player/.steam/steam/steamapps/compatdata/1245620/pfx")
    }

    func testWWPlanShowsThePrefixAndWhatHappensAtTheEnd() throws {
        let plan = try Fixture.plan("default-native")
        let text = PlanText.render(plan, bwrap: BwrapCommand.render(plan))
        XCTAssertTrue(text.contains("wine        autostart of /home/player/.wine (on the host /home/player/.local/share/winewarden/virtual/\(plan.game.id)/home/.wine)"), text)
        XCTAssertTrue(text.contains("what the session adds is removed at its end (keep_autostart = false, <built-in: defaults>)"), text)
    }

    func testACopyOnWritePrefixIsNotWatchedAndThePlanSaysSo() throws {
        let source = ProfileSource(name: "cow", path: "cow.toml", text: "extends = \"wine\"\n[filesystem]\ncopy_on_write = [\"${WINEPREFIX}\"]\n")
        let c = try XCTUnwrap(Fixture.cases.first { $0.name == "wine" })
        let plan = try Fixture.plan(Fixture.Case(name: "cow", context: c.context, profile: "cow"), catalog: try Fixture.catalog(adding: source))
        XCTAssertNil(plan.wineAutostart)
        XCTAssertTrue(plan.notes.contains { $0.contains("/home/player/Prefixes/foo is copy-on-write") }, "\(plan.notes)")
    }

    func testKeepAutostartComesFromTheProfile() throws {
        let source = ProfileSource(name: "keep", path: "keep.toml", text: "extends = \"wine\"\n[wine]\nkeep_autostart = true\n")
        let c = try XCTUnwrap(Fixture.cases.first { $0.name == "wine" })
        let plan = try Fixture.plan(Fixture.Case(name: "keep", context: c.context, profile: "keep"), catalog: try Fixture.catalog(adding: source))
        XCTAssertEqual(plan.wineAutostart?.keep, true)
        XCTAssertEqual(plan.wineAutostart?.keepOrigin, "keep.toml:3")
    }

    func testTheJournalRoundTripsAndRefusesWhatItCannotRead() throws {
        let content = WineAutostartJournal.Content(registry: [
            "user.reg": [WineAutostart.RegistryItem(mechanism: .wineRunKey, key: "Software\\Microsoft\\Windows\\CurrentVersion\\Run", name: "Ev il\n",
                                                    command: "C:\\evil.exe \"x y\"", lines: Array("\"Ev il\"=\"C:\\\\evil.exe\"\n".utf8))],
            "system.reg": [WineAutostart.RegistryItem(mechanism: .wineService, key: "System\\CurrentControlSet\\Services\\Evil", name: nil, command: "c:\\x.exe", lines: [])],
            "userdef.reg": [],
        ], startupFiles: ["drive_c/x y/\u{e9}.bat"])
        let bytes = WineAutostartJournal.encode(content)
        XCTAssertEqual(WineAutostartJournal.decode(bytes), content)
        XCTAssertFalse(String(decoding: bytes, as: UTF8.self).contains("evil"), "fields are encoded, never raw")
        XCTAssertNil(WineAutostartJournal.decode(Array("ww-wine-autostart 2\n".utf8)))
        XCTAssertNil(WineAutostartJournal.decode(Array(bytes.dropLast(3))), "a cut line")
        XCTAssertNil(WineAutostartJournal.decode(Array("ww-wine-autostart 1\nitem 00 00 - 00 00\nend\n".utf8)), "an item before any file")
        XCTAssertNil(WineAutostartJournal.decode(Array("ww-wine-autostart 1\n".utf8)))
        XCTAssertEqual(WineAutostartJournal.decode(Array("ww-wine-autostart 1\nend\n".utf8)), WineAutostartJournal.Content(registry: [:], startupFiles: []))
    }
}
