import Foundation
import XCTest
@testable import WardenCore

/// Wine's registry text format: files written by Wine 8 (a prefix made with `wineboot -i`, values
/// added with `wine reg add`; system.reg trimmed to its autostart, service and device keys) and
/// hand-written broken ones.
final class WineRegistryTests: XCTestCase {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/wine/\(name)")
        return Array(try Data(contentsOf: url))
    }

    func parse(_ text: String) -> WineRegistryFile { WineRegistryFile.parse(Array(text.utf8)) }

    func testWineWrittenUserRegParsesCompletely() throws {
        let file = WineRegistryFile.parse(try Self.fixture("user.reg"))
        XCTAssertTrue(file.isComplete, file.notes.joined(separator: "\n"))
        XCTAssertEqual(file.root, "REGISTRY\\User\\S-1-5-21-0-0-0-1000")
        XCTAssertEqual(file.arch, "win64")
        let run = try XCTUnwrap(file.key("Software\\Microsoft\\Windows\\CurrentVersion\\Run"))
        XCTAssertEqual(run.modified, 1796406832)
        XCTAssertEqual(run.value("Evil")?.data, .string("C:\\evil.exe --silent"))
        XCTAssertEqual(run.value("evil")?.data, .string("C:\\evil.exe --silent"), "names compare without case")
        XCTAssertEqual(run.value("Quote \"me\" \\back")?.data, .string("C:\\Program Files\\x\\\"y\".exe"))
        // Wine wrote the Latin-1 bytes of the shell's UTF-8 as \x escapes, four digits before a hex digit.
        XCTAssertEqual(run.values.map(\.name), ["Evil", "Quote \"me\" \\back", "\u{dc}n\u{ef}code"])
        XCTAssertEqual(run.values[2].data, .string("C:\\Spiel\\Gr\u{f6}\u{df}e.exe"))
    }

    func testValueTypesWineWrites() throws {
        let file = WineRegistryFile.parse(try Self.fixture("user.reg"))
        let once = try XCTUnwrap(file.key("software\\microsoft\\windows\\currentversion\\runonce"))
        XCTAssertEqual(once.value("Once")?.data, .expandString("%SystemRoot%\\system32\\once.exe"))
        let test = try XCTUnwrap(file.key("Software\\WWTest"))
        XCTAssertEqual(test.value(nil)?.data, .string("default value"))
        XCTAssertEqual(test.value("Count")?.data, .dword(10))
        XCTAssertEqual(test.value("Multi")?.data, .multiString(["one", "two", "three"]))
        XCTAssertEqual(test.value("Line")?.data, .string("a\\nb"))
        let blob = try XCTUnwrap(test.value("Blob"))
        XCTAssertEqual(blob.data, .binary(type: 3, Array(0...0x2f)))
        XCTAssertEqual(blob.lines.count, 3, "hex data continued over two more lines")
    }

    func testWineWrittenSystemRegHasServicesLinksAndHexStrings() throws {
        let file = WineRegistryFile.parse(try Self.fixture("system.reg"))
        XCTAssertTrue(file.isComplete, file.notes.joined(separator: "\n"))
        XCTAssertEqual(file.root, "REGISTRY\\Machine")
        XCTAssertEqual(file.key("System\\CurrentControlSet\\Services\\EvilSvc")?.value("ImagePath")?.data, .string("C:\\svc.exe"))
        XCTAssertEqual(file.key("System\\CurrentControlSet\\Services\\EvilSvc")?.value("Start")?.data, .dword(2))
        XCTAssertEqual(file.key("Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon")?.value("Shell")?.data, .string("explorer.exe,C:\\evil.exe"))
        let bus = try XCTUnwrap(file.key("System\\CurrentControlSet\\Enum\\ROOT\\WINE\\WINEBUS"))
        guard case .multiString(let ids)? = bus.value("HardwareId")?.data else { return XCTFail("HardwareId is not a multi-string") }
        XCTAssertEqual(ids.first, "root\\winebus")
        // A #link key: its target is a hex(6) value, kept as bytes.
        guard case .binary(6, let target)? = file.key("Software\\Wow6432Node\\Classes")?.value("SymbolicLinkValue")?.data else { return XCTFail("no link value") }
        XCTAssertEqual(String(decoding: stride(from: 0, to: target.count - 1, by: 2).map { UInt16(target[$0]) | UInt16(target[$0 + 1]) << 8 }, as: UTF16.self),
                       "\\Registry\\Machine\\Software\\Classes\\Wow6432Node")
    }

    func testUserdefRegParses() throws {
        let file = WineRegistryFile.parse(try Self.fixture("userdef.reg"))
        XCTAssertTrue(file.isComplete, file.notes.joined(separator: "\n"))
        XCTAssertEqual(file.root, "REGISTRY\\User\\.Default")
    }

    func testEscapes() {
        let file = parse("WINE REGISTRY Version 2\n\n[A\\\\B\\]c] 5\n\"t\"=\"tab\\there\\x41\\x4142\\101\\0end\\q\\x\"\n@=hex(2):25,00,41,00,00,00\n\"q\"=hex(b):01,00,00,00,00,00,00,00\n\"e\"=hex:\n")
        XCTAssertTrue(file.isComplete, file.notes.joined(separator: "\n"))
        let k = file.keys[0]
        XCTAssertEqual(k.path, "A\\B]c")
        XCTAssertEqual(k.value("t")?.data, .string("tab\there" + "A" + "\u{4142}" + "A" + "\u{0}end" + "q" + "x"))
        XCTAssertEqual(k.value(nil)?.data, .expandString("%A"))
        XCTAssertEqual(k.value("q")?.data, .qword(1))
        XCTAssertEqual(k.value("e")?.data, .binary(type: 3, []))
    }

    func testMalformedLinesBecomeNotesAndTheRestParses() {
        let file = parse("""
            WINE REGISTRY Version 2
            "orphan"="before any key"

            [Good] 1
            "a"="1"
            "b"=dword:12
            "c"="unterminated
            garbage line
            "d"="4"

            [Broken 2
            "e"="skipped"

            [Also\\\\Good]
            "f"=hex:0g

            """)
        XCTAssertFalse(file.isComplete)
        XCTAssertEqual(file.notes, [
            "line 2: a value outside any key",
            "line 6: a value line that is not understood",
            "line 7: a value line that is not understood",
            "line 8: a value line that is not understood",
            "line 11: a key line that is not understood; the values below it are skipped",
            "line 15: a value line that is not understood",
        ])
        XCTAssertEqual(file.key("Good")?.values.map(\.name), ["a", "d"])
        XCTAssertEqual(file.key("Also\\Good")?.values.count, 0)
    }

    func testAHalfWrittenFileKeepsWhatParsesAndIsNotComplete() throws {
        let whole = try Self.fixture("user.reg")
        let cut = Array(whole.prefix(whole.count / 2))
        let file = WineRegistryFile.parse(cut)
        XCTAssertFalse(file.isComplete)
        XCTAssertTrue(file.notes.contains { $0.contains("ends in the middle of a line") }, file.notes.joined(separator: "\n"))
        XCTAssertGreaterThan(file.keys.count, 20)
        XCTAssertNil(WineRegistryFile.rewriting(cut, [.removeValue(key: "Software\\WWTest", name: "Count")]), "never written")
        let unterminatedHex = WineRegistryFile.parse(Array("WINE REGISTRY Version 2\n[K]\n\"b\"=hex:01,\\\n".utf8))
        XCTAssertEqual(unterminatedHex.notes, ["line 3: hex data that continues past the end of the file"])
    }

    func testNotARegistryFile() {
        XCTAssertEqual(parse("").notes, ["the file is empty"])
        XCTAssertEqual(parse("REGEDIT4\n[K]\n").notes, ["line 1: not a Wine registry file (it must start with \"WINE REGISTRY Version 2\")"])
        XCTAssertNil(WineRegistryFile.rewriting(Array("REGEDIT4\n[K]\n".utf8), []))
    }

    func testRemovingAValueChangesOnlyItsLines() throws {
        let original = try Self.fixture("user.reg")
        let out = try XCTUnwrap(WineRegistryFile.rewriting(original, [
            .removeValue(key: "Software\\Microsoft\\Windows\\CurrentVersion\\Run", name: "EVIL"),
            .removeValue(key: "Software\\WWTest", name: "Blob"),
        ]))
        let before = String(decoding: original, as: UTF8.self).components(separatedBy: "\n")
        let after = String(decoding: out, as: UTF8.self).components(separatedBy: "\n")
        let dropped = before.filter { !after.contains($0) }
        XCTAssertEqual(dropped, ["\"Evil\"=\"C:\\\\evil.exe --silent\"", "\"Blob\"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,\\",
                                 "  16,17,18,19,1a,1b,1c,1d,1e,1f,20,21,22,23,24,25,26,27,28,29,2a,2b,2c,2d,2e,\\", "  2f"])
        XCTAssertEqual(before.count - after.count, 4)
        XCTAssertEqual(out.count, original.count - dropped.map { $0.utf8.count + 1 }.reduce(0, +), "every other byte kept")
        let reread = WineRegistryFile.parse(out)
        XCTAssertTrue(reread.isComplete)
        XCTAssertNil(reread.key("Software\\Microsoft\\Windows\\CurrentVersion\\Run")?.value("Evil"))
        XCTAssertNotNil(reread.key("Software\\Microsoft\\Windows\\CurrentVersion\\Run")?.value("Quote \"me\" \\back"))
        XCTAssertEqual(reread.key("Software\\WWTest")?.value("Count")?.data, .dword(10))
    }

    func testRemovingAKeyTakesItsSubkeysAndNothingElse() {
        let text = "WINE REGISTRY Version 2\n\n[S\\\\A] 1\n\"x\"=\"1\"\n\n[S\\\\Evil] 2\n\"ImagePath\"=\"C:\\\\e.exe\"\n\n[S\\\\Evil\\\\Parameters] 2\n\"p\"=\"1\"\n\n[S\\\\EvilTwin] 3\n\"y\"=\"2\"\n"
        let out = WineRegistryFile.rewriting(Array(text.utf8), [.removeKey("s\\evil")]).map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(out, "WINE REGISTRY Version 2\n\n[S\\\\A] 1\n\"x\"=\"1\"\n\n[S\\\\EvilTwin] 3\n\"y\"=\"2\"\n")
    }

    func testRestoringAValuePutsBackItsOldLines() {
        let before = Array("WINE REGISTRY Version 2\n\n[W] 1\n\"Shell\"=\"explorer.exe\"\n\n[X] 1\n".utf8)
        let after = Array("WINE REGISTRY Version 2\n\n[W] 2\n\"Shell\"=\"explorer.exe,C:\\\\evil.exe\"\n\"Userinit\"=\"evil\"\n\n[X] 1\n".utf8)
        let parsed = WineRegistryFile.parse(before)
        let old = parsed.bytes(of: parsed.key("W")!.value("Shell")!.lines, in: before)
        XCTAssertEqual(String(decoding: old, as: UTF8.self), "\"Shell\"=\"explorer.exe\"\n")
        let out = WineRegistryFile.rewriting(after, [.restoreValue(key: "W", name: "Shell", lines: old), .removeValue(key: "W", name: "Userinit")])
            .map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(out, "WINE REGISTRY Version 2\n\n[W] 2\n\"Shell\"=\"explorer.exe\"\n\n[X] 1\n")
        // A value the session deleted comes back at the end of its key.
        let deleted = Array("WINE REGISTRY Version 2\n\n[W] 2\n\"Other\"=\"1\"\n\n[X] 1\n".utf8)
        XCTAssertEqual(WineRegistryFile.rewriting(deleted, [.restoreValue(key: "W", name: "Shell", lines: old)]).map { String(decoding: $0, as: UTF8.self) },
                       "WINE REGISTRY Version 2\n\n[W] 2\n\"Other\"=\"1\"\n\"Shell\"=\"explorer.exe\"\n\n[X] 1\n")
    }
}
