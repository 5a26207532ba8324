import XCTest
@testable import WardenCore

final class TrustEngineTests: XCTestCase {
    let start = TrustStanding.start
    func exec(_ p: String) -> TrustEvent { TrustEvent(kind: "exec_allowed", program: p) }

    func testTiers() {
        XCTAssertEqual(TrustTier.of(score: 0), .red)
        XCTAssertEqual(TrustTier.of(score: 29), .red)
        XCTAssertEqual(TrustTier.of(score: 30), .yellow)
        XCTAssertEqual(TrustTier.of(score: 70), .yellow)
        XCTAssertEqual(TrustTier.of(score: 71), .green)
        XCTAssertEqual(start.tier, .yellow)
    }

    func testEachSensitiveAccessCostsTen() {
        let events = [TrustEvent(kind: "exec_refused", program: "/bin/bash"), TrustEvent(kind: "syscall_refused", detail: "ptrace"),
                      TrustEvent(kind: "syscall_refused", detail: "keyctl")]
        let (s, reasons) = TrustEngine.apply(events, durationSeconds: 7200, to: start)
        XCTAssertEqual(s.score, 20)
        XCTAssertEqual(reasons.map(\.delta), [-10, -20])
        XCTAssertEqual(s.tier, .red)
        XCTAssertEqual(s.cleanRuns, 0)
        XCTAssertFalse(reasons.contains { $0.why.contains("clean hour") }, "a session with refusals earns no clean hours")
    }

    func testARefusedCallThatIsNoEscapeDoesNotCount() {
        let (s, reasons) = TrustEngine.apply([TrustEvent(kind: "syscall_refused", detail: "clone3")], durationSeconds: 0, to: start)
        XCTAssertEqual(s.score, 50)
        XCTAssertEqual(reasons, [])
    }

    func testEachNetworkAnomalyCostsFive() {
        let events = [TrustEvent(kind: "proxy_deny"), TrustEvent(kind: "proxy_deny"), TrustEvent(kind: "rate_limited"),
                      TrustEvent(kind: "net_denied"), TrustEvent(kind: "dns_query", detail: "refused"), TrustEvent(kind: "dns_query"),
                      TrustEvent(kind: "proxy_allow")]
        let (s, reasons) = TrustEngine.apply(events, durationSeconds: 0, to: start)
        XCTAssertEqual(s.score, 50 - 25)
        XCTAssertEqual(reasons.reduce(0) { $0 + $1.delta }, -25)
        XCTAssertTrue(reasons.contains { $0.why == "2 × proxy denial (network anomaly)" }, "\(reasons)")
    }

    func testTheFirstSessionSetsTheBaselineAndNewProgramsLaterCostTwo() {
        let first = TrustEngine.apply([exec("/usr/bin/wine"), exec("/g/game.exe"), exec("/usr/bin/wine")], durationSeconds: 60, to: start)
        XCTAssertEqual(first.standing.baselinePrograms, ["/usr/bin/wine", "/g/game.exe"])
        XCTAssertEqual(first.standing.score, 50)
        let second = TrustEngine.apply([exec("/usr/bin/wine"), exec("/g/updater.exe"), exec("/g/miner.exe")], durationSeconds: 60, to: first.standing)
        XCTAssertEqual(second.standing.score, 46)
        XCTAssertEqual(second.reasons, [TrustReason(delta: -4, why: "2 × new program (/g/updater.exe, /g/miner.exe)")])
    }

    func testCleanHoursAddTwoEach() {
        let (s, reasons) = TrustEngine.apply([], durationSeconds: 3 * 3600 + 3599, to: start)
        XCTAssertEqual(s.score, 56)
        XCTAssertEqual(reasons, [TrustReason(delta: 6, why: "3 × clean hour")])
        XCTAssertEqual(s.cleanRuns, 1)
    }

    func testTheScoreIsClamped() {
        var low = start
        low.score = 5
        let down = TrustEngine.apply([TrustEvent(kind: "exec_refused")], durationSeconds: 0, to: low)
        XCTAssertEqual(down.standing.score, 0)
        XCTAssertEqual(down.reasons.last, TrustReason(delta: 5, why: "kept within 0…100"))
        var high = start
        high.score = 99
        let up = TrustEngine.apply([], durationSeconds: 5 * 3600, to: high, settings: TrustSettings(autoPromote: false))
        XCTAssertEqual(up.standing.score, 100)
    }

