import XCTest
@testable import WardenCore

/// Issue 15 part 5: what ww sees (decoys read, persistence, exfiltration), the learned program
/// baseline, and Wine's prefix setup, as the trust rules score them.
final class TrustVisibilityTests: XCTestCase {
    let home = "/home/p"
    func exec(_ p: String, windows: String? = nil) -> TrustEvent { TrustEvent(kind: "exec_allowed", program: p, detail: windows) }
    func secret(_ standsFor: String) -> TrustEvent {
        TrustEvent(kind: VisibilityEvent.secretTouched, details: [("path", .string(standsFor)), ("stands_for", .string(standsFor)), ("decoy", .string("openssh-private-key"))])
    }
    func persistence(_ target: String) -> TrustEvent {
        TrustEvent(kind: VisibilityEvent.persistenceAttempt, details: [("target", .string(target)), ("mechanism", .string("shell-startup"))])
    }
    func written(_ path: String, place: String = "Wine prefix") -> TrustEvent {
        TrustEvent(kind: "file_written", details: [("path", .string(path)), ("place", .string(place)), ("change", .string("created"))])
    }
    func exited(_ name: String) -> TrustEvent { TrustEvent(kind: "process_exit", details: [("name", .string(name)), ("exit_status", .int(0))]) }

    // MARK: what ww saw

    func testEachDistinctDecoyReadCostsTenOncePerSession() {
        let events = [secret("/home/p/.ssh/id_rsa"), secret("/home/p/.ssh/id_rsa"), secret("/home/p/.aws/credentials")]
        let (s, reasons) = TrustEngine.apply(events, durationSeconds: 7200, to: .start, home: home)
        XCTAssertEqual(s.score, 30)
        XCTAssertEqual(reasons, [TrustReason(delta: -20, why: "2 × decoy secret read (~/.ssh/id_rsa, ~/.aws/credentials)")])
        XCTAssertEqual(s.cleanRuns, 0, "not a clean session: no clean hours either")
    }

    func testPersistenceAttemptsCostTenEachAtMostThree() {
        let one = TrustEngine.apply([persistence("/home/p/.bashrc")], durationSeconds: 0, to: .start, home: home)
        XCTAssertEqual(one.standing.score, 40)
        XCTAssertEqual(one.reasons.map(\.why), ["persistence attempt (~/.bashrc)"])
        let targets = ["/home/p/.bashrc", "/home/p/.profile", "/home/p/.config/autostart/x.desktop", "/home/p/.local/bin/ls", "/home/p/.bashrc"]
        let many = TrustEngine.apply(targets.map(persistence), durationSeconds: 0, to: .start, home: home)
        XCTAssertEqual(many.standing.score, 20)
        XCTAssertEqual(many.reasons.map(\.delta), [-30])
        XCTAssertTrue(many.reasons[0].why.hasPrefix("3 × persistence attempt (5 seen, 3 counted: ~/.bashrc, ~/.profile, "), many.reasons[0].why)
        let unnamed = TrustEngine.apply([TrustEvent(kind: VisibilityEvent.persistenceAttempt)], durationSeconds: 0, to: .start)
        XCTAssertEqual(unnamed.reasons.map(\.why), ["persistence attempt"], "no empty brackets")
    }

