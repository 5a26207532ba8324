import Glibc
import CLinux
import WardenCore

/// Runs inside the sandbox as `ww __inner-helper`: announces itself on the inherited control
/// socket (descriptor 3), receives the game's argv, Landlock rules and notification filter there
/// (not through argv or the environment), starts the game — whose process restricts itself with
/// Landlock and the filter on its single thread before exec — with nothing of ww inherited, and then acts as the sandbox's reaper: it
/// forwards signals to the game and stays until every process of the game has exited, so a
/// launcher that starts the real game and exits, or wineserver saving the registry, is not killed.
public enum InnerHelper {
    public static func main() -> Never {
        let control = Planner.controlFD
        var st = stat()
        guard fstat(control, &st) == 0, (st.st_mode & S_IFMT) == S_IFSOCK else {
            writeStandardError("ww: \(InnerHelperProtocol.subcommand) is started by ww inside the sandbox; it is not a command to run by hand")
            exit(125)
        }
        _ = ww_set_cloexec(control)
        _ = ww_close_from(control + 1)   // bind-source descriptors bwrap has used
        // Not dumpable: nothing in the sandbox can ptrace the helper or read its memory.
        _ = ww_set_nondumpable()
        let hello: [UInt8] = [ControlTag.hello.rawValue]
        guard ww_send_with_credentials(control, hello, hello.count) == hello.count else { fail("cannot reach ww") }

        // The message's size first (a 4 MiB buffer zeroed up front cost the start ~4 ms).
        var size = 0
        repeat { size = recv(control, nil, 0, Int32(MSG_PEEK | MSG_TRUNC)) } while size < 0 && errno == EINTR
        guard size > 1, size <= 64 << 20 else { fail("ww ended before the game could start") }
        var buf = [UInt8](repeating: 0, count: size)
        var sender: pid_t = 0
        let n = ww_recv_with_pid(control, &buf, buf.count, &sender, 0)
        guard n > 1, buf[0] == ControlTag.run.rawValue else { fail("ww ended before the game could start") }
        guard let instructions = HelperInstructions.decode(buf[1..<n]) else { fail("garbled instructions from ww") }
        let argv = instructions.command
        guard let program = argv.first else { fail("empty command") }

        let forwarded: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD]
        let signals = ww_signalfd_block(forwarded, Int32(forwarded.count))
        guard signals >= 0 else { fail("cannot watch signals") }
        // Without a PID namespace of its own (pid = shared) the kernel does not end the sandbox with
        // the helper: it asks for SIGTERM when its parent (bwrap, which dies with ww) goes, and then
        // kills every process below it (all of the game's orphans are re-parented to it).
        var parent: pid_t?
        if getpid() != 1 {
            parent = getppid()
            _ = ww_set_parent_death_signal(SIGTERM)
            if getppid() != parent { exit(125) }   // the parent went before the request stood
        }

        // The network bridges first (the game must find its proxy listening), then every capability
        // bwrap kept for them is dropped: the game starts with none.
        let bridges = startBridges(instructions.bridges)
        guard ww_drop_capabilities() == 0 else { fail("cannot drop capabilities: \(String(cString: strerror(errno)))") }