    func testCleanRunsInARowPromoteOneTier() {
        var s = start
        for run in 1...3 {
            let r = TrustEngine.apply([], durationSeconds: 60, to: s)
            s = r.standing
            if run < 3 { XCTAssertEqual(s.score, 50); XCTAssertEqual(s.cleanRuns, run) }
            else { XCTAssertEqual(r.reasons.last?.why, "3 clean runs in a row: promoted to green") }
        }
        XCTAssertEqual(s.score, 71)
        XCTAssertEqual(s.tier, .green)
        XCTAssertEqual(s.cleanRuns, 0)
        // A run with a refusal breaks the streak.
        var r = start
        r = TrustEngine.apply([], durationSeconds: 60, to: r).standing
        r = TrustEngine.apply([TrustEvent(kind: "proxy_deny")], durationSeconds: 60, to: r).standing
        XCTAssertEqual(r.cleanRuns, 0)
        // One tier up from where the score is: 45 (yellow) goes to green's lowest score.
        XCTAssertEqual(TrustEngine.apply([], durationSeconds: 60, to: r, settings: TrustSettings(promotionAfterRuns: 1)).standing.score, 71)
    }

    func testNoPromotionWithoutAutoPromote() {
        var s = start
        for _ in 1...5 { s = TrustEngine.apply([], durationSeconds: 60, to: s, settings: TrustSettings(autoPromote: false)).standing }
        XCTAssertEqual(s.score, 50)
        XCTAssertEqual(s.cleanRuns, 5)
    }

    func testAPinnedTierStaysWhateverTheScore() {
        var s = start
        s.pinned = .green
        let r = TrustEngine.apply([TrustEvent(kind: "exec_refused"), TrustEvent(kind: "exec_refused"), TrustEvent(kind: "exec_refused")],
                                  durationSeconds: 0, to: s)
        XCTAssertEqual(r.standing.score, 20)
        XCTAssertEqual(r.standing.tier, .green)
        XCTAssertEqual(TrustTier.of(score: r.standing.score), .red)
    }

    func testEventsFromTheTrail() {
        XCTAssertEqual(TrustEvent(kind: "exec_allowed", details: [("path", .string("/usr/bin/wine"))]).program, "/usr/bin/wine")
        XCTAssertEqual(TrustEvent(kind: "syscall_refused", details: [("syscall", .string("ptrace")), ("arch", .string("x86_64"))]).detail, "ptrace")
        XCTAssertEqual(TrustEvent(kind: "dns_query", details: [("name", .string("x")), ("allowed", .bool(false))]).detail, "refused")
        XCTAssertNil(TrustEvent(kind: "dns_query", details: [("allowed", .bool(true))]).detail)
    }
}

final class TrustPolicyTests: XCTestCase {
    func testWrittenExecutablesCostTwoEachAtMostFive() {
        let one = TrustEngine.apply([TrustEvent(kind: "file_written")], durationSeconds: 7200, to: .start)
        XCTAssertEqual(one.standing.score, 48, "not clean: no hour bonus either")
        XCTAssertEqual(one.standing.cleanRuns, 0)
        let many = TrustEngine.apply(Array(repeating: TrustEvent(kind: "file_written"), count: 200), durationSeconds: 0, to: .start)
        XCTAssertEqual(many.standing.score, 40)
        XCTAssertEqual(many.reasons.map(\.why), ["5 × executable or script written (200 written, 5 counted)"])
    }

