import Foundation
import Glibc
import WardenCore
import WardenLinux
import WardenStore

/// `ww events --follow`: the stored events, then those of running sessions as they happen, read from
/// each supervisor's live feed. Feeds are joined before the database is read, and each session's
/// live events start after the newest one the database had, so none is printed twice or missed.
/// New sessions are picked up within a second. Ends with Ctrl-C, or when `--session` names sessions
/// and all of them have ended.
struct EventsFollower {
    var filter: EventFilter
    var folder: String
    var feeds: [String: LiveFeedClient] = [:]
    var after: [String: UInt64] = [:]
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
            if let c = try? LiveFeedClient(r) { feeds[r.session] = c }
        }
    }

    mutating func run(store: EventStore, printer: inout EventPrinter) throws {
        join()
        let (lines, newest) = try store.events(filter, newestOf: Array(feeds.keys))
        after = newest
        printer.header()
        for line in lines { printer.print(line: line) }
        var live = filter
        live.limit = nil
        var lastScan = AuditTrail.now()
        while true {
            var fds = feeds.values.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
            if fds.isEmpty { usleep(250_000) } else { _ = poll(&fds, nfds_t(fds.count), 250) }
            for (session, feed) in feeds.sorted(by: { $0.key < $1.key }) {
                for line in feed.pollLines(timeout: 0) {
                    guard let e = AuditEvent(jsonLine: line), e.timeNanoseconds > after[session, default: 0], live.matches(e) else { continue }
                    printer.print(line: line)
                }
                if !feed.connected { feeds[session] = nil }
            }
            let now = AuditTrail.now()
            if now - lastScan > 1_000_000_000 {
                lastScan = now
                join()
            }
            // `--session`: the sessions named have ended (or none was running).
            if filter.session != nil && feeds.isEmpty { return }
        }
    }
}
