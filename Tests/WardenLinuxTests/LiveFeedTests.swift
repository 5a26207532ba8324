import Foundation
import Glibc
import WardenCore
import WardenLinux
import XCTest

/// The live feed without a sandbox: a real trail file, a real socket, clients in this process.
final class LiveFeedTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "ww-feed-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    func running() -> LiveFeedClient.Running { LiveFeedClient.Running(session: "0123456789abcdef", socket: folder + "/" + LiveFeed.socketName) }

    /// Reads until `count` lines came or the feed closed (10 s at most).
    func read(_ client: LiveFeedClient, until count: Int) -> [String] {
        var lines: [String] = []
        let end = Date().addingTimeInterval(10)
        while lines.count < count && client.connected && Date() < end { lines += client.pollLines(timeout: 100) }
        return lines
    }

    func testALateClientGetsTheSessionSoFarThenEachLineOnce() throws {
        let trail = try AuditTrail(path: folder + "/trail.jsonl", session: "0123456789abcdef", game: "exe:test")
        for i in 0..<3 { trail.record("connect", [("n", .int(Int64(i)))]) }
        let feed = try LiveFeed(folder: folder, trail: trail)
        feed.start()
        for i in 3..<5 { trail.record("connect", [("n", .int(Int64(i)))]) }
        let client = try LiveFeedClient(running())
        XCTAssertEqual(read(client, until: 5).compactMap { AuditEvent(jsonLine: $0)?.int("n") }, [0, 1, 2, 3, 4], "what was written before it connected")
        trail.record("session_end")
        XCTAssertEqual(read(client, until: 1).compactMap { AuditEvent(jsonLine: $0)?.kind }, ["session_end"], "then live, nothing twice")
        feed.stop()
        _ = client.pollLines(timeout: 1000)
        XCTAssertFalse(client.connected, "stop() closes the clients")
        XCTAssertFalse(FileManager.default.fileExists(atPath: running().socket), "and removes the socket")
    }

    /// A client that never reads: the game's events keep being written at full speed, and the client
    /// is dropped once it has taken nothing for the time allowed (1 s here, 10 s in ww).
    func testAClientThatNeverReadsIsDroppedAndNeverHoldsTheGame() throws {
        let trail = try AuditTrail(path: folder + "/trail.jsonl", session: "0123456789abcdef", game: "exe:test")
        let feed = try LiveFeed(folder: folder, trail: trail, stuckAfter: 1_000_000_000)
        feed.start()
        defer { feed.stop() }
        let stuck = try LiveFeedClient(running())
        let padding = String(repeating: "x", count: 200)
        for i in 0..<20_000 { trail.record("connect", [("n", .int(Int64(i))), ("pad", .string(padding))]) }
        XCTAssertEqual(trail.linesWritten, 20_000, "every line written while the client sat on a full socket")
        // Past the limit, one more event makes the feed notice; the client's socket is then closed.
        sleep(2)
        trail.record("connect")
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let end = Date().addingTimeInterval(10)
        while Date() < end {
            let n = Glibc.read(stuck.descriptor, &chunk, chunk.count)
            if n == 0 { break }
            if n > 0 { total += n } else { usleep(10_000) }
        }
        XCTAssertGreaterThan(total, 0, "it got what fitted in its socket")
        XCTAssertLessThan(total, 20_000 * 250, "not the whole session: it was dropped")
        XCTAssertEqual(Glibc.read(stuck.descriptor, &chunk, chunk.count), 0, "closed by the feed")
        // A new client still gets everything.
        let fresh = try LiveFeedClient(running())
        XCTAssertEqual(read(fresh, until: 20_001).count, 20_001)
    }

    func testAtMost32ClientsAreServed() throws {
        let trail = try AuditTrail(path: folder + "/trail.jsonl", session: "0123456789abcdef", game: "exe:test")
        trail.record("policy_applied")
        let feed = try LiveFeed(folder: folder, trail: trail)
        feed.start()
        defer { feed.stop() }
        var clients: [LiveFeedClient] = []
        for _ in 0..<LiveFeed.maxClients { clients.append(try LiveFeedClient(running())) }
        for c in clients { XCTAssertEqual(read(c, until: 1).count, 1) }
        let extra = try LiveFeedClient(running())
        XCTAssertEqual(read(extra, until: 1), [])
        XCTAssertFalse(extra.connected, "the 33rd is closed at once")
    }
}

extension LiveFeedTests {
    /// `--log` shared by two sessions: the feed of one sends its own lines, all of them.
    func testASharedTrailFileFeedsOnlyTheSessionsOwnLines() throws {
        let path = folder + "/shared.jsonl"
        let other = try AuditTrail(path: path, session: "ffffffffffffffff", game: "exe:other")
        other.record("connect", [("n", .int(-1))])
        let mine = try AuditTrail(path: path, session: "0123456789abcdef", game: "exe:test")
        let feed = try LiveFeed(folder: folder, trail: mine)
        feed.start()
        for i in 0..<3 {
            mine.record("connect", [("n", .int(Int64(i)))])
            other.record("connect", [("n", .int(Int64(100 + i)))])
        }
        mine.record("session_end")
        let client = try LiveFeedClient(running())
        let got = read(client, until: 4)
        XCTAssertEqual(got.compactMap { AuditEvent(jsonLine: $0)?.session }, Array(repeating: "0123456789abcdef", count: 4), "\(got)")
        XCTAssertEqual(got.last.flatMap { AuditEvent(jsonLine: $0)?.kind }, "session_end", "its last line too, after the other's")
        feed.stop()
    }
}
