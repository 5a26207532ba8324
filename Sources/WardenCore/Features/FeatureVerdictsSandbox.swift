// The verdicts of `ww features` that decide whether a sandbox can start at all: the kernel,
// bubblewrap and its options, user namespaces. Each judge turns facts into one FeatureCheck.

extension FeatureReport {
    static func upgradeBwrap(to version: String) -> String {
        "Upgrade bubblewrap to \(version) or later (from your distribution's backports or a newer release)."
    }

    static func checks(for f: Features) -> [FeatureCheck] {
        [kernel(f), bwrap(f)] + bwrapOptions(f)
            + [userNamespaces(f), landlock(f), seccompFilter(f), seccompNotify(f),
               socat(f), dbusProxy(f), display(f), sound(f), gpu(f), ntsync(f), container(f)]
    }

    static func kernel(_ f: Features) -> FeatureCheck {
        let version = f.kernelVersion
        if version < KernelVersion(5, 13) {
            return FeatureCheck(
                name: "kernel", verdict: .degraded, detail: "Linux \(f.kernelRelease)",
                cost: "Kernels before 5.13 lack Landlock and before 5.0 lack seccomp user notification.",
                fix: "Upgrade to a current kernel (6.12 or later gives every protection ww uses).")
        }
        return FeatureCheck(name: "kernel", verdict: .ok,
                            detail: "Linux \(f.kernelRelease)\(f.probedAsRoot ? " (probed as root)" : "")")
    }

    static let installBwrap = "Install bubblewrap: `sudo apt install bubblewrap`, `sudo dnf install bubblewrap` or `sudo pacman -S bubblewrap`."

    static func bwrap(_ f: Features) -> FeatureCheck {
        guard let b = f.bwrap else {
            return FeatureCheck(
                name: "bwrap", verdict: .missing, detail: "no bwrap on PATH",
                cost: "Nothing can be sandboxed: `ww run` stops with exit status 125.",
                fix: installBwrap)
        }
        var facts = ["\(b.version.map { "bubblewrap \($0)" } ?? "bubblewrap") at \(b.path)"]
        if b.isSetuid { facts.append("setuid root") }
        if let trial = b.trial {
            if !trial.succeeded {
                let said = trial.message.map { ": \($0)" } ?? ""
                let fix = f.userNamespacesUsable
                    ? "Run `\(b.path) --unshare-user --ro-bind / / true` to see the error, and reinstall bubblewrap or allow it in your AppArmor/SELinux policy."
                    : "Make user namespaces work (see \"user namespaces\" below) or install bwrap setuid root (`sudo chmod u+s \(b.path)`)."
                return FeatureCheck(
                    name: "bwrap", verdict: .missing,
                    detail: (facts + ["a test sandbox failed\(said)"]).joined(separator: "; "),
                    cost: "Nothing can be sandboxed: bwrap cannot start a sandbox here.", fix: fix)
            }
            facts.append("a test sandbox started")
        }
        if !b.optionsKnown {
            return FeatureCheck(
                name: "bwrap", verdict: .degraded,
                detail: (facts + ["`bwrap --help` could not be read"]).joined(separator: "; "),
                cost: "ww cannot tell which options this bwrap has and uses only the oldest ones.",
                fix: "Check that `\(b.path) --help` runs; reinstall bubblewrap if it does not.")
        }
        let lacking = b.missingMinorOptions
        if !lacking.isEmpty {
            return FeatureCheck(
                name: "bwrap", verdict: .degraded,
                detail: (facts + ["lacks \(lacking.joined(separator: " "))"]).joined(separator: "; "),
                cost: "This bwrap is too old for parts of the plan (exact environment, file modes, sandbox status reports).",
                fix: upgradeBwrap(to: "0.8.0"))
        }
        return FeatureCheck(name: "bwrap", verdict: .ok, detail: facts.joined(separator: "; "))
    }

