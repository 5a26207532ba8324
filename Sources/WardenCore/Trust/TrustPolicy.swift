/// How a game's trust tier shapes its launch (SPEC §6): red games get no network and no shells,
/// yellow games have everything they reach recorded, green games run the profile as written.
public enum TrustPolicy {
    /// The tier of this launch and why, first match wins: the player's pin (`ww trust set`), the
    /// profile's `[trust] tier`, the game's score, and for a game never seen the config's default.
    /// ww's own pin (red after an exfiltration) says how to lift it.
    public static func tier(standing: TrustStanding?, profilePin: Traced<TrustTier>?, defaultTier: TrustTier) -> (tier: TrustTier, reason: String) {
        if let pin = standing?.pinned {
            return (pin, standing?.pinReason.map { "locked after \($0) until you change it with ww trust set or ww trust reset" } ?? "pinned with ww trust set")
        }
        if let pin = profilePin { return (pin.value, "pinned by the profile (\(pin.origin))") }
        if let s = standing { return (TrustTier.of(score: s.score), "score \(s.score)") }
        return (defaultTier, "a new game: default_tier")
    }

    /// The profile with the tier's defaults applied, and one note per value it changed.
    /// - red: network `off`, `allow_shell_execution = false`;
    /// - yellow: network `full` becomes `observe` (same reach, every destination recorded);
    /// - green: unchanged.
    public static func apply(_ tier: TrustTier, reason: String, to profile: Profile) -> (profile: Profile, notes: [String]) {
        var p = profile
        var notes: [String] = []
        let origin = SourceLocation(file: "trust tier \(tier.rawValue) (\(reason))", line: 0)
        switch tier {
        case .red:
            if p.network.value != .off {
                notes.append("trust tier red (\(reason)): network \(p.network.value.rawValue) becomes off")
                p.network = Traced(.off, origin)
            }
            if p.allowShellExecution.value {
                notes.append("trust tier red (\(reason)): shells and script hosts are refused")
                p.allowShellExecution = Traced(false, origin)
            }
        case .yellow:
            if p.network.value == .full {
                notes.append("trust tier yellow (\(reason)): network full becomes observe (every destination is recorded)")
                p.network = Traced(.observe, origin)
            }
        case .green:
            break
        }
        return (p, notes)
    }
}
