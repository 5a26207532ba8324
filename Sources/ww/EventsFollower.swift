import Foundation
import Glibc
import WardenCore
import WardenLinux
import WardenStore

/// `ww events --follow`: the stored events, then those of running sessions as they happen, read from
/// each supervisor's live feed. A feed replays its session from the first line; the database read
/// says how many lines of each running session it held, and that many are skipped (by position, not
/// time: lines of different threads may reach the file slightly out of time order), so none is
/// printed twice or missed, also for a session that starts while the database is read.
/// New sessions are picked up within a second. Ends with Ctrl-C, or when `--session` names sessions
/// and all of them have ended.
struct EventsFollower {
    var filter: EventFilter
    var folder: String
    var feeds: [String: LiveFeedClient] = [:]
    var stored: [String: Int] = [:]
    var skip: [String: Int] = [:]
    var seen: Set<String> = []

    init(filter: EventFilter, folder: String) {
        self.filter = filter
        self.folder = folder
    }

    /// Connects to the running sessions the filter can match (a feed that refuses is skipped).
    mutating func join() {
        for r in LiveFeedClient.running(folder: folder) where !seen.contains(r.session) {
            seen.insert(r.session)
            if let s = filter.session, !r.session.hasPrefix(s) { continue }
            if let c = try? LiveFeedClient(r) { feeds[r.session] = c; skip[r.session] = stored[r.session] ?? 0 }
        }
    }

    mutating func run(store: EventStore, printer: inout EventPrinter) throws {
        join()
        let (lines, counts) = try store.events(filter, runningCounts: true)
        stored = counts
        for session in feeds.keys { skip[session] = counts[session] ?? 0 }
        printer.header()
        for line in lines { printer.print(line: line) }
        var live = filter
        live.limit = nil
        var lastScan = AuditTrail.monotonic()
        while true {
            var fds = feeds.values.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
            if fds.isEmpty { usleep(250_000) } else { _ = poll(&fds, nfds_t(fds.count), 250) }
            for (session, feed) in feeds.sorted(by: { $0.key < $1.key }) {
                for line in feed.pollLines(timeout: 0) {
                    if skip[session, default: 0] > 0 { skip[session, default: 0] -= 1; continue }
                    guard let e = AuditEvent(jsonLine: line), live.matches(e) else { continue }
                    printer.print(line: line)
                }
                if !feed.connected {
                    feeds[session] = nil
                    // Closed before a byte: the feed had its 32 readers; try again at the next scan.
                    if feed.bytesReceived == 0 { seen.remove(session) }
                }
            }
            let now = AuditTrail.monotonic()
            if now - lastScan > 1_000_000_000 {
                lastScan = now
                join()
            }
            // `--session`: the sessions named have ended (or none was running).
            if filter.session != nil && feeds.isEmpty { return }
        }
    }
}
