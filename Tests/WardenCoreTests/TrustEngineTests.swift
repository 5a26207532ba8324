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
        XCTAssertEqual(second.reasons, [TrustReason(delta: -4, why: "2 × program beyond the first session's")])
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
