import CLinux
import Glibc
import WardenCore

/// fork, vfork and clone of a new process: `max_child_processes`.
extension NotificationSupervisor {
    func fork(_ id: UInt64, pid: pid_t) {
        if descendants.isEmpty { descendants = [pid_t](repeating: 0, count: 65536) }   // once, not per fork
        let count = Int(ww_list_descendants(helperPID, &descendants, Int32(descendants.count)))
        // Descendants of the helper: the game and everything it started. The new process would be one more.
        let besidesGame = count - 1
        guard ww_notif_id_valid(listener, id) == 1 else { return }
        if besidesGame + 1 > policy.maxChildProcesses {
            let chain = ProcFiles.chain(pid, stopAt: helperPID)
            _ = ww_notif_respond(listener, id, EAGAIN, 0)
            trail?.record("process_refused", pid: pid, chain: chain, [
                ("reason", .string("max_child_processes = \(policy.maxChildProcesses) reached")), ("live", .int(Int64(besidesGame)))])
        } else {
            _ = ww_notif_respond(listener, id, 0, 1)
        }
    }
}
