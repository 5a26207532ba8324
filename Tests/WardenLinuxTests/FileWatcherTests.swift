import Foundation
import Glibc
import WardenCore
import WardenLinux
import XCTest

/// The file watcher without a sandbox: a real folder, real inotify, a real trail.
final class FileWatcherTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "ww-files-\(UUID().uuidString.prefix(8))"
        for sub in ["prefix/drive_c/windows/system32", "prefix/drive_c/users/p/AppData"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    /// A new prefix writes hundreds of DLLs at once: all recorded (the trust rules tell them from the
    /// game's), while a burst anywhere else is still cut at the rate limit.
    func testWineFoldersAreNotRateLimitedAndOtherPlacesAre() throws {
        let trailPath = folder + "/trail.jsonl"
        let trail = try AuditTrail(path: trailPath, session: "0123456789abcdef", game: "exe:test")
        let watcher = FileWatcher(places: [FileWatcher.Place(path: folder + "/prefix", label: "Wine prefix")], trail: trail, ratePerSecond: 1, burst: 10)
        watcher.start()
        let ready = Date().addingTimeInterval(10)
        while !((try? String(contentsOfFile: trailPath, encoding: .utf8)) ?? "").contains("file_watch_status") && Date() < ready { usleep(10_000) }
        for i in 0..<300 { FileManager.default.createFile(atPath: folder + "/prefix/drive_c/windows/system32/f\(i).dll", contents: Data("MZ".utf8)) }
        for i in 0..<30 { FileManager.default.createFile(atPath: folder + "/prefix/drive_c/users/p/AppData/x\(i).exe", contents: Data("MZ".utf8)) }
        usleep(200_000)
        let stats = watcher.stop()
        let events = try String(contentsOfFile: trailPath, encoding: .utf8).split(separator: "\n").compactMap { AuditEvent(jsonLine: $0) }
        let written = events.filter { $0.kind == "file_written" }.compactMap { $0.string("path") }
        XCTAssertEqual(written.filter { $0.contains("/system32/") }.count, 300)
        XCTAssertLessThan(written.filter { $0.contains("/AppData/") }.count, 30, "the burst of 10 cuts the rest")
        XCTAssertGreaterThan(stats.suppressed, 0)
    }
}
