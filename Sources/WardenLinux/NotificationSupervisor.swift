import CLinux
import Glibc
import WardenCore

/// Answers the seccomp notifications of the game's filter (SPEC §1 step 4): every exec is checked
/// against `[process]` and recorded, every connect destination is recorded, and new processes are
/// refused beyond `max_child_processes`. Target memory is read with the ID_VALID check after the
/// read, so a recycled pid can never be answered with another process's data; anything malformed
/// in the target's memory refuses that call, never the supervisor.
///
/// This file is the dispatch (which call, which handler) and the session-end summary; each handler
/// lives in its own file: `+Refusals` (rules ww answers with an errno), `+Exec` (the process
/// policy), `+Network` (connect and sends), `+Processes` (the process limit). The target's memory
/// is read through `TargetMemory`, /proc through `ProcFiles`.
public final class NotificationSupervisor {
    let listener: Int32
    let policy: ProcessPolicy
    let trail: AuditTrail?
    /// The inner helper (host pid): the sandbox's processes are its descendants.
    let helperPID: pid_t
    /// The helper's child that becomes the game: its first exec is the launch command.
    let gamePID: pid_t
    var launchCommandSeen = false
    /// Connects already recorded, by process and destination, with how many more followed.
    var repeatedConnects: [String: Int] = [:]
    public private(set) var handled = 0
    /// Scratch space for the process count of `max_child_processes`.
    var descendants: [pid_t] = []

    let refusals: SeccompCompiler.RefusalTable
    /// network = observe: destinations, rate limit, deny lists, DNS questions.
    public var observer: NetworkObserver?
    /// Refused calls already recorded, by process and rule, with how many more followed.
    var repeatedRefusals: [String: Int] = [:]
    /// The paths whose names the game may not change (rename, unlink, rmdir, link, symlink are reported).
    public var pathGuard = PathGuard()
    /// Path calls already recorded, by process, call and path, with how many more followed.
    var repeatedPathRefusals: [String: Int] = [:]

    public init(listener: Int32, policy: ProcessPolicy, trail: AuditTrail?, helperPID: pid_t, gamePID: pid_t,
                refusals: SeccompCompiler.RefusalTable = .init([])) {
        self.refusals = refusals
        self.listener = listener
        self.policy = policy
        self.trail = trail
        self.helperPID = helperPID
        self.gamePID = gamePID
        _ = ww_notif_sync_wakeup(listener)
    }

    enum Syscall: Equatable { case execve, execveat, connect, socketcall, familyCall(String), fork, sendto, sendmsg, sendmmsg, other }

    static let socketcallFamilyCalls: [UInt64: String] = [SeccompCompiler.socketcallSocket: "socket", SeccompCompiler.socketcallSocketpair: "socketpair"]

    static func syscall(arch: UInt32, nr: Int32) -> Syscall {
        switch (arch, nr) {
        case (SeccompCompiler.archX86_64, 59), (SeccompCompiler.archX86, 11): return .execve
        case (SeccompCompiler.archX86_64, 322), (SeccompCompiler.archX86, 358): return .execveat
        case (SeccompCompiler.archX86_64, 42), (SeccompCompiler.archX86, 362): return .connect
        case (SeccompCompiler.archX86, SeccompCompiler.i386Socketcall): return .socketcall
        case (SeccompCompiler.archX86_64, 44), (SeccompCompiler.archX86, 369): return .sendto
        case (SeccompCompiler.archX86_64, 46), (SeccompCompiler.archX86, 370): return .sendmsg
        case (SeccompCompiler.archX86_64, 307), (SeccompCompiler.archX86, 345): return .sendmmsg
        case (SeccompCompiler.archX86, SeccompCompiler.i386Socket): return .familyCall("socket")
        case (SeccompCompiler.archX86, SeccompCompiler.i386Socketpair): return .familyCall("socketpair")
        case (SeccompCompiler.archX86_64, 56), (SeccompCompiler.archX86_64, 57), (SeccompCompiler.archX86_64, 58), (SeccompCompiler.archX86, 120), (SeccompCompiler.archX86, 2), (SeccompCompiler.archX86, 190): return .fork
        default: return .other
        }
    }

