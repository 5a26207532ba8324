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
        out += networkLines(plan.net)
        if let d = plan.dbus {
            out.append("d-bus       filtered: xdg-dbus-proxy \(d.upstream) -> \(d.sandboxAddress); \(d.arguments.filter { $0 != "--filter" }.joined(separator: " "))")
        }
        if let w = plan.wineAutostart {
            out.append("wine        autostart of \(w.sandboxPrefix)\(w.prefix == w.sandboxPrefix ? "" : " (on the host \(w.prefix))"): Run keys, Winlogon Shell/Userinit, services, Startup folders compared before and after; "
                       + (w.keep ? "what the session adds stays (keep_autostart = true, \(w.keepOrigin))" : "what the session adds is removed at its end (keep_autostart = false, \(w.keepOrigin))")
                       + "; never while a wineserver (socket below \(w.temporaryFolders.joined(separator: " or "))) serves it")
        }
        for layer in plan.copyOnWrite {
            out.append("copy-on-write \(layer.original): overlay mounted by ww before bwrap, changes in \(layer.upper)")
        }
        if !plan.decoys.enabled {
            out.append("decoys      off (decoys = false): hidden paths look absent")
        } else if plan.decoys.items.isEmpty {
            out.append("decoys      none (no hidden secret exists on this machine)")
        }
        for d in plan.decoys.items {
            let at = d.destinations == [d.standsFor] ? "" : " at \(d.destinations.joined(separator: ", "))"
            out.append("decoy       \(d.standsFor)\(at): \(d.kind.rawValue) (read-only, opening it is secret_touched)")
        }
        if plan.persistence.isCopy {
            let names = plan.persistence.targets.map { "~/" + $0.relative }.joined(separator: ", ")
            out.append("persistence your real \(names.isEmpty ? "targets do not exist here" : names) are session copies: each change is a persistence_attempt, copied, and your files stay as they are")
        } else if let h = plan.persistence.hostHome {
            out.append("persistence the virtual home's shell startup files, autostart, systemd and applications folders are the game's (\(h)): each change is a persistence_attempt, copied, and put back at the end")
        }
        if plan.hotplug.enabled {
            out.append("hotplug     controllers plugged in while the game runs are shown (gamepads and controller hidraw only, never keyboards or mice), unplugged ones removed; each change is an event")
        }
        if !plan.pathGuard.isEmpty {
            let anchors = plan.mounts.filter { $0.kind == .anchor }.count
            out.append("guarded     \(plan.pathGuard.entries.count) hidden, decoy, persistence and ww paths: renaming, deleting or linking over them (or a folder holding them) is refused and recorded"
                       + (anchors > 0 ? "; \(anchors) folders of the writable home are mount points so they cannot be renamed" : ""))
        }
        out.append("namespaces  \(plan.namespaces.unsharedNames.joined(separator: ", "))\(plan.namespaces.disableNestedUserNamespaces ? "; no nested user namespaces" : "")")
        out.append("process     capabilities dropped, dies with ww, descriptors closed, argv passed on a private socket")
        out.append("")
        out.append("mounts (in order)")
        for m in plan.mounts {
            let what: String
            switch m.kind {
            case .symlink: what = "\(m.destination) -> \(m.source ?? "")"
            case .readOnlyBind, .bind, .anchor, .deviceBind, .overlayBind, .sessionCopy, .deviceStage: what = m.source == m.destination ? m.destination : "\(m.destination)  <- \(m.source ?? "")"
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
        out.append("watched     execve, execveat, connect\(plan.net.mode == .observe ? ", sendto with an address, sendmsg, sendmmsg" : "")\(plan.process.maxChildProcesses > 0 ? ", and fork/vfork/clone of new processes" : "") (seccomp notification to ww)")
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

extension PlanText {
    static func networkLines(_ net: NetworkPlan) -> [String] {
        var out: [String] = []
        let p = net.policy
        switch net.mode {
        case .off: out.append("network     off (empty network namespace: loopback only)")
        case .full: out.append("network     full (host network, unobserved)")
        case .observe:
            out.append("network     observe (host network; every destination and DNS question recorded; at most \(net.rateLimit) new connections/s per process)")
            if !p.denyDestinations.isEmpty { out.append("  deny destinations: \(p.denyDestinations.joined(separator: ", "))") }
            if !p.denyDomains.isEmpty { out.append("  deny domains: \(p.denyDomains.joined(separator: ", ")) (addresses they were looked up as)") }
        case .proxy:
            out.append("network     proxy (empty network namespace; the only way out is ww's proxy and DNS relay, through socat bridges)")
            out.append("  allow domains: \(p.allowDomains.isEmpty ? "none (everything is refused)" : p.allowDomains.joined(separator: ", "))")
            if !p.denyDomains.isEmpty { out.append("  deny domains (checked first): \(p.denyDomains.joined(separator: ", "))") }
            out.append("  DNS relay forwards to \(net.upstreamDNS ?? "the host's name server (/etc/resolv.conf)"); refused names get NXDOMAIN")
            if let up = net.upstreamProxy { out.append("  allowed connections go through the upstream proxy \(up)") }
        }
        for b in net.bridges {
            let listen: String
            switch b.listener {
            case .tcp(let port): listen = "127.0.0.1:\(port)/tcp"
            case .udp(let port): listen = "127.0.0.1:\(port)/udp"
            case .unix(let path): listen = path
            }
            out.append("  bridge \(b.purpose.padding(20)) \(listen.padding(36)) \(b.argv.dropFirst().joined(separator: " "))")
        }
        if !net.inboundPorts.isEmpty {
            out.append("  inbound: host TCP port \(net.inboundPorts.map(String.init).joined(separator: ", ")) -> the same port inside (no other port is reachable)")
        }
        if let d = net.sessionDirectory { out.append("  session sockets: \(d) (removed at exit)") }
        return out
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