    func testAnExfiltrationCostsFortyAndLocksTheTierRedUntilThePlayerChangesIt() {
        var high = TrustStanding.start
        high.score = 90
        let exfiltration = TrustEvent(kind: VisibilityEvent.exfiltration, details: [("destination", .string("evil.example:80")), ("channel", .string("http")), ("closed", .bool(true))])
        let (s, reasons) = TrustEngine.apply([exfiltration, exfiltration], durationSeconds: 0, to: high)
        XCTAssertEqual(s.score, 50, "−40 once")
        XCTAssertEqual(s.tier, .red, "whatever the score")
        XCTAssertEqual(s.pinned, .red)
        XCTAssertEqual(s.pinReason, "an exfiltration to evil.example:80")
        XCTAssertEqual(reasons.first, TrustReason(delta: -40, why: "exfiltration: a canary token was sent to evil.example:80"))
        XCTAssertTrue(reasons.last?.why.contains("ww trust set") == true, "the reason says how to clear it: \(reasons)")
        let launch = TrustPolicy.tier(standing: s, profilePin: nil, defaultTier: .green)
        XCTAssertEqual(launch.tier, .red)
        XCTAssertTrue(launch.reason.contains("exfiltration") && launch.reason.contains("ww trust set"), launch.reason)
        // Clean runs move the score and promote it, but the tier stays red.
        var later = s
        for _ in 0..<10 { later = TrustEngine.apply([], durationSeconds: 7200, to: later).standing }
        XCTAssertEqual(later.tier, .red)
        XCTAssertGreaterThan(later.score, 70)
        // The player's own pin replaced by the lock.
        var pinnedGreen = TrustStanding.start
        pinnedGreen.pinned = .green
        XCTAssertEqual(TrustEngine.apply([exfiltration], durationSeconds: 0, to: pinnedGreen).standing.tier, .red)
    }

    func testVisibilityEventsFromTheTrailKeepWhatTheyAreAbout() {
        XCTAssertEqual(secret("/home/p/.ssh/id_rsa").subject, "/home/p/.ssh/id_rsa")
        XCTAssertEqual(TrustEvent(kind: VisibilityEvent.secretTouched, details: [("path", .string("/home/p/.aws/credentials"))]).subject,
                       "/home/p/.aws/credentials", "without stands_for: the path")
        XCTAssertEqual(persistence("HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run").subject, "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run")
        XCTAssertEqual(TrustEvent(kind: "exec_allowed", details: [("path", .string("/usr/bin/wine64")), ("windows_program", .string("C:\\windows\\system32\\wineboot.exe"))]).detail,
                       "C:\\windows\\system32\\wineboot.exe")
        XCTAssertEqual(written("/p/drive_c/x.dll").detail, "Wine prefix")
        XCTAssertEqual(exited("wineboot.exe").detail, "wineboot.exe")
    }

    // MARK: the learned baseline

    func testAProgramSeenInACleanSessionJoinsTheBaselineAndCostsTwoOnlyOnce() {
        let first = TrustEngine.apply([exec("/usr/bin/wine")], durationSeconds: 0, to: .start).standing
        let second = TrustEngine.apply([exec("/usr/bin/wine"), exec("/usr/lib/wine/wine64")], durationSeconds: 0, to: first)
        XCTAssertEqual(second.reasons, [TrustReason(delta: -2, why: "new program (/usr/lib/wine/wine64)")])
        XCTAssertEqual(second.standing.baselinePrograms, ["/usr/bin/wine", "/usr/lib/wine/wine64"])
        let third = TrustEngine.apply([exec("/usr/bin/wine"), exec("/usr/lib/wine/wine64")], durationSeconds: 0, to: second.standing,
                                      settings: TrustSettings(autoPromote: false))
        XCTAssertEqual(third.reasons, [], "never again for the same program")
        XCTAssertEqual(third.standing.score, second.standing.score)
    }

    func testAProgramFirstSeenInASessionThatWasNotCleanIsCountedOnceAndNotTrusted() {
        let first = TrustEngine.apply([exec("/g/game")], durationSeconds: 0, to: .start).standing
        let dirty = TrustEngine.apply([exec("/g/game"), exec("/tmp/dropper"), TrustEvent(kind: "proxy_deny")], durationSeconds: 0, to: first)
        XCTAssertEqual(dirty.reasons.map(\.delta), [-5, -2])
        XCTAssertEqual(dirty.standing.baselinePrograms, ["/g/game"], "not learned from a session that was not clean")
        XCTAssertEqual(dirty.standing.noticedPrograms, ["/tmp/dropper"])
        let again = TrustEngine.apply([exec("/g/game"), exec("/tmp/dropper"), TrustEvent(kind: "proxy_deny")], durationSeconds: 0, to: dirty.standing)
        XCTAssertEqual(again.reasons.map(\.delta), [-5], "the program is not counted twice")
        let clean = TrustEngine.apply([exec("/g/game"), exec("/tmp/dropper")], durationSeconds: 0, to: again.standing)
        XCTAssertEqual(clean.reasons, [])
        XCTAssertEqual(clean.standing.baselinePrograms, ["/g/game", "/tmp/dropper"])
        XCTAssertNil(clean.standing.noticedPrograms)
    }

