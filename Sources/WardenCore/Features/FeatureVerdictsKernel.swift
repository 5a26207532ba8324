// The verdicts of `ww features` for the kernel's own enforcement: Landlock (ABI, errata,
// what an older ABI costs) and seccomp (the filter bwrap loads, user notification).

extension FeatureReport {
    /// What each Landlock ABI adds, for saying what an older one costs.
    static let landlockAdds: [(abi: Int, what: String)] = [
        (2, "renames and links across folders (REFER)"),
        (3, "truncation control"),
        (4, "TCP port rules"),
        (5, "device ioctl control"),
        (6, "scoping of abstract unix sockets (X11 @/tmp/.X11-unix) and signals"),
        (7, "audit records of denials"),
    ]

    static let landlockErrataNames: [(bit: Int, name: String)] = [
        (0, "TCP socket identification"), (1, "scoped signals"), (2, "disconnected directories"),
    ]

    static func landlock(_ f: Features) -> FeatureCheck {
        let abi = f.landlockABI
        guard abi > 0 else {
            let (detail, fix): (String, String)
            switch f.landlockUnavailable {
            case .disabledAtBoot?:
                detail = "built into the kernel but disabled at boot"
                fix = "Add landlock to the kernel's `lsm=` boot parameter (e.g. lsm=landlock,lockdown,yama,apparmor,bpf) and reboot."
            case .blocked?:
                detail = "the kernel refused the Landlock probe (container seccomp profile?)"
                fix = "Run ww on the host, or allow the landlock_* syscalls in the container's seccomp profile."
            case .notInKernel? where f.seccomp.alreadyFiltered:
                detail = "ENOSYS: not in this kernel, or hidden by the seccomp filter ww already runs under"
                fix = "Run ww on the host, or use Linux 6.12 or later built with CONFIG_SECURITY_LANDLOCK=y."
            case .notInKernel?, nil:
                detail = "not in this kernel"
                fix = "Use Linux 6.12 or later built with CONFIG_SECURITY_LANDLOCK=y."
            }
            return FeatureCheck(
                name: "landlock", verdict: .missing, detail: detail,
                cost: "No second barrier behind the mount namespace: a mistake in the mounts is not caught, and abstract unix sockets and signals are not scoped.",
                fix: fix)
        }
        var detail = "ABI \(abi)"
        let errata = landlockErrataNames.filter { f.landlockErrata & (1 << $0.bit) != 0 }.map(\.name)
        detail += errata.isEmpty ? ", no errata reported" : ", errata fixed: \(errata.joined(separator: ", "))"
        if abi > 7 { detail += " (ww uses ABI 7 features)" }
        let lacking = landlockAdds.filter { $0.abi > abi && $0.abi <= 6 }.map(\.what)
        if !lacking.isEmpty {
            return FeatureCheck(
                name: "landlock", verdict: .degraded, detail: detail,
                cost: "Without ABI 6 there is no " + lacking.joined(separator: ", ") + ".",
                fix: "Upgrade to Linux 6.12 or later for Landlock ABI 6.")
        }
        if abi < 7 { detail += "; no audit records (ABI 7, Linux 6.15)" }
        return FeatureCheck(name: "landlock", verdict: .ok, detail: detail)
    }

    static func seccompFilter(_ f: Features) -> FeatureCheck {
        let s = f.seccomp
        let nested = s.alreadyFiltered ? "; ww already runs under a seccomp filter" : ""
        guard s.filterAvailable else {
            return FeatureCheck(
                name: "seccomp filter", verdict: .missing, detail: "SECCOMP_SET_MODE_FILTER unavailable\(nested)",
                cost: "Dangerous syscalls (TIOCSTI, io_uring, the mount API, nested namespaces) cannot be blocked, so ww refuses to start sandboxes.",
                fix: "Use a kernel built with CONFIG_SECCOMP_FILTER=y, or run ww outside the container that blocks seccomp().")
        }
        let actions = s.actionsAvailable.isEmpty ? "actions unknown" : "actions: " + s.actionsAvailable.joined(separator: " ")
        return FeatureCheck(name: "seccomp filter", verdict: .ok, detail: actions + nested)
    }

    static func seccompNotify(_ f: Features) -> FeatureCheck {
        let s = f.seccomp
        let how: String
        switch s.flagEvidence {
        case .childInstalledFilter: how = "a test child got a listener"
        case .kernelFlagCheck: how = "flags checked by the kernel, nothing installed"
        case .kernelVersion: how = "inferred from the kernel version; seccomp() could not be asked"
        }
        guard s.filterAvailable, s.userNotification, s.newListenerFlag else {
            return FeatureCheck(
                name: "seccomp user notification", verdict: .missing,
                detail: "user_notif \(s.userNotification ? "available" : "unavailable"), NEW_LISTENER \(s.newListenerFlag ? "accepted" : "refused") (\(how))",
                cost: "exec and connect are not watched: no live process policy and no per-connection records; only seccomp errno rules and Landlock enforce.",
                fix: "Upgrade to Linux 5.19 or later.")
        }
        if !s.waitKillableRecvFlag {
            return FeatureCheck(
                name: "seccomp user notification", verdict: .degraded,
                detail: "NEW_LISTENER accepted, WAIT_KILLABLE_RECV refused (\(how))",
                cost: "A signal during a watched exec or connect makes the game repeat the call, so notifications may repeat.",
                fix: "Upgrade to Linux 5.19 or later.")
        }
        return FeatureCheck(name: "seccomp user notification", verdict: .ok,
                            detail: "NEW_LISTENER and WAIT_KILLABLE_RECV accepted (\(how))")
    }

}
