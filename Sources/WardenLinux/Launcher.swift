import Glibc
import CLinux
import WardenCore

/// Starts bwrap for a plan and stays as the game's supervisor: passes the command to the inner
/// helper, forwards signals, and returns the game's exit status (SPEC §2).
public struct Launcher {
    public let plan: SandboxPlan
    public let bwrapPath: String
    public var report: (String) -> Void = { line in writeStandardError("ww: \(line)") }
    /// The session's audit trail (nil: none, e.g. in tests of the launcher alone).
    public var trail: AuditTrail?
    /// Landlock rules left out on purpose (`WW_TEST_LANDLOCK_OMIT`, for tests: only ever stricter).
    public var landlockOmit: Set<String> = []
    public var quiet = false
    /// A smaller inotify watch budget (`WW_TEST_FILE_WATCHES`, for tests: only ever fewer).
    public var fileWatchLimit: Int?
    /// This session's folder (`$XDG_RUNTIME_DIR/winewarden/<session>`): the live feed's socket goes
    /// there even when the network and the bus need none.
    public var sessionFolder: String?
    /// More details for the `policy_applied` event (the trust tier, from the ww target).
    public var policyDetails: [(String, AuditEvent.Value)] = []
    /// Starts the host side of the network (proxy, DNS relay, inbound listeners) and returns how to
    /// stop it; set by the ww target (WardenNet), nil in tests of the launcher alone.
    public var startNetwork: ((NetworkPlan, AuditTrail?) throws -> SessionNetwork?)?

    public init(plan: SandboxPlan, bwrapPath: String, trail: AuditTrail? = nil) {
        self.plan = plan
        self.bwrapPath = bwrapPath
        self.trail = trail
    }

    public func run() throws -> Int32 {
        let session = plan.net.sessionDirectory ?? plan.dbus.map { Paths.dirname(Paths.dirname($0.hostSocket)) } ?? sessionFolder
        if let session {
            try SessionFolder.prepare(session, plan: plan.net)
            if let d = plan.dbus { try WardenDirectories.createPrivate(Paths.dirname(d.hostSocket)) }
        }
        defer { if let session { SessionFolder.remove(session) } }
        for dir in plan.directoriesToCreate { try WardenDirectories.create(dir) }
        try CopyOnWrite.prepare(plan.copyOnWrite)
        try WardenDirectories.createEmptyFile(plan.emptyFile)
        let compiled = try SeccompCompiler.compile(plan.seccomp)
        let notification = try SeccompCompiler.notificationFilter(plan.seccomp, watchProcessCreation: plan.process.maxChildProcesses > 0,
                                                                  watchSends: plan.net.mode == .observe)
        let seccompFD = try SeccompCompiler.memfd(compiled.program, name: "ww-seccomp")
        defer { close(seccompFD) }
        let sources = try BindSources.open(plan)
        defer { sources.closeAll() }

        var pair: [Int32] = [-1, -1]
        guard ww_control_pair(&pair) == 0 else { throw WardenError(.launch, "cannot create the control socket: \(String(cString: strerror(errno)))") }
        let control = pair[0]
        defer { close(control) }

        // Child descriptors: 3 = control socket, 4 = seccomp filter, 5… = bind sources in mount order.
        var passed: [Int32] = [pair[1], seccompFD]
        var childFD: [Int: Int32] = [:]
        for index in sources.descriptors.keys.sorted() {
            childFD[index] = Int32(3 + passed.count)
            passed.append(sources.descriptors[index]!)
        }
        let argv = BwrapCommand.render(plan, bwrap: bwrapPath, seccompDescriptor: 4, sourceDescriptor: { childFD[$0] }).arguments
        let envp = plan.environment.map { "\($0.name)=\($0.value)" }

        trail?.record("policy_applied", [
            ("game_name", .string(plan.game.displayName)), ("plan_digest", .string(Self.digest(argv, session: session))),
            ("profile", .string(plan.profile)), ("profile_reason", .string(plan.profileReason)), ("command", .strings(plan.command)),
            ("network", .string(plan.network.rawValue)), ("namespaces", .strings(plan.namespaces.unsharedNames)),
            ("mounts", .int(Int64(plan.mounts.count))), ("landlock_mode", .string(plan.landlock.mode.rawValue)),
            ("blocked_patterns", .strings(plan.process.blockedPatterns)), ("allowed_patterns", .strings(plan.process.allowedPatterns)),
            ("allow_shell_execution", .bool(plan.process.allowShellExecution)), ("max_child_processes", .int(Int64(plan.process.maxChildProcesses))),
        ] + policyDetails)
        trail?.record("seccomp_status", [
            ("filter", .string("bwrap --seccomp: x86_64 + i386, x32 killed")), ("rules", .int(Int64(plan.seccomp.rules.count))),
            ("bpf_instructions", .int(Int64(compiled.program.count / 8))), ("allowed_by_profile", .strings(plan.seccomp.allowed)),
            ("unknown_to_libseccomp", .strings(compiled.unknownToLibrary)),
        ])

        // The filtered bus is listening before the game starts (spawned before the signals are
        // blocked: it keeps the default signal mask).
        let bus = try plan.dbus.map { try DBusProxy.start($0) }
        defer { bus?.stop() }
        if let d = plan.dbus {
            trail?.record("dbus_filtered", [("upstream", .string(d.upstream)), ("rules", .strings(d.arguments.filter { $0 != "--filter" }))])
        }

        let watched: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD]
        let signals = ww_signalfd_block(watched, Int32(watched.count))
        guard signals >= 0 else { throw WardenError(.launch, "cannot watch signals: \(String(cString: strerror(errno)))") }
        defer { close(signals) }