    /// Handles one pending notification. Returns false when the listener is finished (no process
    /// of the sandbox is left under the filter).
    public func handleOne() -> Bool {
        var n = ww_notification()
        let rc = ww_notif_recv(listener, &n)
        if rc == -ENOENT || rc == -EINTR || rc == -EAGAIN { return true }   // the caller died or was interrupted
        if rc != 0 { return false }
        handled += 1
        let pid = pid_t(n.pid)
        let args = [n.args.0, n.args.1, n.args.2, n.args.3, n.args.4, n.args.5]
        let is32 = n.arch == SeccompCompiler.archX86
        if let rule = refusals.match(arch: n.arch, nr: n.nr, args: args) {
            refuse(n.id, pid: pid, rule: rule, is32: is32)
            return true
        }
        if let (call, names) = Self.pathCall(arch: n.arch, nr: n.nr, args: args) {
            pathChange(n.id, pid: pid, call: call, names: names)
            return true
        }
        switch Self.syscall(arch: n.arch, nr: n.nr) {
        case .familyCall(let name):
            // i386 socket/socketpair: only refused families reach ww (the filter compares the register).
            if let rule = refusals.match(name: name, args: args) { refuse(n.id, pid: pid, rule: rule, is32: true) }
            else { _ = ww_notif_respond(listener, n.id, 0, 1) }
        case .execve: exec(n.id, pid: pid, pathAddress: args[0], argvAddress: args[1], dirfd: nil, flags: 0, is32: is32)
        case .execveat: exec(n.id, pid: pid, pathAddress: args[1], argvAddress: args[2], dirfd: Int32(truncatingIfNeeded: args[0]), flags: args[4], is32: is32)
        case .connect: connect(n.id, pid: pid, fd: Int32(truncatingIfNeeded: args[0]), address: args[1], length: args[2])
        case .sendto:
            send(n.id, pid: pid, fd: Int32(truncatingIfNeeded: args[0]), messages: [(args[4], args[5], [(args[1], args[2])])])
        case .sendmsg:
            send(n.id, pid: pid, fd: Int32(truncatingIfNeeded: args[0]), messages: readMessages(pid, args[1], count: 1, is32: is32))
        case .sendmmsg:
            send(n.id, pid: pid, fd: Int32(truncatingIfNeeded: args[0]), messages: readMessages(pid, args[1], count: Int(min(args[2], 8)), is32: is32, vector: true))
        case .socketcall:
            let words = TargetMemory(pid).words(args[1], count: 3, is32: true)
            if args[0] == 3, let words {   // SYS_CONNECT
                connect(n.id, pid: pid, fd: Int32(truncatingIfNeeded: words[0]), address: words[1], length: words[2])
            } else if let name = Self.socketcallFamilyCalls[args[0]] {
                // The family is in the caller's memory: read once here, and a racing thread could
                // change it before the kernel reads it again. Registers (x86_64, direct i386) are exact.
                if let words, let rule = refusals.match(name: name, args: words) {
                    refuse(n.id, pid: pid, rule: rule, is32: true, via: "socketcall")
                } else if words == nil {
                    guard ww_notif_id_valid(listener, n.id) == 1 else { return true }
                    _ = ww_notif_respond(listener, n.id, EFAULT, 0)
                } else {
                    _ = ww_notif_respond(listener, n.id, 0, 1)
                }
            } else {
                _ = ww_notif_respond(listener, n.id, 0, 1)
            }
        case .fork: fork(n.id, pid: pid)
        case .other: _ = ww_notif_respond(listener, n.id, 0, 1)
        }
        return true
    }

    /// Writes how often each recorded destination was connected to again.
    public func finish() {
        observer?.finish()
        for (key, count) in repeatedConnects.sorted(by: { $0.key < $1.key }) where count > 0 {
            let parts = key.split(separator: " ", maxSplits: 1)
            trail?.record("connect_repeated", pid: pid_t(parts[0]), [("destination", .string(String(parts.count > 1 ? parts[1] : ""))), ("count", .int(Int64(count)))])
        }
        repeatedConnects = [:]
        for (key, count) in repeatedRefusals.sorted(by: { $0.key < $1.key }) where count > 0 {
            let parts = key.split(separator: " ", maxSplits: 1)
            trail?.record("syscall_refused_repeated", pid: pid_t(parts[0]), [("syscall", .string(String(parts.count > 1 ? parts[1] : ""))), ("count", .int(Int64(count)))])
        }
        repeatedRefusals = [:]
        for (key, count) in repeatedPathRefusals.sorted(by: { $0.key < $1.key }) where count > 0 {
            let parts = key.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count == 3 else { continue }
            trail?.record("path_refused_repeated", pid: pid_t(parts[0]), [("call", .string(parts[1])), ("path", .string(parts[2])), ("count", .int(Int64(count)))])
        }
        repeatedPathRefusals = [:]
    }

    /// The process and its ancestors up to (not including) the inner helper (see `ProcFiles.chain`).
    public static func chain(_ pid: pid_t, stopAt helper: pid_t) -> [AuditEvent.ProcessLink] {
        ProcFiles.chain(pid, stopAt: helper)
    }
}
