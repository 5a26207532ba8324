/// Renders a plan as bwrap's argument list. Every mount is one explicit, ordered step.
public struct BwrapCommand: Equatable, Sendable {
    public var arguments: [String]

    /// - Parameter sourceDescriptor: the descriptor a bind source was opened on (nil: pass the path,
    ///   as `ww plan` prints it before anything is opened).
    ///   `seccompDescriptor`: the memfd holding the compiled filter (nil: `ww plan` shows `FD`).
    public static func render(_ plan: SandboxPlan, bwrap: String = "bwrap", seccompDescriptor: Int32? = nil,
                              sourceDescriptor: (Int) -> Int32? = { _ in nil }) -> BwrapCommand {
        var a = [bwrap]
        let ns = plan.namespaces
        if ns.user { a.append("--unshare-user") }
        if ns.disableNestedUserNamespaces { a.append("--disable-userns") }
        // The inner helper is pid 1: no bwrap init the game could ptrace to run calls outside its filter.
        if ns.pid { a += ["--unshare-pid", "--as-pid-1"] }
        if ns.ipc { a.append("--unshare-ipc") }
        if ns.uts { a.append("--unshare-uts") }
        if ns.cgroup { a.append("--unshare-cgroup-try") }
        if ns.network { a.append("--unshare-net") }
        if plan.dieWithParent { a.append("--die-with-parent") }
        if plan.dropAllCapabilities { a += ["--cap-drop", "ALL"] }
        // Kept by the inner helper only while it starts the network bridges; dropped before the game starts.
        for cap in plan.net.helperCapabilities { a += ["--cap-add", cap] }
        for (i, m) in plan.mounts.enumerated() {
            if let perms = m.permissions { a += ["--perms", perms] }
            switch m.kind {
            case .readOnlyBind, .bind, .hideFile, .anchor:
                let writable = m.kind == .bind || m.kind == .anchor
                let fdFlag = writable ? "--bind-fd" : "--ro-bind-fd"
                let pathFlag = writable ? "--bind" : "--ro-bind"
                if let fd = sourceDescriptor(i) { a += [fdFlag, String(fd), m.destination] }
                else { a += [pathFlag, m.source ?? "", m.destination] }
            case .overlayBind: a += ["--bind", m.source ?? "", m.destination]
            case .decoy: a += ["--ro-bind", m.source ?? "", m.destination]
            case .sessionCopy: a += ["--bind", m.source ?? "", m.destination]
            case .deviceBind: a += ["--dev-bind", m.source ?? "", m.destination]
            case .tmpfs: a += ["--tmpfs", m.destination]
            case .proc: a += ["--proc", m.destination]
            case .dev: a += ["--dev", m.destination]
            case .devMinimal:
                a += ["--tmpfs", m.destination]
                for node in ["null", "zero", "full", "random", "urandom", "tty"] { a += ["--dev-bind", "/dev/\(node)", "\(m.destination)/\(node)"] }
                for (link, target) in [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")] {
                    a += ["--symlink", target, "\(m.destination)/\(link)"]
                }
                a += ["--dir", "\(m.destination)/shm", "--dir", "\(m.destination)/pts"]
            case .dir: a += ["--dir", m.destination]
            case .symlink: a += ["--symlink", m.source ?? "", m.destination]
            case .remountReadOnly: a += ["--remount-ro", m.destination]
            case .deviceStage: a += ["--tmpfs", m.destination, "--dev-bind", m.source ?? "", "\(m.destination)/dev", "--remount-ro", m.destination]
            }
        }
        a += ["--chdir", plan.workingDirectory]
        a += ["--seccomp", seccompDescriptor.map { String($0) } ?? "FD"]
        a += ["--", plan.helper.sandboxPath, InnerHelperProtocol.subcommand]
        return BwrapCommand(arguments: a)
    }
}

/// The words and messages ww and its inner helper exchange over the control socket.
public enum InnerHelperProtocol {
    /// Hidden subcommand: `ww __inner-helper` runs inside the sandbox and becomes the game.
    public static let subcommand = "__inner-helper"
}