        // The proxy's sockets exist (and inbound ports are bound) before anything of the game runs.
        // Its threads start after the signals are blocked, so SIGCHLD and the rest reach the signalfd.
        let network = try startNetwork?(plan.net, trail) ?? nil
        defer { network?.stop() }

        // The live feed: a monitor sees the session from its first event (its thread also starts
        // after the signals are blocked). Without it the game still runs; ww says why.
        var feed: LiveFeed?
        if let t = trail, let session {
            do { feed = try LiveFeed(folder: session, trail: t); feed?.start() } catch {
                if !quiet { report("\((error as? WardenError)?.message ?? "\(error)"); `ww monitor` and `ww events --follow` will not see this session live") }
            }
        }
        defer { feed?.stop() }

        // bwrap ignores terminal signals so Ctrl-C reaches the game (same process group) instead of
        // killing bwrap; the helper restores default dispositions before exec.
        let ignored: [Int32] = [SIGINT, SIGQUIT, SIGHUP]
        var pid: pid_t = 0
        var failedStep: Int32 = -1
        // Copy-on-write: bwrap starts in a user and mount namespace of its own where the overlays are
        // mounted (the host's mounts stay as they are).
        let options = plan.copyOnWrite.map(\.mountOptions)
        let targets = plan.copyOnWrite.map(\.merged)
        let spawnError = withCStrings(argv) { cArgv in
            withCStrings(envp) { cEnv in
                withConstCStrings(options) { cOptions in
                    withConstCStrings(targets) { cTargets in
                        ww_spawn_with_overlays(bwrapPath, cArgv, cEnv, passed, Int32(passed.count), ignored, Int32(ignored.count),
                                               cOptions, cTargets, Int32(options.count), &pid, &failedStep)
                    }
                }
            }
        }
        close(pair[1])
        guard spawnError == 0 else {
            if failedStep >= 0 { throw CopyOnWrite.failure(plan.copyOnWrite, step: failedStep, errno: spawnError) }
            throw WardenError(.host, "cannot start bwrap (\(bwrapPath)): \(String(cString: strerror(spawnError))); install the bubblewrap package")
        }
        // File activity: watched from its own thread once bwrap runs (the launch does not wait for it).
        let files = trail.map { FileWatcher(places: FileWatcher.places(of: plan), trail: $0, limit: fileWatchLimit) }
        files?.start()
        var landlock = plan.landlock
        landlock.rules.removeAll { landlockOmit.contains($0.path) }
        let instructions = HelperInstructions(command: plan.command, landlock: landlock, notificationFilter: notification, bridges: plan.net.bridges)
        let status = supervise(bwrapPID: pid, control: control, signals: signals, instructions: instructions, network: network)
        files?.stop()
        trail?.record("session_end", [("exit_status", .int(Int64(status)))])
        if let t = trail, !quiet { report(t.summary(exitStatus: status)) }
        return status
    }

    func supervise(bwrapPID: pid_t, control: Int32, signals: Int32, instructions: HelperInstructions, network: SessionNetwork? = nil) -> Int32 {
        var helperStarted = false
        var helperPID: pid_t = 0
        var execErrno: Int32?
        var refusal: String?
        var gamePIDFD: Int32 = -1
        var controlOpen = true
        var pendingSignal: Int32?
        var bwrapStatus: Int32?
        var listener: Int32 = -1
        var watcher: NotificationSupervisor?
        var gameHostPID: pid_t = 0
        defer {
            if gamePIDFD >= 0 { close(gamePIDFD) }
            if listener >= 0 { close(listener) }
        }

        func refuse(_ why: String) {
            refusal = why
            var no = [ControlTag.stop.rawValue]
            _ = send(control, &no, 1, Int32(MSG_NOSIGNAL))
        }

        func enforcement(_ s: EnforcementStatus, listenerFD: Int32, gamePID: pid_t) {
            let ll = instructions.landlock
            let asked = ll.handledAccess != 0 || ll.scopes != 0
            let applied = s.landlockErrno == 0 && s.landlockABI > 0
            let level: String
            if ll.mode == .off { level = "off" }
            else if !applied { level = "not enforced" }
            else if s.landlockHandled == ll.handledAccess && s.landlockScopes == ll.scopes { level = "fully enforced" }
            else { level = "partially enforced" }
            let steps = [1: "create_ruleset", 2: "add_rule", 3: "restrict_self", 4: "no_new_privs"]
            trail?.record("landlock_status", pid: gamePID, [
                ("mode", .string(ll.mode.rawValue)), ("status", .string(level)), ("abi", .int(Int64(s.landlockABI))),
                ("handled", .string(LandlockAccess.describe(s.landlockHandled))), ("scopes", .string(LandlockAccess.describeScopes(s.landlockScopes))),
                ("log_new_exec", .bool(s.landlockFlags & LandlockAccess.logNewExecOn != 0)),
                ("rules_added", .int(Int64(s.rulesAdded))), ("rules_missing", .int(Int64(s.rulesMissing))),
                ("error", .string(s.landlockErrno == 0 ? "" : "\(steps[Int(s.failedStep)] ?? "step \(s.failedStep)"): \(String(cString: strerror(s.landlockErrno)))")),
            ])
            trail?.record("seccomp_status", pid: gamePID, [
                ("filter", .string("notification: execve, execveat, connect\(plan.net.mode == .observe ? ", sendto with an address, sendmsg, sendmmsg" : "")\(plan.process.maxChildProcesses > 0 ? ", fork/vfork/clone" : "")")),
                ("installed", .bool(listenerFD >= 0)),
                ("error", .string(s.listenerErrno > 0 ? String(cString: strerror(s.listenerErrno)) : "")),
            ])
            if ll.mode == .required && asked && !applied {
                let why = s.landlockABI == 0 ? "this kernel has no Landlock (\(s.landlockErrno == EOPNOTSUPP ? "disabled at boot: add lsm=…,landlock to the kernel command line" : "not built in"))" : "applying it failed: \(String(cString: strerror(s.landlockErrno)))"
                refuse("landlock = \"required\" but \(why); use landlock = \"best-effort\" to start without it")
                return
            }
            guard listenerFD >= 0 else {
                refuse("the process policy needs seccomp user notification, which failed here (\(String(cString: strerror(max(s.listenerErrno, 1))))); see `ww features`")
                return
            }
            listener = listenerFD
            watcher = NotificationSupervisor(listener: listenerFD, policy: plan.process, trail: trail, helperPID: helperPID, gamePID: gamePID,
                                             refusals: SeccompCompiler.RefusalTable(SeccompCompiler.answeredByWarden(plan.seccomp)))
            if plan.net.mode == .observe {
                watcher?.observer = NetworkObserver(policy: plan.net.policy, rateLimit: plan.net.rateLimit, trail: trail)
            }
            var go = [ControlTag.go.rawValue]
            if send(control, &go, 1, Int32(MSG_NOSIGNAL)) != 1 { refusal = "the sandbox ended before the game could start" }
        }

        func readControl() {
            var buf = [UInt8](repeating: 0, count: 4096)
            while controlOpen {
                var sender: pid_t = 0
                var fd: Int32 = -1
                let n = ww_recv_fd(control, &buf, buf.count, &fd, &sender, 1)
                if n < 0 { if n != -Int(EAGAIN) { controlOpen = false }; return }
                if n == 0 { controlOpen = false; return }
                switch ControlTag(rawValue: buf[0]) {
                case .hello?:
                    helperStarted = true
                    helperPID = sender
                    network?.helperStarted(sender)
                    if sender > 0 { gamePIDFD = ww_pidfd_open(sender) }
                    let msg = [ControlTag.run.rawValue] + instructions.encoded()
                    if send(control, msg, msg.count, Int32(MSG_NOSIGNAL)) != msg.count {
                        report("cannot pass the command to the sandbox: \(String(cString: strerror(errno))) (command line too long?)")
                        kill(bwrapPID, SIGKILL)
                    }
                    if let sig = pendingSignal, gamePIDFD >= 0 { _ = ww_pidfd_send_signal(gamePIDFD, sig) }
                case .status?:
                    gameHostPID = sender
                    if fd >= 0 { close(fd) }   // the listener comes by pidfd_getfd, never with the message
                    if var s = EnforcementStatus.decode(buf[1..<n]) {
                        var listener: Int32 = -1
                        if s.listenerFD >= 0 {
                            listener = ww_take_fd(sender, s.listenerFD)
                            if listener < 0 { s.listenerErrno = -listener; listener = -1 }
                        }
                        enforcement(s, listenerFD: listener, gamePID: sender)
                    }
                    else { refuse("garbled status from the sandbox") }
                case .execError?:
                    execErrno = Int32(String(decoding: buf[1..<n], as: UTF8.self)) ?? ENOENT
                case .exited?:
                    if let e = ExitReport.decode(buf[1..<n]) { recordExit(e, gamePID: gameHostPID) }
                default:
                    if fd >= 0 { close(fd) }
                }
            }
        }

        while bwrapStatus == nil {
            var fds = [pollfd(fd: signals, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: controlOpen ? control : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 3, -1)
            if r < 0 { if errno == EINTR { continue }; break }
            if fds[1].revents != 0 { readControl() }
            if fds[2].revents & Int16(POLLIN) != 0, let w = watcher {
                if !w.handleOne() { w.finish(); close(listener); listener = -1; watcher = nil }
            } else if fds[2].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                // Every process under the filter is gone.
                watcher?.finish(); close(listener); listener = -1; watcher = nil
            }
            if fds[0].revents != 0 {
                var signo: Int32 = 0, code: Int32 = 0, sender: Int32 = 0
                while ww_signalfd_read(signals, &signo, &code, &sender) == 1 {
                    if signo == SIGCHLD {
                        var status: Int32 = 0
                        if waitpid(bwrapPID, &status, WNOHANG) == bwrapPID { bwrapStatus = status }
                        continue
                    }
                    // A terminal's Ctrl-C / hangup already reached the game (same process group).
                    let fromTerminal = code == 0x80 && signo != SIGTERM
                    if fromTerminal { continue }
                    if gamePIDFD >= 0 {
                        _ = ww_pidfd_send_signal(gamePIDFD, signo)
                    } else if helperStarted {
                        pendingSignal = signo
                    } else {
                        pendingSignal = signo
                        kill(bwrapPID, SIGKILL)   // nothing of the game runs yet: end the sandbox
                    }
                }
            }
        }
        readControl()
        watcher?.finish()
        guard let status = bwrapStatus else { return 125 }

        if let why = refusal {
            report(why)
            return 125
        }
        // Signalled before the game could start: report the signal, like the game would have.
        if !helperStarted, let sig = pendingSignal { return 128 + sig }
        if let e = execErrno {
            let name = plan.command.first ?? "?"
            let hint = e == ENOENT ? "; the program (or its interpreter) must be inside a folder the profile makes visible"
                : e == EPERM ? "; the profile's [process] policy refuses it (see the audit trail)" : ""
            report("cannot run \(name) inside the sandbox: \(String(cString: strerror(e)))\(hint)")
            trail?.record("exec_failed", [("program", .string(name)), ("error", .string(String(cString: strerror(e))))])
            return e == ENOENT ? 127 : 126
        }
        if !helperStarted {
            report("the sandbox could not be set up (bwrap \(describe(status))); see bwrap's message above, and `ww features` for what this machine supports")
            return 125
        }
        if (status & 0x7f) == 0 { return (status >> 8) & 0xff }     // exited: bwrap reports the game's status, 128+N for a signal
        return 128 + (status & 0x7f)                                  // bwrap itself was killed
    }

    /// `process_exit`: the game's own process carries its pid as ww sees it; the others, reaped by the
    /// helper after their parent was gone, carry the pid inside the sandbox.
    func recordExit(_ e: ExitReport, gamePID: pid_t) {
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

    func describe(_ status: Int32) -> String {
        (status & 0x7f) == 0 ? "exited with status \(( status >> 8) & 0xff)" : "was killed by signal \(status & 0x7f)"
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
public func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Calls `body` with a NULL-terminated C array of constant strings.
public func withConstCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let owned: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { for p in owned { free(p) } }
    let pointers: [UnsafePointer<CChar>?] = owned.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// `$XDG_RUNTIME_DIR/winewarden/<session>`: the session's sockets and resolv.conf, private to the
/// user, removed at exit; folders of sessions whose ww died (SIGKILL) are removed by the next one.
enum SessionFolder {
    static func prepare(_ session: String, plan: NetworkPlan) throws {
        let parent = Paths.dirname(session)
        try WardenDirectories.createPrivate(parent)
        removeStale(in: parent)
        try WardenDirectories.createPrivate(session)
        let pidText = "\(getpid())\n"
        try write(Paths.join(session, "ww.pid"), pidText)
        if plan.mode == .proxy, let resolv = plan.hostResolvConf { try write(resolv, NetworkPlan.resolvConf) }
        if let dir = plan.hostSocketDirectory, Paths.join(dir, NetworkPlan.Socket.dnsStream).utf8.count >= 108 {
            throw WardenError(.launch, "the session folder \(session) is too deep for unix sockets (108 bytes at most); set XDG_RUNTIME_DIR to a short path such as /run/user/\(getuid())")
        }
    }

    static func write(_ path: String, _ text: String) throws {
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WardenError(.launch, "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw WardenError(.launch, "cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    /// Removes the folder, its files and its subfolders' files (two levels: net/, inbound/); never follows links.
    static func remove(_ path: String) {
        for name in RealFileSystem().list(path) {
            let child = Paths.join(path, name)
            var st = stat()
            if lstat(child, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                for inner in RealFileSystem().list(child) { unlink(Paths.join(child, inner)) }
                rmdir(child)
            } else { unlink(child) }
        }
        rmdir(path)
    }

    static func removeStale(in parent: String) {
        for name in RealFileSystem().list(parent) where name.count == 16 && name.allSatisfy(\.isHexDigit) {
            let dir = Paths.join(parent, name)
            guard let text = RealFileSystem.readSmallFile(Paths.join(dir, "ww.pid")),
                  let pid = Int32(text.filter { !$0.isWhitespace }) else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { remove(dir) }
        }
    }
}

/// The host side of a session's network (WardenNet), as the launcher sees it.
public protocol SessionNetwork: AnyObject {
    /// The inner helper's host pid: the sandbox's processes are its descendants.
    func helperStarted(_ pid: pid_t)
    func stop()
}
