import XCTest
@testable import WardenCore

/// The go/stop rule: what the kernel enforced for the game against what its plan asked for.
final class EnforcementRuleTests: XCTestCase {
    func plan(_ mode: LandlockMode, handled: UInt64 = LandlockAccess.all, scopes: UInt64 = LandlockAccess.scopeAbstractUnixSocket | LandlockAccess.scopeSignal) -> LandlockPlan {
        LandlockPlan(mode: mode, handledAccess: handled, scopes: scopes, restrictFlags: 0,
                     rules: [.init(path: "/", access: LandlockAccess.readDir, reason: "")], explanation: "")
    }

    /// What a kernel with everything the plan asks for reports, with the listener taken.
    func enforced(_ p: LandlockPlan, abi: Int32 = 7) -> EnforcementStatus {
        var s = EnforcementStatus()
        s.landlockABI = abi
        s.landlockHandled = p.handledAccess
        s.landlockScopes = p.scopes
        s.rulesAdded = Int32(p.rules.count)
        s.listenerErrno = 0
        s.listenerFD = 9
        return s
    }

    func testEverythingEnforcedGoesInEveryMode() {
        for mode in [LandlockMode.required, .bestEffort] {
            let p = plan(mode)
            XCTAssertEqual(EnforcementRule.judge(p, enforced(p)), .init(level: .full, stop: nil), "\(mode)")
        }
        let off = plan(.off, handled: 0, scopes: 0)
        XCTAssertEqual(EnforcementRule.judge(off, enforced(off)), .init(level: .off, stop: nil))
    }

    func testRequiredStopsWhenTheKernelHasNoLandlock() {
        let p = plan(.required)
        var s = EnforcementStatus()
        s.landlockErrno = 38   // ENOSYS
        s.failedStep = 1
        s.listenerFD = 9
        let v = EnforcementRule.judge(p, s)
        XCTAssertEqual(v.level, .notEnforced)
        XCTAssertTrue(v.stop?.contains("this kernel has no Landlock (not built in)") == true, v.stop ?? "")
        XCTAssertTrue(v.stop?.contains("best-effort") == true, "the fix is named: \(v.stop ?? "")")
        s.landlockErrno = 95   // EOPNOTSUPP: built in, disabled at boot
        XCTAssertTrue(EnforcementRule.judge(p, s).stop?.contains("lsm=") == true)
    }

    func testRequiredStopsOnPartialEnforcement() {
        let p = plan(.required)
        // An older ABI that handles fewer rights than planned (no truncate, no ioctl on devices).
        var older = enforced(p, abi: 3)
        older.landlockHandled = p.handledAccess & ~LandlockAccess.ioctlDev
        let rights = EnforcementRule.judge(p, older)
        XCTAssertEqual(rights.level, .partial)
        XCTAssertTrue(rights.stop?.contains("only part of the plan is in force") == true, rights.stop ?? "")
        XCTAssertTrue(rights.stop?.contains("unknown to Landlock ABI 3") == true, rights.stop ?? "")
        // No signal scoping.
        var unscoped = enforced(p, abi: 5)
        unscoped.landlockScopes = 0
        XCTAssertEqual(EnforcementRule.judge(p, unscoped).level, .partial)
        XCTAssertNotNil(EnforcementRule.judge(p, unscoped).stop)
        // A planned rule that could not be added.
        var missing = enforced(p)
        missing.rulesMissing = 1
        let m = EnforcementRule.judge(p, missing)
        XCTAssertEqual(m.level, .partial)
        XCTAssertTrue(m.stop?.contains("1 of 2 rules could not be added") == true, m.stop ?? "")
    }

    func testBestEffortStartsWithWhatIsEnforcedAndSaysSo() {
        let p = plan(.bestEffort)
        var older = enforced(p, abi: 3)
        older.landlockScopes = 0
        XCTAssertEqual(EnforcementRule.judge(p, older), .init(level: .partial, stop: nil))
        var none = EnforcementStatus()
        none.landlockErrno = 38
        none.listenerFD = 9
        XCTAssertEqual(EnforcementRule.judge(p, none), .init(level: .notEnforced, stop: nil))
    }

    func testNoListenerStopsInEveryMode() {
        for mode in [LandlockMode.required, .bestEffort, .off] {
            let p = mode == .off ? plan(.off, handled: 0, scopes: 0) : plan(mode)
            var s = enforced(p)
            s.listenerFD = -1
            s.listenerErrno = 1
            let v = EnforcementRule.judge(p, s)
            XCTAssertTrue(v.stop?.contains("seccomp user notification") == true, "\(mode): \(v.stop ?? "")")
            XCTAssertTrue(v.stop?.contains("ww features") == true)
        }
    }
}
