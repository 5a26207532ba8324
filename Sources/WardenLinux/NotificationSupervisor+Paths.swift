import CLinux
import Glibc
import WardenCore

/// rename, unlink, rmdir, link and symlink (every variant, x86_64 and i386): each name is resolved
/// in the game's own view (its root, its cwd, the dirfd; the last component itself not followed, as
/// the kernel does), and `PathGuard` says whether it is a protected path, inside one, or a folder
/// holding one. Such a call is refused with the errno the mounts would give and recorded
/// (`decoy_tampered`, `persistence_attempt`, `path_refused`); any other goes on to the kernel
/// (CONTINUE). The mounts are the enforcement; this answer is what makes the attempt visible.
extension NotificationSupervisor {
    /// One name of a path call: where its string is, the descriptor it is relative to, its role.
    struct PathName {
        var address: UInt64
        var dirfd: Int32?
        var role: PathGuard.Role
    }

    static let atFDCWD: Int32 = -100
    static let atRemoveDir: UInt64 = 0x200

    /// The names a path call passes, by architecture and number; nil for other calls.
    static func pathCall(arch: UInt32, nr: Int32, args: [UInt64]) -> (PathGuard.Call, [PathName])? {
        let x64 = arch == SeccompCompiler.archX86_64
        func fd(_ i: Int) -> Int32 { Int32(truncatingIfNeeded: args[i]) }
        switch (x64 ? nr : -1, x64 ? -1 : nr) {
        case (82, _), (_, 38): return (.rename, [PathName(address: args[0], role: .removed), PathName(address: args[1], role: .created)])
        case (264, _), (316, _), (_, 302), (_, 353):
            return (.rename, [PathName(address: args[1], dirfd: fd(0), role: .removed), PathName(address: args[3], dirfd: fd(2), role: .created)])
        case (87, _), (_, 10): return (.unlink, [PathName(address: args[0], role: .removed)])
        case (84, _), (_, 40): return (.rmdir, [PathName(address: args[0], role: .removed)])
        case (263, _), (_, 301):
            return (args[2] & atRemoveDir != 0 ? .rmdir : .unlink, [PathName(address: args[1], dirfd: fd(0), role: .removed)])
        case (86, _), (_, 9): return (.link, [PathName(address: args[1], role: .created)])
        case (265, _), (_, 303): return (.link, [PathName(address: args[3], dirfd: fd(2), role: .created)])
        case (88, _), (_, 83): return (.symlink, [PathName(address: args[1], role: .created)])
        case (266, _), (_, 304): return (.symlink, [PathName(address: args[2], dirfd: fd(1), role: .created)])
        default: return nil
        }
    }

    /// The syscalls the game's filter reports for this (names libseccomp knows on both architectures).
    public static let pathCallNames = ["rename", "renameat", "renameat2", "unlink", "unlinkat", "rmdir", "link", "linkat", "symlink", "symlinkat"]

    func pathChange(_ id: UInt64, pid: pid_t, call: PathGuard.Call, names: [PathName]) {
        var resolved: [(typed: String, path: String, role: PathGuard.Role)] = []
        if !pathGuard.isEmpty, let resolver = ExecResolver(tid: pid) {
            for n in names {
                // Unreadable memory: the kernel answers EFAULT itself.
                guard case .success(let typed) = TargetMemory(pid).string(n.address, max: TargetMemory.maxPath + 1) else { continue }
                var base: String?
                if !typed.hasPrefix("/"), let fd = n.dirfd, fd != Self.atFDCWD { base = ProcFiles.readLink("/proc/\(pid)/fd/\(fd)") }
                if let path = Self.name(typed, base: base, resolver: resolver) { resolved.append((typed, path, n.role)) }
            }
            resolver.close()
        }
        guard ww_notif_id_valid(listener, id) == 1 else { return }
        let hit = resolved.lazy.compactMap { r in self.pathGuard.judge(r.path, call: call, role: r.role).map { (r, $0) } }.first
        guard let (name, verdict) = hit else {
            _ = ww_notif_respond(listener, id, 0, 1)
            return
        }
        let key = "\(pid) \(call.rawValue) \(name.path)"
        if let seen = repeatedPathRefusals[key] {
            repeatedPathRefusals[key] = seen + 1
            _ = ww_notif_respond(listener, id, verdict.errno, 0)
            return
        }
        if repeatedPathRefusals.count < Self.maxPathRefusalKeys { repeatedPathRefusals[key] = 0 }
        // The chain is read while the caller waits for the answer (it may exit right after).
        let chain = ProcFiles.chain(pid, stopAt: helperPID)
        _ = ww_notif_respond(listener, id, verdict.errno, 0)
        trail?.record(verdict.kind, pid: pid, chain: chain,
                      Self.details(call: call, name: name, other: resolved.first { $0.path != name.path }?.path, verdict: verdict, guardPlan: pathGuard))
    }

    static let errnoNames: [Int32: String] = [EPERM: "EPERM", EACCES: "EACCES", EEXIST: "EEXIST", EBUSY: "EBUSY", EROFS: "EROFS"]

    /// Distinct (process, call, path) refusals kept for the repeat counts; beyond, repeats are not counted.
    static let maxPathRefusalKeys = 4096

    static func details(call: PathGuard.Call, name: (typed: String, path: String, role: PathGuard.Role), other: String?,
                        verdict: PathGuard.Verdict, guardPlan: PathGuard) -> [(String, AuditEvent.Value)] {
        let e = verdict.entry
        var d: [(String, AuditEvent.Value)] = []
        switch verdict.kind {
        case VisibilityEvent.persistenceAttempt:
            d = [("target", .string(name.path)), ("mechanism", .string(e.mechanism ?? "")), ("refused", .bool(true))]
        case VisibilityEvent.decoyTampered:
            // A file inside a decoy folder stands for the same name inside the real one.
            let standsFor = verdict.relation == .inside ? Paths.rebase(name.path, from: e.path, to: e.standsFor) : e.standsFor
            d = [("path", .string(name.path)), ("stands_for", .string(standsFor))]
        default:
            let protects = verdict.relation == .ancestor ? guardPlan.held(by: name.path) : [e]
            d = [("path", .string(name.path)), ("category", .string(e.category.rawValue)), ("protects", .strings(protects.map(\.path)))]
        }
        d += [("call", .string(call.rawValue)), ("relation", .string(verdict.relation.rawValue)),
              ("errno", .string(errnoNames[verdict.errno] ?? String(verdict.errno)))]
        if name.typed != name.path { d.append(("typed", .string(name.typed))) }
        if call == .rename, let other { d.append((name.role == .removed ? "to" : "from", .string(other))) }
        return d
    }

    /// The path a name of a path call stands for in the caller's view: its folder resolved (links
    /// followed), the last component as it is (rename, unlink and link act on a link, never its target).
    static func name(_ typed: String, base: String?, resolver: ExecResolver) -> String? {
        var text = typed
        while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
        guard !text.isEmpty else { return nil }
        let last = Paths.basename(text)
        if last == "." || last == ".." || text == "/" {
            guard case .success(let dir) = resolver.resolve(text, base: base) else { return nil }
            Glibc.close(dir.fd)
            return dir.path
        }
        let parent = text.contains("/") ? String(text.dropLast(last.count)) : "."
        guard case .success(let dir) = resolver.resolve(parent.isEmpty ? "/" : parent, base: base) else { return nil }
        Glibc.close(dir.fd)
        return Paths.join(dir.path, last)
    }
}
