/// `ww plan` for people: what will be enforced, each line with its reason.
public enum PlanText {
    public static func render(_ plan: SandboxPlan, bwrap: BwrapCommand, verbose: Bool = true) -> String {
        var out: [String] = []
        out.append("game        \(plan.game.id)  (\(plan.game.displayName); identified by \(plan.game.source.rawValue))")
        out.append("profile     \(plan.profile)  (\(plan.profileReason))")
        for file in plan.profileChain { out.append("            merged \(file)") }
        out.append("command     \(ShellQuote.join(plan.command))")
        out.append("directory   \(plan.workingDirectory)")
        if let dir = plan.game.gameDirectory { out.append("game folder \(dir)") }
        out.append("network     \(plan.network.rawValue)\(plan.network == .off ? " (empty network namespace: loopback only)" : " (host network, unobserved)")")
        out.append("namespaces  \(plan.namespaces.unsharedNames.joined(separator: ", "))\(plan.namespaces.disableNestedUserNamespaces ? "; no nested user namespaces" : "")")
        out.append("process     capabilities dropped, dies with ww, descriptors closed, argv passed on a private socket")
        out.append("")
        out.append("mounts (in order)")
        for m in plan.mounts {
            let what: String
            switch m.kind {
            case .symlink: what = "\(m.destination) -> \(m.source ?? "")"
            case .readOnlyBind, .bind, .deviceBind: what = m.source == m.destination ? m.destination : "\(m.destination)  <- \(m.source ?? "")"
            default: what = m.destination
            }
            out.append("  \(m.kind.rawValue.padding(11)) \(what.padding(48)) \(m.reason)")
        }
        out.append("")
        out.append("seccomp (x86_64 and i386, identical rules; x32 kills the process; loaded by bwrap)")
        out.append("  ww gives each errno and records the attempt (clone3 excepted); if ww is gone, every one is ENOSYS")
        for r in plan.seccomp.rules {
            let cond = r.condition.map { " if \($0.text)" } ?? ""
            out.append("  \((r.syscall + cond).padding(40)) \(r.action.text.padding(13)) \(r.reason)")
        }
        for a in plan.seccomp.allowed { out.append("  allowed by the profile: \(a)") }
        out.append("")
        out.append("landlock    \(plan.landlock.explanation)")
        if !plan.landlock.isOff {
            out.append("  scopes: \(LandlockAccess.describeScopes(plan.landlock.scopes)); new-exec denials logged (ABI 7)")
            for r in plan.landlock.rules { out.append("  \(LandlockAccess.describe(r.access).padding(24)) \(r.path.padding(40)) \(r.reason)") }
            out.append("  (rights beyond the kernel's ABI are dropped at launch and recorded in the audit trail)")
        }
        out.append("")
        out.append("watched     execve, execveat, connect\(plan.process.maxChildProcesses > 0 ? ", and fork/vfork/clone of new processes" : "") (seccomp notification to ww)")
        let p = plan.process
        out.append("  exec: blocked \(p.blockedPatterns.isEmpty ? "none" : p.blockedPatterns.joined(separator: ", "))"
                   + "; allowed \(p.allowedPatterns.isEmpty ? "anything not blocked" : p.allowedPatterns.joined(separator: ", "))"
                   + "; shells from Windows programs \(p.allowShellExecution ? "allowed" : "refused")")
        out.append(p.maxChildProcesses > 0 ? "  at most \(p.maxChildProcesses) live processes besides the game" : "  no limit on processes (max_child_processes not set)")
        out.append("")
        out.append("environment: \(plan.environment.count) variables passed")
        for r in plan.removedEnvironment { out.append("  removed \(r.name) (\(r.reason))") }
        if let wdo = plan.environment.first(where: { $0.name == "WINEDLLOVERRIDES" }) { out.append("  WINEDLLOVERRIDES=\(wdo.value)") }
        if !plan.directoriesToCreate.isEmpty {
            out.append("")
            out.append("created if missing (mode 0700):")
            for d in plan.directoriesToCreate { out.append("  \(d)") }
        }
        if !plan.warnings.isEmpty || (verbose && !plan.notes.isEmpty) {
            out.append("")
            for w in plan.warnings { out.append("warning: \(w)") }
            if verbose { for n in plan.notes { out.append("note: \(n)") } }
        }
        out.append("")
        out.append("bwrap command (each bind source is opened with O_PATH|O_NOFOLLOW at launch and passed as --bind-fd/--ro-bind-fd; descriptor 3 is the control socket; FD is the compiled seccomp filter):")
        out.append(ShellQuote.join(bwrap.arguments))
        return out.joined(separator: "\n") + "\n"
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
