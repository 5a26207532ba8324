import Glibc
import CLinux
import WardenCore

/// Starts bwrap for a plan and stays as the game's supervisor: passes the command to the inner
/// helper, forwards signals, and returns the game's exit status (SPEC §2).
public struct Launcher {
    public let plan: SandboxPlan
    public let bwrapPath: String
    public var report: (String) -> Void = { line in writeStandardError("ww: \(line)") }

    public init(plan: SandboxPlan, bwrapPath: String) {
        self.plan = plan
        self.bwrapPath = bwrapPath
    }

    /// Messages on the control socket: one tag byte, then the payload.
    enum Tag: UInt8 {
        case hello = 0x48     // H: helper is running inside (pid from SCM_CREDENTIALS)
        case run = 0x52       // R: argv, NUL-separated
        case execError = 0x45 // E: errno of the failed execve, decimal
    }

    public func run() throws -> Int32 {
        for dir in plan.directoriesToCreate { try WardenDirectories.create(dir) }
        try WardenDirectories.createEmptyFile(plan.emptyFile)
        let sources = try BindSources.open(plan)
        defer { sources.closeAll() }

        var pair: [Int32] = [-1, -1]
        guard ww_control_pair(&pair) == 0 else { throw WardenError(.launch, "cannot create the control socket: \(String(cString: strerror(errno)))") }
        let control = pair[0]
        defer { close(control) }

        // Child descriptors: 3 = control socket, 4… = bind sources in mount order.
        var passed: [Int32] = [pair[1]]
        var childFD: [Int: Int32] = [:]
        for index in sources.descriptors.keys.sorted() {
            childFD[index] = Int32(3 + passed.count)
            passed.append(sources.descriptors[index]!)
        }
        let argv = BwrapCommand.render(plan, bwrap: bwrapPath, sourceDescriptor: { childFD[$0] }).arguments
        let envp = plan.environment.map { "\($0.name)=\($0.value)" }

        let watched: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD]
        let signals = ww_signalfd_block(watched, Int32(watched.count))
        guard signals >= 0 else { throw WardenError(.launch, "cannot watch signals: \(String(cString: strerror(errno)))") }
        defer { close(signals) }

        // bwrap ignores terminal signals so Ctrl-C reaches the game (same process group) instead of
        // killing bwrap; the helper restores default dispositions before exec.
        let ignored: [Int32] = [SIGINT, SIGQUIT, SIGHUP]
        var pid: pid_t = 0
        let spawnError = withCStrings(argv) { cArgv in
            withCStrings(envp) { cEnv in
                ww_spawn(bwrapPath, cArgv, cEnv, passed, Int32(passed.count), ignored, Int32(ignored.count), &pid)
            }
        }
        close(pair[1])
        guard spawnError == 0 else {
            throw WardenError(.host, "cannot start bwrap (\(bwrapPath)): \(String(cString: strerror(spawnError))); install the bubblewrap package")
        }
        return supervise(bwrapPID: pid, control: control, signals: signals)
    }

    func supervise(bwrapPID: pid_t, control: Int32, signals: Int32) -> Int32 {
        var helperStarted = false
        var execErrno: Int32?
        var gamePIDFD: Int32 = -1
        var controlOpen = true
        var pendingSignal: Int32?
        var bwrapStatus: Int32?
        defer { if gamePIDFD >= 0 { close(gamePIDFD) } }

        func readControl() {
            var buf = [UInt8](repeating: 0, count: 4096)
            while controlOpen {
                var sender: pid_t = 0
                let n = ww_recv_with_pid(control, &buf, buf.count, &sender, 1)
                if n < 0 { if errno != EAGAIN { controlOpen = false }; return }
                if n == 0 { controlOpen = false; return }
                switch Tag(rawValue: buf[0]) {
                case .hello?:
                    helperStarted = true
                    if sender > 0 { gamePIDFD = ww_pidfd_open(sender) }
                    var msg: [UInt8] = [Tag.run.rawValue]
                    for arg in plan.command { msg += Array(arg.utf8) + [0] }
                    if send(control, msg, msg.count, Int32(MSG_NOSIGNAL)) != msg.count {
                        report("cannot pass the command to the sandbox: \(String(cString: strerror(errno))) (command line too long?)")
                        kill(bwrapPID, SIGKILL)
                    }
                    if let sig = pendingSignal, gamePIDFD >= 0 { _ = ww_pidfd_send_signal(gamePIDFD, sig) }
                case .execError?:
                    execErrno = Int32(String(decoding: buf[1..<n], as: UTF8.self)) ?? ENOENT
                default:
                    break
                }
            }
        }

        while bwrapStatus == nil {
            var fds = [pollfd(fd: signals, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: controlOpen ? control : -1, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 2, -1)
            if r < 0 { if errno == EINTR { continue }; break }
            if fds[1].revents != 0 { readControl() }
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
        guard let status = bwrapStatus else { return 125 }

        // Signalled before the game could start: report the signal, like the game would have.
        if !helperStarted, let sig = pendingSignal { return 128 + sig }
        if let e = execErrno {
            let name = plan.command.first ?? "?"
            report("cannot run \(name) inside the sandbox: \(String(cString: strerror(e)))\(e == ENOENT ? "; the program (or its interpreter) must be inside a folder the profile makes visible" : "")")
            return e == ENOENT ? 127 : 126
        }
        if !helperStarted {
            report("the sandbox could not be set up (bwrap \(describe(status))); see bwrap's message above, and `ww features` for what this machine supports")
            return 125
        }
        if (status & 0x7f) == 0 { return (status >> 8) & 0xff }     // exited: bwrap reports the game's status, 128+N for a signal
        return 128 + (status & 0x7f)                                  // bwrap itself was killed
    }

    func describe(_ status: Int32) -> String {
        (status & 0x7f) == 0 ? "exited with status \((status >> 8) & 0xff)" : "was killed by signal \(status & 0x7f)"
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
public func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
