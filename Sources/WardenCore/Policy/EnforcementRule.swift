/// The go/stop rule (DESIGN lesson 5): is what the kernel enforced for the game enough for its plan?
/// Pure: the supervisor hands in what the game's process reported before exec and acts on the verdict.
public enum EnforcementRule {
    public enum Level: String, Equatable, Sendable {
        case off
        case notEnforced = "not enforced"
        case partial = "partially enforced"
        case full = "fully enforced"
    }

    public struct Verdict: Equatable, Sendable {
        /// What of the planned Landlock domain is in force (the `landlock_status` event's `status`).
        public var level: Level
        /// Why the game must not start (nil: it may). One sentence with the fix.
        public var stop: String?
    }

    /// `needsListener`: the plan's process and network watching rely on seccomp user notification.
    public static func judge(_ plan: LandlockPlan, _ s: EnforcementStatus, needsListener: Bool = true) -> Verdict {
        let asked = plan.handledAccess != 0 || plan.scopes != 0
        let applied = s.landlockErrno == 0 && s.landlockABI > 0
        let level: Level
        if plan.mode == .off || !asked { level = plan.mode == .off ? .off : .full }
        else if !applied { level = .notEnforced }
        else if s.landlockHandled == plan.handledAccess && s.landlockScopes == plan.scopes && s.rulesMissing == 0 { level = .full }
        else { level = .partial }

        if plan.mode == .required && asked {
            if !applied {
                let why: String
                if s.landlockABI == 0 {
                    why = "this kernel has no Landlock (\(s.landlockErrno == errnoEOPNOTSUPP ? "disabled at boot: add lsm=…,landlock to the kernel command line" : "not built in"))"
                } else {
                    why = "applying it failed: \(ErrnoText.describe(s.landlockErrno))"
                }
                return Verdict(level: level, stop: "landlock = \"required\" but \(why); use landlock = \"best-effort\" to start without it")
            }
            if level == .partial {
                var gaps: [String] = []
                let rights = plan.handledAccess & ~s.landlockHandled
                if rights != 0 { gaps.append("rights \(LandlockAccess.describe(rights)) unknown to Landlock ABI \(s.landlockABI)") }
                let scopes = plan.scopes & ~s.landlockScopes
                if scopes != 0 { gaps.append("no scoping of \(LandlockAccess.describeScopes(scopes)) (ABI \(s.landlockABI))") }
                if s.rulesMissing > 0 { gaps.append("\(s.rulesMissing) of \(Int(s.rulesAdded) + Int(s.rulesMissing)) rules could not be added (their paths are missing inside the sandbox)") }
                if gaps.isEmpty { gaps.append("the kernel enforced another set of rights than planned") }
                return Verdict(level: level, stop: "landlock = \"required\" but only part of the plan is in force: \(gaps.joined(separator: "; ")); use a newer kernel, or landlock = \"best-effort\" to start with what is enforced")
            }
        }
        if needsListener && s.listenerFD < 0 {
            return Verdict(level: level, stop: "the process policy needs seccomp user notification, which failed here (\(ErrnoText.describe(max(s.listenerErrno, 1)))); see `ww features`")
        }
        return Verdict(level: level, stop: nil)
    }

    static let errnoEOPNOTSUPP: Int32 = 95
}
