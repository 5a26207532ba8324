import Glibc
import WardenCore

/// A host-side service that lives as long as one session, started by the supervisor once the
/// signals are blocked (its threads then inherit the mask, so SIGCHLD and the rest reach the
/// signalfd) and stopped at the session's end. The network (WardenNet) is one; the ww target hands
/// it in already bound to its plan, so this target never needs to know it.
public protocol SessionService: AnyObject {
    /// Binds what must exist before the game runs (sockets, inbound ports) and starts its threads.
    /// Throws (exit 125) when it cannot: the game never starts without it.
    func start(trail: AuditTrail?) throws
    /// The inner helper's host pid: the sandbox's processes are its descendants.
    func helperStarted(_ pid: pid_t)
    /// The game and every process of its sandbox have ended (bwrap exited), before `session_end`:
    /// what the service finds now (a diff of what the game left) is recorded in this session.
    func gameEnded(trail: AuditTrail)
    func stop()
}

extension SessionService {
    public func helperStarted(_ pid: pid_t) {}
    public func gameEnded(trail: AuditTrail) {}
}

/// How a session ended, for the end hook (the ww target records the store, trust and alerts there).
public struct SessionOutcome {
    /// What `ww` exits with: the game's status, or 125/126/127 for ww's own refusals.
    public var exitStatus: Int32
    /// The game started (the helper reported in); false when the sandbox never came up.
    public var gameStarted: Bool
}

/// The running network of a session (WardenNet's `NetworkServices`), as a service adapter sees it.
public protocol SessionNetwork: AnyObject {
    func helperStarted(_ pid: pid_t)
    func stop()
}