    func testTheTierComesFromPinsThenScoreThenTheDefault() {
        let profilePin = Traced(TrustTier.green, SourceLocation(file: "p.toml", line: 3))
        var s = TrustStanding.start
        s.score = 10
        XCTAssertEqual(TrustPolicy.tier(standing: s, profilePin: profilePin, defaultTier: .yellow).tier, .green, "the profile's pin")
        XCTAssertEqual(TrustPolicy.tier(standing: s, profilePin: profilePin, defaultTier: .yellow).reason, "pinned by the profile (p.toml:3)")
        s.pinned = .red
        XCTAssertEqual(TrustPolicy.tier(standing: s, profilePin: profilePin, defaultTier: .green).tier, .red, "the player's pin wins")
        s.pinned = nil
        XCTAssertEqual(TrustPolicy.tier(standing: s, profilePin: nil, defaultTier: .green).tier, .red, "score 10")
        XCTAssertEqual(TrustPolicy.tier(standing: nil, profilePin: nil, defaultTier: .red).tier, .red, "a new game")
        XCTAssertEqual(TrustPolicy.tier(standing: nil, profilePin: nil, defaultTier: .yellow).reason, "a new game: default_tier")
    }

    func testRedTurnsTheNetworkOffAndRefusesShells() {
        var p = Profile.builtIn()
        p.network = Traced(.full, .builtIn("t"))
        p.allowShellExecution = Traced(true, .builtIn("t"))
        let (red, notes) = TrustPolicy.apply(.red, reason: "score 12", to: p)
        XCTAssertEqual(red.network.value, .off)
        XCTAssertFalse(red.allowShellExecution.value)
        XCTAssertEqual(red.network.origin.description, "trust tier red (score 12)")
        XCTAssertEqual(notes.count, 2)
        let (yellow, yNotes) = TrustPolicy.apply(.yellow, reason: "score 50", to: p)
        XCTAssertEqual(yellow.network.value, .observe)
        XCTAssertTrue(yellow.allowShellExecution.value)
        XCTAssertEqual(yNotes, ["trust tier yellow (score 50): network full becomes observe (every destination is recorded)"])
        var proxy = p
        proxy.network = Traced(.proxy, .builtIn("t"))
        XCTAssertEqual(TrustPolicy.apply(.yellow, reason: "", to: proxy).profile.network.value, .proxy, "proxy is already narrower")
        let (green, gNotes) = TrustPolicy.apply(.green, reason: "score 90", to: p)
        XCTAssertEqual(green, p)
        XCTAssertTrue(gNotes.isEmpty)
    }

    func testTheProfileAndTheConfigReadTrust() throws {
        let layer = try ProfileParser.parse(name: "t", path: "t.toml", text: "[trust]\ntier = \"green\"\n")
        XCTAssertEqual(layer.trustTier?.value, .green)
        XCTAssertThrowsError(try ProfileParser.parse(name: "t", path: "t.toml", text: "[trust]\ntier = \"blue\"\n")) {
            XCTAssertTrue("\($0)".contains("t.toml:2"), "\($0)")
        }
        let config = try GlobalConfig.parse(path: "c.toml", text: "[trust]\ndefault_tier = \"red\"\nauto_promote = false\npromotion_after_runs = 5\n")
        XCTAssertEqual(config.defaultTier, .red)
        XCTAssertEqual(config.trust, TrustSettings(autoPromote: false, promotionAfterRuns: 5))
        XCTAssertThrowsError(try GlobalConfig.parse(path: "c.toml", text: "[trust]\npromotion_after_runs = 0\n"))
    }
}

final class EventReadingTests: XCTestCase {
    func testTrailLinesReadBackToTheSameEvent() {
        let e = AuditEvent(time: 1_795_000_000_123_456_789, session: "abc", game: "steam:620", kind: "exec_refused", pid: 42,
                           chain: [.init(pid: 42, name: "game.exe"), .init(pid: 7, name: "wine")],
                           details: [("zeta", .string("a \"quoted\"\nline\u{2028}")), ("alpha", .int(-5)), ("ok", .bool(false)),
                                     ("one", .int(1)), ("list", .strings(["x", "y"])), ("none", .strings([])),
                                     ("parents", .processes([.init(pid: 1, name: "init")]))])
        let back = AuditEvent(jsonLine: e.jsonLine())
        XCTAssertEqual(back?.jsonLine(), e.jsonLine(), "same keys, same order, same types (1 stays a number, false a boolean)")
        XCTAssertNil(AuditEvent(jsonLine: "{\"ts_ns\":1,\"session\":\"a\",\"game\":\"g\""))
        XCTAssertNil(AuditEvent(jsonLine: "[1,2]"))
        XCTAssertNil(AuditEvent(jsonLine: "{\"ts_ns\":1,\"game\":\"g\",\"kind\":\"k\"}"), "no session")
    }