    func testAFirstSessionThatWasNotCleanSetsNoBaselineButCostsNothingForItsPrograms() {
        let first = TrustEngine.apply([exec("/g/game"), TrustEvent(kind: "exec_refused", program: "/bin/nc")], durationSeconds: 0, to: .start)
        XCTAssertEqual(first.reasons.map(\.delta), [-10])
        XCTAssertEqual(first.standing.baselinePrograms, [])
        XCTAssertEqual(first.standing.noticedPrograms, ["/g/game"])
        XCTAssertEqual(TrustEngine.apply([exec("/g/game")], durationSeconds: 0, to: first.standing).reasons, [])
    }

    /// The bug this replaces: the baseline was frozen at the first session's programs. A Wine game's
    /// first session creates the prefix and runs other programs than every later start, so each later
    /// identical run paid −2 for the same programs, three such "clean" runs promoted it to 71 and the
    /// next one took it to 69: the tier flipped between green and yellow.
    func testLaterRunsThatDifferFromTheFirstDoNotFlipTheTier() {
        let prefixCreation = [exec("/usr/bin/wine"), exec("/usr/lib/wine/wine64", windows: "C:\\windows\\system32\\wineboot.exe"), exited("wineboot.exe")]
        let everyLaterStart = [exec("/usr/bin/wine"), exec("/usr/lib/wine/wine64"), exec("/usr/lib/wine/winemenubuilder-helper")]
        var s = TrustEngine.apply(prefixCreation, durationSeconds: 60, to: .start).standing
        var tiers: [TrustTier] = []
        var scores: [Int] = []
        for _ in 0..<20 {
            s = TrustEngine.apply(everyLaterStart, durationSeconds: 60, to: s).standing
            tiers.append(s.tier)
            scores.append(s.score)
        }
        XCTAssertEqual(scores.first, 48, "the new program costs −2 once")
        XCTAssertEqual(scores, scores.sorted(), "never down again: \(scores)")
        XCTAssertEqual(tiers, tiers.sorted(), "the tier never moves down: \(tiers)")
        XCTAssertEqual(tiers.last, .green)
    }

    // MARK: Wine's prefix setup

    func testWineFoldersOfAPrefix() {
        for path in ["/h/.wine/drive_c/windows/system32/kernel32.dll", "/h/.wine/drive_c/windows/explorer.exe",
                     "/p/pfx/drive_c/windows/syswow64/d3d9.dll", "/p/drive_c/Program Files/Common Files/System/wab32.dll",
                     "/p/drive_c/Program Files (x86)/Internet Explorer/iexplore.exe", "/p/drive_c/Program Files/Windows NT/Accessories/wordpad.exe"] {
            XCTAssertTrue(PrefixSetup.isWineFolder(path), path)
        }
        for path in ["/p/drive_c/windows/temp/x.exe", "/p/drive_c/users/p/AppData/Roaming/x.exe", "/p/drive_c/users/p/Temp/x.exe",
                     "/p/drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/StartUp/x.exe", "/p/drive_c/Program Files/Game/game.exe",
                     "/games/windows/system32/x.dll", "/p/drive_c/x.dll"] {
            XCTAssertFalse(PrefixSetup.isWineFolder(path), path)
        }
    }