        var game: pid_t = 0
        let code: Int32
        switch resolve(program) {
        case .failure(let e): code = e.code
        case .success(let path):
            code = start(path: path, argv: argv, instructions: instructions, control: control, game: &game)
        }
        if code != 0 {
            let msg: [UInt8] = [ControlTag.execError.rawValue] + Array(String(code).utf8)
            _ = send(control, msg, msg.count, Int32(MSG_NOSIGNAL))
            exit(code == ENOENT ? 127 : 126)
        }
        exit(reap(game: game, signals: signals, control: control, bridges: bridges, parent: parent))
    }

    /// Starts each socat bridge and waits (up to 5 s) until all listen; a bridge that ends or never
    /// listens stops the launch with its name.
    static func startBridges(_ bridges: [NetworkPlan.Bridge]) -> Set<pid_t> {
        var pids: [pid_t] = []
        for b in bridges {
            var pid: pid_t = 0
            let e = withCStrings(b.argv) { ww_spawn_bridge(b.argv[0], $0, &pid) }
            guard e == 0 else { fail("cannot start the \(b.purpose) bridge (\(b.argv[0])): \(String(cString: strerror(e)))") }
            pids.append(pid)
        }
        var waiting = Array(zip(bridges, pids))
        var rounds = 0
        while !waiting.isEmpty {
            let tcp = RealFileSystem.readSmallFile("/proc/net/tcp") ?? ""
            let udp = RealFileSystem.readSmallFile("/proc/net/udp") ?? ""
            let unix = RealFileSystem.readSmallFile("/proc/net/unix") ?? ""
            waiting.removeAll { (b, _) in
                switch b.listener {
                case .tcp(let port): return listening(tcp, port: port, state: "0A")
                case .udp(let port): return listening(udp, port: port, state: "07")
                case .unix(let path): return unix.contains(" " + path + "\n")
                }
            }
            for (b, pid) in waiting {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    fail("the \(b.purpose) bridge (\(b.argv.joined(separator: " "))) ended before it listened (status \(status)); is that port taken inside the sandbox?")
                }
            }
            rounds += 1
            if rounds > 5000 { fail("the \(waiting[0].0.purpose) bridge did not start listening within 5 s") }
            if !waiting.isEmpty { usleep(1000) }
        }
        return Set(pids)
    }

    /// A /proc/net/{tcp,udp} line for 127.0.0.1:port (or any address) in `state`.
    static func listening(_ table: String, port: Int, state: String) -> Bool {
        let hexPort = String(port, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: max(0, 4 - hexPort.count)) + hexPort
        for line in table.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count > 3 else { continue }
            if f[1].hasSuffix(":" + padded) && f[3] == state { return true }
        }
        return false
    }

    /// Waits for the game and every process it left behind; returns the game's status (128+N for signal N).
    /// A stop request (TERM, INT, HUP, QUIT from ww) goes to the game and then to every process the
    /// game leaves behind as they are re-parented here, so stopping the game stops all of it.
    /// Each process reaped here (the game, and what it left behind) is reported to ww on `control`
    /// with how it ended: a process the kernel killed (seccomp's SIGSYS for x32 calls) is on record.
    /// The bridges are stopped (with the children they forked) once only they are left.
    /// Without a PID namespace (`parent` set), the parent's death ends everything at once.
    static func reap(game: pid_t, signals: Int32, control: Int32, bridges: Set<pid_t> = [], parent: pid_t? = nil) -> Int32 {
        var bridgesStopped = bridges.isEmpty
        var gameStatus: Int32?
        var stopSignal: Int32?
        var signalled = Set<pid_t>()
        func signalOrphans() {
            guard let sig = stopSignal else { return }
            var kids = [pid_t](repeating: 0, count: 4096)
            let count = ww_list_children(&kids, Int32(kids.count))
            for k in kids.prefix(Int(count)) where !signalled.contains(k) {
                signalled.insert(k)
                kill(k, sig)
            }
        }
        while true {
            var fds = [pollfd(fd: signals, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 1, -1) < 0 { if errno == EINTR { continue }; return 125 }
            var signo: Int32 = 0, code: Int32 = 0, sender: Int32 = 0
            while ww_signalfd_read(signals, &signo, &code, &sender) == 1 {
                if signo == SIGCHLD { continue }
                if let p = parent, signo == SIGTERM, getppid() != p {
                    _ = ww_kill_all_descendants(1000)
                    return 128 + SIGKILL
                }
                // Ctrl-C and hangups from the terminal reach the game directly (same process group).
                if code == 0x80 && signo != SIGTERM { continue }
                let stops = [SIGTERM, SIGINT, SIGHUP, SIGQUIT].contains(signo)
                if stops { stopSignal = signo; signalled = [] }
                if gameStatus == nil { kill(game, signo); signalled.insert(game) }
                if stops { signalOrphans() }
            }
            while true {
                var pid: pid_t = 0, killed: Int32 = 0, status: Int32 = 0
                var name = [CChar](repeating: 0, count: 32)
                let found = ww_wait_exited(&pid, &killed, &status, &name, name.count)
                if found == 0 { break }
                if found < 0 {
                    if found == -EINTR { continue }
                    return gameStatus ?? 125   // ECHILD: nothing of the game is left
                }
                if !(bridgesStopped && bridges.contains(pid)) {
                    let exited = ExitReport(sandboxPID: pid, isGame: pid == game, killed: killed != 0, status: status,
                                            name: String(cString: name))
                    let msg = [ControlTag.exited.rawValue] + exited.encoded()
                    _ = send(control, msg, msg.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                }
                var ignored: Int32 = 0
                _ = waitpid(pid, &ignored, WNOHANG)
                if pid == game { gameStatus = killed != 0 ? 128 + status : status }
            }
            signalOrphans()
            if !bridgesStopped && gameStatus != nil {
                var kids = [pid_t](repeating: 0, count: 4096)
                let count = Int(ww_list_children(&kids, Int32(kids.count)))
                if kids.prefix(count).allSatisfy({ bridges.contains($0) }) {
                    bridgesStopped = true
                    for b in bridges { kill(-b, SIGKILL) }
                }
            }
        }
    }

    /// The program's path, searched in PATH like execvp (so the game is executed exactly once).
    static func resolve(_ program: String) -> Result<String, Errno> {
        func check(_ path: String) -> Int32 {
            var st = stat()
            guard stat(path, &st) == 0 else { return errno }
            guard (st.st_mode & S_IFMT) == S_IFREG else { return EACCES }
            return access(path, X_OK) == 0 ? 0 : errno
        }
        if program.contains("/") {
            let e = check(program)
            return e == 0 ? .success(program) : .failure(Errno(code: e))
        }
        let searchPath = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        var firstError: Int32 = ENOENT
        for dir in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + program
            let e = check(candidate)
            if e == 0 { return .success(candidate) }
            if e == EACCES && firstError == ENOENT { firstError = EACCES }
        }
        return .failure(Errno(code: firstError))
    }

    /// Forks the game: the child applies Landlock, loads the notification filter, reports both to
    /// ww with the listener, waits for ww's go-ahead, and executes the game.
    static func start(path: String, argv: [String], instructions: HelperInstructions, control: Int32, game: inout pid_t) -> Int32 {
        let ll = instructions.landlock
        let paths = ll.rules.map { strdup($0.path) }
        defer { for p in paths { free(p) } }
        var rules = zip(paths, ll.rules).map { ww_landlock_rule(path: $0.0, access: $0.1.access) }
        let mode: Int32 = ll.mode == .off ? 0 : (ll.mode == .required ? 2 : 1)
        let filter = instructions.notificationFilter
        return rules.withUnsafeMutableBufferPointer { rulesBuffer in
            filter.withUnsafeBytes { filterBytes in
                var setup = ww_game_setup(
                    rules: rulesBuffer.baseAddress, nrules: Int32(rulesBuffer.count),
                    handled: ll.handledAccess, scoped: ll.scopes, restrict_flags: ll.restrictFlags, landlock_mode: mode,
                    filter: filter.isEmpty ? nil : filterBytes.baseAddress, filter_len: filter.count,
                    control: control, status_tag: ControlTag.status.rawValue, ack_tag: ControlTag.go.rawValue)
                return withCStrings(argv) { ww_fork_exec_game_setup(path, $0, &setup, &game) }
            }
        }
    }

    struct Errno: Error { var code: Int32 }

    static func fail(_ why: String) -> Never {
        writeStandardError("ww (inside the sandbox): \(why)")
        exit(125)
    }
}