    func testTimesForEvents() {
        let now: UInt64 = 1_795_000_000 * 1_000_000_000
        XCTAssertEqual(TimeSpec.parse("1h", now: now), now - 3600 * 1_000_000_000)
        XCTAssertEqual(TimeSpec.parse("90s", now: now), now - 90 * 1_000_000_000)
        XCTAssertEqual(TimeSpec.parse("2d", now: now), now - 2 * 86400 * 1_000_000_000)
        let utc = TimeZone(identifier: "UTC")!
        XCTAssertEqual(TimeSpec.parse("2026-11-23", now: now, timeZone: utc), 1_795_392_000 * 1_000_000_000)
        XCTAssertEqual(TimeSpec.parse("2026-11-23T18:30Z", now: now), (1_795_392_000 + 18 * 3600 + 1800) * 1_000_000_000)
        XCTAssertEqual(TimeSpec.parse("2026-11-23 18:30:05+01:00", now: now), (1_795_392_000 + 17 * 3600 + 1805) * 1_000_000_000)
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        XCTAssertEqual(TimeSpec.parse("2026-11-23T18:30", now: now, timeZone: berlin), (1_795_392_000 + 17 * 3600 + 1800) * 1_000_000_000, "local time")
        for bad in ["", "h", "1y", "2026-13-01", "2026-11-23T25:00", "yesterday", "2026-11-23T18"] {
            XCTAssertNil(TimeSpec.parse(bad, now: now, timeZone: utc), bad)
        }
        XCTAssertEqual(TimeSpec.format(1_795_392_000 * 1_000_000_000 + 5, timeZone: utc), "2026-11-23 00:00:00")
    }

    /// Names the game chose (a file it wrote, its process name) never reach the terminal raw.
    func testControlCharactersAreEscapedForTheTerminal() {
        let e = AuditEvent(time: 1, session: "s", game: "g", kind: "file_written", pid: 7,
                           chain: [AuditEvent.ProcessLink(pid: 7, name: "x\u{1b}[2J")],
                           details: [("path", .string("/p/\u{1b}]0;owned\u{07}.exe")), ("note", .string("c1 \u{9b}31m"))])
        let text = EventText.details(e, limit: 1000)
        XCTAssertFalse(text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, text)
        XCTAssertTrue(text.contains(#"path="/p/\u001b]0;owned\u0007.exe""#), text)
        XCTAssertTrue(text.contains(#"note="c1 \u009b31m""#), text)
        XCTAssertTrue(text.contains(#"chain=x\u001b[2J(7)"#), text)
        XCTAssertEqual(EventText.printable("plain"), "plain")
    }

    /// A session the file audit did not fully see is not a clean one, whatever else it did.
    func testASessionTheFileAuditDidNotFullySeeIsNotClean() {
        let partial = TrustEvent(kind: "file_watch_status", details: [("watches", .int(100)), ("folders_not_watched", .int(900))])
        XCTAssertEqual(partial.detail, "partial")
        let whole = TrustEvent(kind: "file_watch_status", details: [("watches", .int(1001)), ("folders_not_watched", .int(0))])
        XCTAssertNil(whole.detail)
        let almost = TrustStanding(score: 60, cleanRuns: 2, baselinePrograms: [], pinned: nil)
        for unseen in [partial, TrustEvent(kind: "file_written_suppressed")] {
            let (s, reasons) = TrustEngine.apply([unseen], durationSeconds: 7200, to: almost)
            XCTAssertEqual(s.cleanRuns, 0, "\(unseen.kind): not counted towards promotion")
            XCTAssertEqual(s.score, 60, "no clean hours, no promotion")
            XCTAssertTrue(reasons.contains { $0.why.contains("file audit incomplete") }, "ww trust show says why: \(reasons)")
        }
        let (seen, _) = TrustEngine.apply([whole], durationSeconds: 7200, to: almost)
        XCTAssertEqual(seen.score, 71, "the same session fully seen: 2 clean hours, then the third clean run promotes")
    }
}