    /// wineboot writes some 700 files before Wine runs the game's program: the first Wine run in a
    /// new prefix does not lower the score; what lands in the places a game drops things still counts.
    func testWhatWineWritesWhileSettingUpThePrefixIsNotTheGames() {
        let prefix = "/home/p/.wine/drive_c"
        var events = [exec("/usr/bin/wine"), exec("/usr/lib/wine/wine64", windows: "C:\\windows\\system32\\wineboot.exe")]
        events += (0..<200).map { written("\(prefix)/windows/system32/f\($0).dll", place: "virtual home") }
        events += [written("\(prefix)/Program Files/Common Files/System/wab32.dll"), exited("wineboot.exe")]
        let (s, reasons) = TrustEngine.apply(events, durationSeconds: 60, to: .start)
        XCTAssertEqual(s.score, 50)
        XCTAssertEqual(reasons, [])
        XCTAssertEqual(s.cleanRuns, 1, "a clean run")

        let drops = [written("\(prefix)/users/p/AppData/Roaming/x.exe"), written("\(prefix)/users/p/Temp/y.exe"),
                     written("\(prefix)/windows/temp/z.exe"), written("/games/g/patch.dll", place: "game folder")]
        XCTAssertEqual(TrustEngine.apply(Array(events.dropLast()) + drops + [exited("wineboot.exe")], durationSeconds: 0, to: .start).standing.score, 42,
                       "AppData, Temp and the game folder count even during the setup")
        let afterwards = events + [written("\(prefix)/windows/system32/evil.dll")]
        XCTAssertEqual(TrustEngine.apply(afterwards, durationSeconds: 0, to: .start).standing.score, 48, "after wineboot's exit the game is running")
        let noWineboot = [exec("/usr/bin/wine"), written("\(prefix)/windows/system32/evil.dll")]
        XCTAssertEqual(TrustEngine.apply(noWineboot, durationSeconds: 0, to: .start).standing.score, 48, "no setup in a session without wineboot")
    }

    // MARK: the property

    /// Repeating the same clean session 20 times never lowers the score and never moves the tier
    /// down; from a new game no run lowers it at all (sessions, durations and standings drawn from a
    /// seeded generator: the same cases every run).
    func testRepeatingTheSameCleanSessionNeverLowersTheScoreOrTheTier() {
        var random = SplitMix64(seed: 15)
        for round in 0..<200 {
            let session = cleanSession(&random)
            let duration = Int(random.next() % (4 * 3600))
            let settings = TrustSettings(autoPromote: random.next() % 4 != 0, promotionAfterRuns: 1 + Int(random.next() % 4))
            let fresh = round % 2 == 0
            var s = TrustStanding(score: Int(random.next() % 101), cleanRuns: Int(random.next() % 3),
                                  baselinePrograms: fresh ? nil : ["/usr/bin/wine"], pinned: nil)
            for run in 0..<20 {
                let after = TrustEngine.apply(session, durationSeconds: duration, to: s, settings: settings).standing
                if fresh || run > 0 {
                    XCTAssertGreaterThanOrEqual(after.score, s.score, "round \(round), run \(run): \(session)")
                    XCTAssertGreaterThanOrEqual(after.tier, s.tier, "round \(round), run \(run)")
                }
                s = after
            }
        }
    }

    /// A clean session: programs (some under Wine, some the first in a new prefix with wineboot's
    /// setup writes), allowed connections and names, process exits.
    func cleanSession(_ random: inout SplitMix64) -> [TrustEvent] {
        var events = [TrustEvent(kind: "policy_applied"), TrustEvent(kind: "file_watch_status", details: [("folders_not_watched", .int(0))])]
        let programs = ["/usr/bin/wine", "/usr/lib/wine/wine64", "/usr/lib/wine/wine64-preloader", "/usr/lib/wine/wineserver", "/g/game", "/usr/bin/sed"]
        let newPrefix = random.next() % 3 == 0
        if newPrefix {
            events.append(exec("/usr/lib/wine/wine64", windows: "C:\\windows\\system32\\wineboot.exe"))
            events += (0..<Int(random.next() % 300)).map { written("/h/.wine/drive_c/windows/system32/f\($0).dll", place: "virtual home") }
            events.append(exited("wineboot.exe"))
        }
        for _ in 0..<Int(1 + random.next() % 8) {
            switch random.next() % 4 {
            case 0: events.append(TrustEvent(kind: "connect"))
            case 1: events.append(TrustEvent(kind: "dns_query", details: [("allowed", .bool(true))]))
            case 2: events.append(exited(programs.randomElement(using: &random)!))
            default: events.append(exec(programs.randomElement(using: &random)!))
            }
        }
        return events
    }
}
