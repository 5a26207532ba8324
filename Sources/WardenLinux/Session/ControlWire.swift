/// The control socket between the supervisor (host) and the inner helper (inside the sandbox,
/// descriptor 3): each message is one tag byte, then its payload. Both sides use only this file.
///
///     helper → ww   hello     (the helper's pid arrives as SCM_CREDENTIALS)
///     ww → helper   run       HelperInstructions
///     game → ww     status    EnforcementStatus (the listener is taken with pidfd_getfd)
///     ww → game     go | stop
///     helper → ww   execError errno of the failed execve, decimal
///     helper → ww   exited    ExitReport of each process the helper reaped
public enum ControlTag: UInt8 {
    case hello = 0x48     // H
    case run = 0x52       // R
    case status = 0x53    // S
    case go = 0x41        // A: ww holds the listener; the game may start
    case stop = 0x4E      // N: ww refuses to start the game (what is in force is not enough)
    case execError = 0x45 // E
    case exited = 0x58    // X
}
