import Foundation
import Glibc
import WardenCore
import WardenLinux
import XCTest

/// The Wine autostart service without a sandbox: a prefix folder with Wine-written registry files,
/// changed between `start` and `gameEnded` as a game would, and the trail it records into.
final class WineAutostartWatchTests: XCTestCase {
    var folder = ""
    var prefix: String { folder + "/home/.wine" }
    let startup = "drive_c/users/player/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/StartUp"
    static let run = "Software\\Microsoft\\Windows\\CurrentVersion\\Run"

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "ww-wine-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: prefix + "/" + startup, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("WardenCoreTests/Fixtures/wine/\(name)")
        return Array(try Data(contentsOf: url))
    }

    /// The fixture without the test's values: what the prefix held before the session.
    static func userBefore() throws -> [UInt8] {
        try XCTUnwrap(WineRegistryFile.rewriting(try fixture("user.reg"), [
            .removeValue(key: run, name: "Evil"), .removeValue(key: run, name: "\u{dc}n\u{ef}code"),
            .removeValue(key: "Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce", name: "Once"),
        ]))
    }

    func watch(keep: Bool = false, bindSource: String? = nil, journal: String? = nil) -> WineAutostartWatch {
        WineAutostartWatch(WineAutostartPlan(prefix: prefix, sandboxPrefix: "/home/player/.wine", bindSource: bindSource ?? folder + "/home",
                                             keep: keep, keepOrigin: "test.toml:2", temporaryFolders: [folder + "/tmp"], uid: getuid()),
                           journal: journal)
    }

    func events(_ trail: AuditTrail) -> [AuditEvent] {
        ((try? String(contentsOfFile: trail.path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { AuditEvent(jsonLine: String($0)) }
    }

    func write(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
    func contents(_ path: String) -> [UInt8] { Array((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()) }

    /// Runs a session: `start`, then `during` (the game), then `gameEnded`; returns the events recorded.
    func session(_ w: WineAutostartWatch, during: () throws -> Void) throws -> [AuditEvent] {
        let trail = try AuditTrail(path: folder + "/trail-\(UUID().uuidString.prefix(6)).jsonl", session: "0123456789abcdef", game: "wine:test")
        try w.start(trail: trail)
        try during()
        w.gameEnded(trail: trail)
        w.stop()
        let text = (try? String(contentsOfFile: trail.path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { AuditEvent(jsonLine: String($0)) }
    }

    func testWhatTheSessionAddedIsRecordedAndUndoneByteForByte() throws {
        let before = try Self.userBefore()
        try write(before, prefix + "/user.reg")
        try write(Array("@echo old\r\n".utf8), "\(prefix)/\(startup)/old.bat")
        let events = try session(watch()) {
            try write(try Self.fixture("user.reg"), prefix + "/user.reg")
            try write(Array("@echo evil\r\n".utf8), "\(prefix)/\(startup)/evil.bat")
        }
        XCTAssertEqual(events.map(\.kind), Array(repeating: VisibilityEvent.persistenceAttempt, count: 4))
        XCTAssertEqual(events.map { $0.string("value") ?? $0.string("target") }, ["Evil", "\u{dc}n\u{ef}code", "Once", "C:\\users\\player\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\StartUp\\evil.bat"])
        XCTAssertEqual(events.map { $0.bool("removed") }, [true, true, true, true])
        XCTAssertEqual(contents(prefix + "/user.reg"), before, "only the added lines went")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(prefix)/\(startup)/evil.bat"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(prefix)/\(startup)/old.bat"), "what was there before stays")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: prefix).filter { $0.hasSuffix(".tmp") }, [], "no temporary file left")
    }

    func testAnInPlaceEditThatKeepsSizeAndModificationTimeIsSeen() throws {
        let before = try Self.userBefore()
        let path = prefix + "/user.reg"
        try write(before, path)
        let text = String(decoding: before, as: UTF8.self)
        let edited = Array(text.replacingOccurrences(of: #"\"y\".exe"#, with: #"\"z\".exe"#).utf8)
        XCTAssertEqual(edited.count, before.count)
        let mtime = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        let events = try session(watch()) {
            let fd = open(path, O_WRONLY | O_TRUNC)
            XCTAssertEqual(edited.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }, edited.count)
            close(fd)
            try FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: path)
        }
        XCTAssertEqual(events.map { $0.string("value") }, ["Quote \"me\" \\back"])
        XCTAssertEqual(events.first?.string("command"), #"C:\Program Files\x\"z".exe"#)
        XCTAssertEqual(contents(path), before, "the old command is back")
    }

    func testKeepAutostartRecordsButChangesNothing() throws {
        try write(try Self.userBefore(), prefix + "/user.reg")
        let after = try Self.fixture("user.reg")
        let events = try session(watch(keep: true)) { try write(after, prefix + "/user.reg") }
        XCTAssertEqual(events.count, 3)
        XCTAssertEqual(Set(events.map { $0.bool("removed") }), [false])
        XCTAssertEqual(events.first?.string("note"), "kept: keep_autostart = true (test.toml:2)")
        XCTAssertEqual(contents(prefix + "/user.reg"), after)
    }

    func testAHalfWrittenRegistryFileIsReportedAndLeftAsItIs() throws {
        try write(try Self.userBefore(), prefix + "/user.reg")
        let whole = try Self.fixture("user.reg")
        // Cut inside the key after the Run keys: the Run values parse, the last line does not.
        let cut = Array(whole.prefix(whole.count * 3 / 4))
        let events = try session(watch()) { try write(cut, prefix + "/user.reg") }
        XCTAssertEqual(events.map { $0.string("value") }, ["Evil", "\u{dc}n\u{ef}code", "Once"])
        XCTAssertEqual(Set(events.map { $0.bool("removed") }), [false])
        XCTAssertTrue(events.first?.string("note")?.contains("user.reg did not parse completely") == true, "\(events)")
        XCTAssertEqual(contents(prefix + "/user.reg"), cut)
    }

    func testAPrefixThatLeadsOutOfItsBindIsNotTouched() throws {
        // The game made ~/.wine a link to a prefix outside the folder it can write (as the host sees it).
        let outside = folder + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: prefix)
        try FileManager.default.createSymbolicLink(atPath: prefix, withDestinationPath: outside)
        try write(try Self.userBefore(), outside + "/user.reg")
        let after = try Self.fixture("user.reg")
        let events = try session(watch()) { try write(after, outside + "/user.reg") }
        XCTAssertEqual(events.count, 0)
        XCTAssertEqual(contents(outside + "/user.reg"), after)
    }

    func testNoPrefixCostsNothingAndRecordsNothing() throws {
        try FileManager.default.removeItem(atPath: prefix)
        XCTAssertEqual(try session(watch()) {}.count, 0)
    }

    /// ww killed mid-session (no `gameEnded`): the journal of the first look is left with its lock
    /// free, and the next session of the prefix records and removes what the killed one added before
    /// its own game starts; then it sees nothing new of its own.
    func testWhatAKilledSessionAddedIsRemovedByTheNextOne() throws {
        let journal = WineAutostartWatch.journal(state: folder + "/state", prefix: prefix)
        let before = try Self.userBefore()
        try write(before, prefix + "/user.reg")
        let killed = watch(journal: journal)
        let first = try AuditTrail(path: folder + "/killed.jsonl", session: "0123456789abcdef", game: "wine:test")
        try killed.start(trail: first)
        // While that session owns the journal, a second one leaves it alone.
        let meanwhile = watch(journal: journal)
        try meanwhile.start(trail: first)
        meanwhile.stop()
        try write(try Self.fixture("user.reg"), prefix + "/user.reg")
        try write(Array("@echo evil\r\n".utf8), "\(prefix)/\(startup)/evil.bat")
        killed.stop()   // what the kernel does for a killed ww: the lock goes, the journal stays
        XCTAssertTrue(FileManager.default.fileExists(atPath: journal))
        let next = watch(journal: journal)
        let trail = try AuditTrail(path: folder + "/next.jsonl", session: "fedcba9876543210", game: "wine:test")
        try next.start(trail: trail)
        let found = events(trail)
        XCTAssertEqual(found.map { $0.string("value") ?? $0.string("target") }, ["Evil", "\u{dc}n\u{ef}code", "Once", "C:\\users\\player\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\StartUp\\evil.bat"])
        XCTAssertEqual(Set(found.map { $0.string("found") }), ["left by a session that did not end"])
        XCTAssertEqual(Set(found.map { $0.bool("removed") }), [true])
        XCTAssertEqual(contents(prefix + "/user.reg"), before, "the killed session's values are gone before the game starts")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(prefix)/\(startup)/evil.bat"))
        next.gameEnded(trail: trail)
        next.stop()
        XCTAssertEqual(events(trail).count, 4, "nothing new in the session itself")
        XCTAssertFalse(FileManager.default.fileExists(atPath: journal), "a session that ended removes its journal")
    }

    func testAnUnreadableJournalIsSaidAndRemovedNeverCompared() throws {
        let journal = WineAutostartWatch.journal(state: folder + "/state", prefix: prefix)
        try write(try Self.fixture("user.reg"), prefix + "/user.reg")
        try FileManager.default.createDirectory(atPath: folder + "/state/wine-autostart", withIntermediateDirectories: true)
        chmod(folder + "/state", 0o700); chmod(folder + "/state/wine-autostart", 0o700)
        try write(Array("ww-wine-autostart 1\nitem zz\nend\n".utf8), journal)
        let w = watch(journal: journal)
        let trail = try AuditTrail(path: folder + "/t.jsonl", session: "0123456789abcdef", game: "wine:test")
        try w.start(trail: trail)
        w.gameEnded(trail: trail)
        w.stop()
        let found = events(trail)
        XCTAssertEqual(found.map(\.kind), ["persistence_capture_status"], "\(found)")
        XCTAssertEqual(contents(prefix + "/user.reg"), try Self.fixture("user.reg"), "nothing removed on a guess")
    }
}
