import Glibc
import CLinux
import WardenCore

/// The supervisor's poll loop over three descriptors until bwrap is gone: the signalfd (SIGCHLD,
/// and signals to forward to the game), the control socket (the helper's messages), and the game's
/// seccomp listener once taken (the notify pump, `NotificationSupervisor`). Single-threaded.
final class SessionLoop {
    let plan: SandboxPlan
    let bwrapPID: pid_t
    let control: Int32
    let signals: Int32
    let instructions: HelperInstructions
    let events: SessionEvents
    let services: [SessionService]
    let report: (String) -> Void

    private(set) var helperStarted = false
    private var helperPID: pid_t = 0
    private var gameHostPID: pid_t = 0
    private var gamePIDFD: Int32 = -1
    private var controlOpen = true
    private var execErrno: Int32?
    private var refusal: String?
    private var pendingSignal: Int32?
    private var bwrapStatus: Int32?
    private var listener: Int32 = -1
    private var watcher: NotificationSupervisor?

    init(plan: SandboxPlan, bwrapPID: pid_t, control: Int32, signals: Int32, instructions: HelperInstructions,
         events: SessionEvents, services: [SessionService], report: @escaping (String) -> Void) {
        self.plan = plan
        self.bwrapPID = bwrapPID
        self.control = control
        self.signals = signals
        self.instructions = instructions
        self.events = events
        self.services = services
        self.report = report
    }

    deinit {
        if gamePIDFD >= 0 { close(gamePIDFD) }
        if listener >= 0 { close(listener) }
    }

    /// Runs until bwrap has exited; returns what ww exits with.
    func run() -> Int32 {
        while bwrapStatus == nil {
            var fds = [pollfd(fd: signals, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: controlOpen ? control : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 3, -1)
            if r < 0 { if errno == EINTR { continue }; break }
            if fds[1].revents != 0 { readControl() }
            if fds[2].revents & Int16(POLLIN) != 0, let w = watcher {
                if !w.handleOne() { endNotifications() }
            } else if fds[2].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                endNotifications()   // every process under the filter is gone
            }
            if fds[0].revents != 0 { readSignals() }
        }
        readControl()
        watcher?.finish()
        return outcome()
    }

    private func endNotifications() {
        watcher?.finish()
        close(listener)
        listener = -1
        watcher = nil
    }

    private func readSignals() {
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

    private func readControl() {
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
                for service in services { service.helperStarted(sender) }
                if sender > 0 { gamePIDFD = ww_pidfd_open(sender) }
                let msg = [ControlTag.run.rawValue] + instructions.encoded()
                if send(control, msg, msg.count, Int32(MSG_NOSIGNAL)) != msg.count {
                    report("cannot pass the command to the sandbox: \(ErrnoText.describe(errno)) (command line too long?)")
                    kill(bwrapPID, SIGKILL)
                }
                if let sig = pendingSignal, gamePIDFD >= 0 { _ = ww_pidfd_send_signal(gamePIDFD, sig) }
            case .status?:
                gameHostPID = sender
                if fd >= 0 { close(fd) }   // the listener comes by pidfd_getfd, never with the message
                if var s = EnforcementStatus.decode(buf[1..<n]) {
                    if s.listenerFD >= 0 {
                        let taken = ww_take_fd(sender, s.listenerFD)
                        if taken < 0 { s.listenerErrno = -taken; s.listenerFD = -1 } else { s.listenerFD = taken }
                    }
                    decide(s, gamePID: sender)
                } else {
                    refuse("garbled status from the sandbox")
                }
            case .execError?:
                execErrno = Int32(String(decoding: buf[1..<n], as: UTF8.self)) ?? ENOENT
            case .exited?:
                if let e = ExitReport.decode(buf[1..<n]) { events.processExit(e, gamePID: gameHostPID) }
            default:
                if fd >= 0 { close(fd) }
            }
        }
    }

    /// The game's process reported what is in force: go, or stop (EnforcementRule decides).
    private func decide(_ s: EnforcementStatus, gamePID: pid_t) {
        let verdict = EnforcementRule.judge(instructions.landlock, s)
        events.enforcement(s, verdict: verdict, landlock: instructions.landlock, gamePID: gamePID)
        if let why = verdict.stop {
            if s.listenerFD >= 0 { close(s.listenerFD) }
            refuse(why)
            return
        }
        listener = s.listenerFD
        watcher = NotificationSupervisor(listener: listener, policy: plan.process, trail: events.trail, helperPID: helperPID, gamePID: gamePID,
                                         refusals: SeccompCompiler.RefusalTable(SeccompCompiler.answeredByWarden(plan.seccomp)))
        watcher?.pathGuard = plan.pathGuard
        if plan.net.mode == .observe {
            watcher?.observer = NetworkObserver(policy: plan.net.policy, rateLimit: plan.net.rateLimit, trail: events.trail)
        }
        var go = [ControlTag.go.rawValue]
        if send(control, &go, 1, Int32(MSG_NOSIGNAL)) != 1 { refusal = "the sandbox ended before the game could start" }
    }

    private func refuse(_ why: String) {
        refusal = why
        var no = [ControlTag.stop.rawValue]
        _ = send(control, &no, 1, Int32(MSG_NOSIGNAL))
    }

    /// What ww exits with, from how bwrap ended and what the helper said.
    private func outcome() -> Int32 {
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
            report("cannot run \(name) inside the sandbox: \(ErrnoText.describe(e))\(hint)")
            events.execFailed(program: name, errno: e)
            return e == ENOENT ? 127 : 126
        }
        if !helperStarted {
            report("the sandbox could not be set up (bwrap \(Self.describe(status))); see bwrap's message above, and `ww features` for what this machine supports")
            return 125
        }
        if (status & 0x7f) == 0 { return (status >> 8) & 0xff }     // exited: bwrap reports the game's status, 128+N for a signal
        return 128 + (status & 0x7f)                                  // bwrap itself was killed
    }

    static func describe(_ status: Int32) -> String {
        (status & 0x7f) == 0 ? "exited with status \((status >> 8) & 0xff)" : "was killed by signal \(status & 0x7f)"
    }
}
