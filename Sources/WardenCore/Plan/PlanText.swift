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
        out.append("bwrap command (each bind source is opened with O_PATH|O_NOFOLLOW at launch and passed as --bind-fd/--ro-bind-fd; descriptor 3 is the control socket):")
        out.append(ShellQuote.join(bwrap.arguments))
        return out.joined(separator: "\n") + "\n"
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
