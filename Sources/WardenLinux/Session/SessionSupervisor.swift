import Glibc
import CLinux
import WardenCore

/// Owns one session from spawn to an ordered end (SPEC §2): prepares the host side of the plan,
/// starts bwrap, runs the loop (control socket, signals, the notify pump), the file watcher, the live
/// feed and the session's services (the network), then ends them in order and calls `onEnd` once,
/// where the ww target records the store, the trust change and the alerts.
///
/// Order at the start: the filtered bus is spawned before the signals are blocked (it keeps the
/// default mask); services and the live feed start after (their threads inherit the block, so
/// SIGCHLD reaches the signalfd); the file watcher once bwrap runs. At the end: the watcher, the
/// services' `gameEnded`, then `session_end`, then the feed, services, bus and session folder, then `onEnd` (which prints the
/// trail's summary with the trust change).
public final class SessionSupervisor {
    public let plan: SandboxPlan
    public let bwrapPath: String
    /// The session's audit trail (nil: none, e.g. in tests of the supervisor alone).
    public let trail: AuditTrail?
    public var report: (String) -> Void = { line in writeStandardError("ww: \(line)") }
    public var quiet = false
    /// This session's folder (`$XDG_RUNTIME_DIR/winewarden/<session>`): the live feed's socket goes
    /// there even when the network and the bus need none.
    public var sessionFolder: String?
    /// More details for the `policy_applied` event (the trust tier, from the ww target).
    public var policyDetails: [(String, AuditEvent.Value)] = []
    /// Started once the signals are blocked, stopped at the end (the network, from the ww target).
    public var services: [SessionService] = []
    /// Called once when the session is over and everything above has stopped (not when the launch
    /// failed before bwrap started: then `run` throws).
    public var onEnd: ((SessionOutcome) -> Void)?
    /// A smaller inotify watch budget than the user's (tests; the trail says what was not watched).
    public var fileWatchLimit: Int?

    public init(plan: SandboxPlan, bwrapPath: String, trail: AuditTrail? = nil) {
        self.plan = plan
        self.bwrapPath = bwrapPath
        self.trail = trail
    }

    public func run() throws -> Int32 {
        let outcome = try runSession()
        onEnd?(outcome)
        return outcome.exitStatus
    }

    private func runSession() throws -> SessionOutcome {
        let events = SessionEvents(plan: plan, trail: trail)
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
                                                                  watchSends: plan.net.mode == .observe, watchPathChanges: !plan.pathGuard.isEmpty)
        let spawn = try SandboxSpawn(plan: plan, bwrapPath: bwrapPath, filter: compiled.program)
        defer { spawn.closeAll() }

        events.policyApplied(argv: spawn.argv, session: session, extra: policyDetails)
        events.bwrapFilter(compiled)

        let bus = try plan.dbus.map { try DBusProxy.start($0) }
        defer { bus?.stop() }
        if let d = plan.dbus { events.busFiltered(d) }

        let watched: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD]
        let signals = ww_signalfd_block(watched, Int32(watched.count))
        guard signals >= 0 else { throw WardenError(.launch, "cannot watch signals: \(ErrnoText.describe(errno))") }
        defer { close(signals) }

        // The proxy's sockets exist (and inbound ports are bound) before anything of the game runs.
        var started: [SessionService] = []
        defer { for s in started.reversed() { s.stop() } }
        for service in services {
            try service.start(trail: trail)
            started.append(service)
        }

        // The live feed: a monitor sees the session from its first event. Without it the game still
        // runs; ww says why.
        var feed: LiveFeed?
        if let t = trail, let session {
            do { feed = try LiveFeed(folder: session, trail: t); feed?.start() } catch {
                if !quiet { report("\((error as? WardenError)?.message ?? "\(error)"); `ww monitor` and `ww events --follow` will not see this session live") }
            }
        }
        defer { feed?.stop() }

        let pid = try spawn.spawn()
        // File activity: watched from its own thread once bwrap runs (the launch does not wait for it).
        let files = trail.map { FileWatcher(places: FileWatcher.places(of: plan), trail: $0, limit: fileWatchLimit) }
        files?.start()
        let instructions = HelperInstructions(command: plan.command, landlock: plan.landlock, notificationFilter: notification, bridges: plan.net.bridges)
        let loop = SessionLoop(plan: plan, bwrapPID: pid, control: spawn.control, signals: signals, instructions: instructions,
                               events: events, services: started, report: report)
        let status = loop.run()
        _ = files?.stop()
        // Every process of the sandbox is gone: services look at what the game left (before session_end,
        // so what they find belongs to the session and its trust).
        if let t = trail { for service in started { service.gameEnded(trail: t) } }
        trail?.record("session_end", [("exit_status", .int(Int64(status)))])
        return SessionOutcome(exitStatus: status, gameStarted: loop.helperStarted)
    }
}
