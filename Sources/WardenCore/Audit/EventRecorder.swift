import Foundation

/// Where a mechanism records its events (the session's audit trail): the proxy, the DNS relay, the
/// file watcher and the supervisor all write through this, so they need WardenCore and nothing else.
public protocol EventRecorder: AnyObject, Sendable {
    func record(_ kind: String, pid: Int32?, chain: [AuditEvent.ProcessLink], _ details: [(String, AuditEvent.Value)])
}

public extension EventRecorder {
    func record(_ kind: String, pid: Int32? = nil, _ details: [(String, AuditEvent.Value)] = []) {
        record(kind, pid: pid, chain: [], details)
    }
}

/// The clocks events and intervals use.
public enum EventClock {
    /// Nanoseconds since the epoch (CLOCK_REALTIME): event times.
    public static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    /// Nanoseconds of CLOCK_MONOTONIC: for intervals (a wall clock stepped back must not make one negative).
    public static func monotonic() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }
}
