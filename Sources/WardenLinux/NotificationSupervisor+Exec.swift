import CLinux
import Glibc
import WardenCore

/// execve and execveat: the process policy decides, every exec is an `exec_allowed` or
/// `exec_refused` event.
extension NotificationSupervisor {
    func exec(_ id: UInt64, pid: pid_t, pathAddress: UInt64, argvAddress: UInt64, dirfd: Int32?, flags: UInt64, is32: Bool) {
        let chain = ProcFiles.chain(pid, stopAt: helperPID)
        let callerExe = ProcFiles.readLink("/proc/\(pid)/exe") ?? ""
        let callerName = ProcFiles.comm(ProcFiles.threadGroup(pid))
        let launch = !launchCommandSeen && pid == gamePID
        var path: String
        var argv: [String]
        switch TargetMemory(pid).string(pathAddress, max: TargetMemory.maxPath + 1) {
        case .success(let p): path = p
        case .failure(let why):
            refuseUnreadable(id, pid: pid, chain: chain, why: "program path \(why)")
            return
        }
        switch TargetMemory(pid).argv(argvAddress, is32: is32) {
        case .success(let a): argv = a
        case .failure(let why):
            refuseUnreadable(id, pid: pid, chain: chain, why: "argv \(why)", path: path)
            return
        }
        // execveat(fd, "", …, AT_EMPTY_PATH) runs the file open on fd; a relative path is under fd.
        let atEmptyPath: UInt64 = 0x1000
        let emptyPath = dirfd != nil && path.isEmpty && flags & atEmptyPath != 0
        var base: String?
        if let fd = dirfd {
            if emptyPath { path = ProcFiles.readLink("/proc/\(pid)/fd/\(fd)") ?? "fd \(fd)" }
            else if !path.hasPrefix("/") && fd != -100, let dir = ProcFiles.readLink("/proc/\(pid)/fd/\(fd)") { path = Paths.join(dir, path); base = dir }
        }
        // What the kernel will run: the resolved file, its #! interpreters, the loader's program.
        let running: Result<[ExecTarget], ExecResolver.Failure>
        if let resolver = ExecResolver(tid: pid) {
            running = Self.running(resolver, path: emptyPath ? "" : path, argv: argv, descriptor: emptyPath ? dirfd : nil, base: base)
            resolver.close()
        } else {
            running = .failure(ExecResolver.Failure(errno: ESRCH, what: "/proc/\(pid)/root"))
        }
        guard ww_notif_id_valid(listener, id) == 1 else { return }   // gone, or the pid was reused: no answer
        let request = ExecRequest(path: path, argv: argv, callerExecutable: callerExe, callerName: callerName, isLaunchCommand: launch)
        let targets: [ExecTarget]
        let decision: ExecDecision
        switch running {
        case .success(let t):
            targets = t
            decision = policy.decide(request, running: t)
        case .failure(let why):
            targets = []
            decision = ExecDecision(allowed: false, reason: "ww cannot tell which program this runs: \(why)", windowsProgram: request.windowsProgram, isShell: false)
        }
        if launch { launchCommandSeen = true }
        let answered = decision.allowed ? ww_notif_respond(listener, id, 0, 1) : ww_notif_respond(listener, id, EPERM, 0)
        var details: [(String, AuditEvent.Value)] = [("path", .string(path)), ("argv", .strings(argv)), ("caller", .string(callerName)),
                                                      ("caller_exe", .string(callerExe)), ("reason", .string(decision.reason))]
        if let resolved = targets.first { details.append(("resolved", .string(resolved.path))) }
        if targets.count > 1 { details.append(("runs", .strings(targets.map { "\($0.role.rawValue) \($0.path)" }))) }
        if decision.anonymous { details.append(("anonymous", .bool(true))) }
        if let w = decision.windowsProgram { details.append(("windows_program", .string(w))) }
        if decision.isShell { details.append(("shell", .bool(true))) }
        if answered != 0 { details.append(("answer_failed", .string(String(cString: strerror(-answered))))) }
        trail?.record(decision.allowed ? "exec_allowed" : "exec_refused", pid: pid, chain: chain, details)
    }

    func refuseUnreadable(_ id: UInt64, pid: pid_t, chain: [AuditEvent.ProcessLink], why: String, path: String? = nil) {
        guard ww_notif_id_valid(listener, id) == 1 else { return }
        _ = ww_notif_respond(listener, id, EPERM, 0)
        var details: [(String, AuditEvent.Value)] = [("reason", .string("unreadable exec request: \(why)"))]
        if let path { details.insert(("path", .string(path)), at: 0) }
        trail?.record("exec_refused", pid: pid, chain: chain, details)
    }

    /// The files the kernel will run for this exec, in order (see `ExecIdentity`). Stops, with what it
    /// found so far, where the kernel's exec would fail too (no such file, not executable); any other
    /// failure to look is a failure (the exec is refused: ww does not guess).
    static func running(_ resolver: ExecResolver, path: String, argv: [String], descriptor: Int32?, base: String?) -> Result<[ExecTarget], ExecResolver.Failure> {
        let kernelFailsToo: Set<Int32> = [ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, EACCES]
        if path.isEmpty && descriptor == nil { return .success([]) }   // execve(""): ENOENT
        var targets: [ExecTarget] = []
        var current = descriptor.map { resolver.descriptor($0) } ?? resolver.resolve(path, base: base)
        var role = ExecTarget.Role.resolved
        var typed = path, argv = argv
        for _ in 0...ExecIdentity.maxRewrites {
            let file: ExecResolver.File
            switch current {
            case .success(let f): file = f
            case .failure(let why):
                if role == .loaderProgram { targets.append(ExecTarget(path: typed, role: role)) }   // ld.so may search for it: the name is checked
                return kernelFailsToo.contains(why.errno) ? .success(targets) : .failure(why)
            }
            defer { close(file.fd) }
            // A directory or a device: the kernel refuses it (EACCES), there is nothing to judge.
            guard file.isRegular else { return .success(targets) }
            targets.append(ExecTarget(path: file.path, role: role, anonymous: file.anonymous))
            let head: [UInt8]
            switch ExecResolver.head(file) {
            case .success(let h): head = h
            case .failure(let why): return .failure(why)
            }
            if let (interpreter, argument) = ExecIdentity.shebang(head) {
                argv = ExecIdentity.interpreterArguments(interpreter: interpreter, argument: argument, script: typed.isEmpty ? file.path : typed, argv: argv)
                typed = interpreter
                role = .interpreter
                current = resolver.resolve(interpreter)
            } else if ExecIdentity.isELF(head), ExecIdentity.isDynamicLoader(file.path), let program = ExecIdentity.loaderProgram(argv) {
                argv = ExecIdentity.loaderProgramArguments(argv)
                typed = program
                role = .loaderProgram
                current = resolver.resolve(program)
            } else {
                return .success(targets)
            }
        }
        return .failure(ExecResolver.Failure(errno: ELOOP, what: "more than \(ExecIdentity.maxRewrites) interpreters in a row"))
    }
}