    static func bwrapOptions(_ f: Features) -> [FeatureCheck] {
        let version = f.bwrap?.version.map { "bubblewrap \($0)" } ?? "this bwrap"
        func option(_ name: String, has: (Features.Bwrap) -> Bool, since: String, cost: String) -> FeatureCheck {
            guard let b = f.bwrap else {
                return FeatureCheck(name: "bwrap \(name)", verdict: .missing, detail: "no bwrap",
                                    cost: cost, fix: installBwrap)
            }
            if has(b) { return FeatureCheck(name: "bwrap \(name)", verdict: .ok, detail: "supported") }
            return FeatureCheck(name: "bwrap \(name)", verdict: .missing,
                                detail: "\(version) has no \(name) (added in \(since))",
                                cost: cost, fix: upgradeBwrap(to: since))
        }
        var overlay = option(
            "--overlay", has: \.supportsOverlay, since: "0.11.0",
            cost: "Copy-on-write game folders (`copy_on_write`) are unavailable; such folders must be bound read-write or read-only instead.")
        if let b = f.bwrap, b.supportsOverlay, b.isSetuid {
            overlay = FeatureCheck(
                name: "bwrap --overlay", verdict: .missing, detail: "bwrap is setuid root, which refuses overlays",
                cost: overlay.cost,
                fix: "Make user namespaces work and remove the setuid bit (`sudo chmod u-s \(b.path)`).")
        }
        return [
            option("--bind-fd", has: \.supportsBindFd, since: "0.7.0",
                   cost: "Folders are bound by path, which leaves a window for symlink swaps between check and mount (CVE-2024-42472 class)."),
            option("--disable-userns", has: \.supportsDisableUserns, since: "0.8.0",
                   cost: "Nested user namespaces are refused only by ww's seccomp rule, not also by bwrap's own lock."),
            overlay,
        ]
    }

    static func userNamespaces(_ f: Features) -> FeatureCheck {
        let u = f.userNamespaces
        let asRoot = u.testedAsRoot ? " (tested as root; an ordinary user may be refused)" : ""
        switch u.status {
        case .usable:
            return FeatureCheck(
                name: "user namespaces", verdict: .ok,
                detail: "a test child created one, mapped its ids and made a mount namespace\(asRoot)")
        case .untested where u.reason == .none:
            return FeatureCheck(
                name: "user namespaces", verdict: .ok,
                detail: "not tried (quick probe); no sysctl forbids them")
        default:
            break
        }
        var detail: String
        if let step = u.failedStep {
            detail = "refused at \(step)" + (u.error.map { " with \($0)" } ?? "") + asRoot
            if u.insideUserNamespace { detail += "; ww already runs inside a user namespace" }
        } else {
            detail = "forbidden by sysctl"
        }
        detail += "; " + sysctlSummary(u)
        let cost: String
        if f.bwrap?.isSetuid == true {
            cost = "bwrap falls back to setuid root: overlays are refused and a bug in bwrap would run as root."
        } else if f.bwrap?.trial?.succeeded == true {
            cost = "bwrap's own test sandbox started, so ww works; launchers that build namespaces inside it (Steam's pressure-vessel) may fail."
        } else {
            return FeatureCheck(
                name: "user namespaces", verdict: .missing, detail: detail,
                cost: "bwrap cannot build a sandbox, so nothing can be sandboxed.",
                fix: userNamespaceFix(u.reason))
        }
        return FeatureCheck(name: "user namespaces", verdict: .degraded, detail: detail,
                            cost: cost, fix: userNamespaceFix(u.reason))
    }

    static func sysctlSummary(_ u: Features.UserNamespaces) -> String {
        var parts: [String] = []
        if let v = u.unprivilegedUsernsClone { parts.append("kernel.unprivileged_userns_clone=\(v)") }
        if let v = u.maxUserNamespaces { parts.append("user.max_user_namespaces=\(v)") }
        if let v = u.apparmorRestrictUnprivileged { parts.append("kernel.apparmor_restrict_unprivileged_userns=\(v)") }
        return parts.isEmpty ? "no userns sysctls present" : parts.joined(separator: ", ")
    }

    static func userNamespaceFix(_ reason: Features.UserNamespaces.Reason) -> String {
        switch reason {
        case .apparmorRestricted:
            return "Give bwrap an AppArmor profile that allows userns (`sudo cp /usr/share/apparmor/extra-profiles/bwrap-userns-restrict /etc/apparmor.d/ && sudo systemctl reload apparmor`), or turn the restriction off with `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0` (persist it in /etc/sysctl.d/)."
        case .unprivilegedCloneDisabled:
            return "Run `sudo sysctl kernel.unprivileged_userns_clone=1` and persist it in /etc/sysctl.d/99-userns.conf."
        case .maxUserNamespacesZero:
            return "Run `sudo sysctl user.max_user_namespaces=15000` and persist it in /etc/sysctl.d/99-userns.conf."
        case .limitReached:
            return "Close other sandboxes or raise `user.max_user_namespaces` with sysctl."
        case .notInKernel:
            return "Use a kernel built with CONFIG_USER_NS=y (every mainstream distribution kernel is)."
        case .deniedBySurroundings:
            return "Run ww on the host rather than inside another sandbox, container or Flatpak, or allow clone/unshare(CLONE_NEWUSER) in the container's seccomp profile."
        case .unknown, .none:
            return "Run `unshare --user --map-root-user true` to see the error, and check SELinux or AppArmor denials in the journal."
        }
    }
}
