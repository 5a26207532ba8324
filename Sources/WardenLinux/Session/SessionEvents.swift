import Glibc
import WardenCore

/// The supervisor's own events (SPEC §6): what was planned and applied, and how processes ended.
struct SessionEvents {
    let plan: SandboxPlan
    let trail: AuditTrail?

    func policyApplied(argv: [String], session: String?, extra: [(String, AuditEvent.Value)]) {
        trail?.record("policy_applied", [
            ("game_name", .string(plan.game.displayName)), ("plan_digest", .string(Self.digest(argv, session: session))),
            ("profile", .string(plan.profile)), ("profile_reason", .string(plan.profileReason)), ("command", .strings(plan.command)),
            ("network", .string(plan.network.rawValue)), ("namespaces", .strings(plan.namespaces.unsharedNames)),
            ("mounts", .int(Int64(plan.mounts.count))), ("landlock_mode", .string(plan.landlock.mode.rawValue)),
            ("blocked_patterns", .strings(plan.process.blockedPatterns)), ("allowed_patterns", .strings(plan.process.allowedPatterns)),
            ("allow_shell_execution", .bool(plan.process.allowShellExecution)), ("max_child_processes", .int(Int64(plan.process.maxChildProcesses))),
            ("discord_ipc", .bool(!plan.discordSockets.isEmpty)),
        ] + extra)
    }

    func bwrapFilter(_ compiled: SeccompCompiler.Compiled) {
        trail?.record("seccomp_status", [
            ("filter", .string("bwrap --seccomp: x86_64 + i386, x32 killed")), ("rules", .int(Int64(plan.seccomp.rules.count))),
            ("bpf_instructions", .int(Int64(compiled.program.count / 8))), ("allowed_by_profile", .strings(plan.seccomp.allowed)),
        ])
    }

    func busFiltered(_ d: DBusProxyPlan) {
        trail?.record("dbus_filtered", [("upstream", .string(d.upstream)), ("rules", .strings(d.arguments.filter { $0 != "--filter" }))])
    }

    /// `landlock_status` and the game filter's `seccomp_status`, from what the game's process reported.
    func enforcement(_ s: EnforcementStatus, verdict: EnforcementRule.Verdict, landlock ll: LandlockPlan, gamePID: pid_t) {
        let steps = [1: "create_ruleset", 2: "add_rule", 3: "restrict_self", 4: "no_new_privs"]
        trail?.record("landlock_status", pid: gamePID, [
            ("mode", .string(ll.mode.rawValue)), ("status", .string(verdict.level.rawValue)), ("abi", .int(Int64(s.landlockABI))),
            ("handled", .string(LandlockAccess.describe(s.landlockHandled))), ("scopes", .string(LandlockAccess.describeScopes(s.landlockScopes))),
            ("log_new_exec", .bool(s.landlockFlags & LandlockAccess.logNewExecOn != 0)),
            ("rules_added", .int(Int64(s.rulesAdded))), ("rules_missing", .int(Int64(s.rulesMissing))),
            ("error", .string(s.landlockErrno == 0 ? "" : "\(steps[Int(s.failedStep)] ?? "step \(s.failedStep)"): \(ErrnoText.describe(s.landlockErrno))")),
        ])
        trail?.record("seccomp_status", pid: gamePID, [
            ("filter", .string("notification: execve, execveat, connect\(plan.net.mode == .observe ? ", sendto with an address, sendmsg, sendmmsg" : "")\(plan.process.maxChildProcesses > 0 ? ", fork/vfork/clone" : "")")),
            ("installed", .bool(s.listenerFD >= 0)),
            ("error", .string(s.listenerErrno > 0 ? ErrnoText.describe(s.listenerErrno) : "")),
        ])
    }

    /// `process_exit`: the game's own process carries its pid as ww sees it; the others, reaped by the
    /// helper after their parent was gone, carry the pid inside the sandbox.
    func processExit(_ e: ExitReport, gamePID: pid_t) {
        var details: [(String, AuditEvent.Value)] = [("name", .string(e.name)), ("sandbox_pid", .int(Int64(e.sandboxPID)))]
        if e.killed {
            details.append(("signal", .string(SignalNames.name(e.status))))
            if e.status == SIGSYS { details.append(("reason", .string("killed by the seccomp filter: a call of another architecture (x32)"))) }
        } else {
            details.append(("exit_status", .int(Int64(e.status))))
        }
        details.append(("role", .string(e.isGame ? "game" : "left behind")))
        trail?.record("process_exit", pid: e.isGame && gamePID > 0 ? gamePID : nil, details)
    }

    func execFailed(program: String, errno e: Int32) {
        trail?.record("exec_failed", [("program", .string(program)), ("error", .string(ErrnoText.describe(e)))])
    }

    /// The plan's fingerprint: FNV-1a (64 bits) of the bwrap arguments, NUL-separated, with the
    /// session's own folder left out. Two sessions with the same digest ran under the same sandbox.
    static func digest(_ argv: [String], session: String?) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for arg in argv {
            let arg = session.map { arg.replacing($0, with: "<session>") } ?? arg
            for b in arg.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            h = (h ^ 0) &* 0x100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
