import CLinux
import Glibc
import WardenCore

/// Calls the policy refuses outright (SeccompPolicy rules answered by ww): the rule's errno, and one
/// `syscall_refused` event per process and rule (repeats are counted, written by `finish()`).
extension NotificationSupervisor {
    func refuse(_ id: UInt64, pid: pid_t, rule: SeccompPolicy.Rule, is32: Bool, via: String? = nil) {
        guard case .errno(let e) = rule.action else { return }
        let what = rule.syscall + (rule.condition.map { " (\($0.text))" } ?? "")
        let key = "\(pid) \(what)"
        if let seen = repeatedRefusals[key] {
            repeatedRefusals[key] = seen + 1
            _ = ww_notif_respond(listener, id, e, 0)
            return
        }
        repeatedRefusals[key] = 0
        // The chain is read while the caller waits for the answer (it may exit right after).
        let chain = ProcFiles.chain(pid, stopAt: helperPID)
        _ = ww_notif_respond(listener, id, e, 0)
        trail?.record("syscall_refused", pid: pid, chain: chain, [
            ("syscall", .string(rule.syscall)), ("arch", .string(is32 ? "i386" : "x86_64")), ("errno", .string(rule.action.text)),
            ("reason", .string(rule.reason)), ("condition", .string(rule.condition?.text ?? "")),
        ] + (via.map { [("via", .string($0))] } ?? []))
    }
}
