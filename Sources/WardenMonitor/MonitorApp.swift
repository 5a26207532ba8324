import CLinux
import Glibc
import WardenCore
import WardenLinux

/// Past sessions and trust for the monitor (the event database; ww provides it).
public protocol MonitorHistory {
    /// The newest stored events, oldest first, leaving out the sessions named (their feeds replay them).
    func recentEvents(limit: Int, excluding: Set<String>) -> [AuditEvent]
    func trustRows() -> [TrustRow]
}

/// `ww monitor`: live feeds of every running session plus history, drawn at most 20 times a second
/// and only when something on the screen changed.
public final class MonitorApp {
    public static let framesPerSecond: UInt64 = 20
    let folder: String
    let history: MonitorHistory?
    let environment: [String: String]
    var model = MonitorModel()
    var ui = MonitorUI()
    var feeds: [String: LiveFeedClient] = [:]
    var known: Set<String> = []

    public init(folder: String, history: MonitorHistory?, historyNote: String?, environment: [String: String]) {
        self.folder = folder
        self.history = history
        self.environment = environment
        model.historyNote = historyNote
    }

    /// Runs until q (0), Ctrl-C (130), SIGTERM (143) or SIGHUP (129); the terminal is restored on each.
    /// 125 when curses cannot drive the terminal (said on stderr, with the fix).
    public func run() -> Int32 {
        let watched: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
        let signals = ww_signalfd_block(watched, Int32(watched.count))
        let terminal = MonitorTerminal()
        let home = environment["HOME"]
        joinFeeds()
        if let h = history {
            for e in h.recentEvents(limit: 2000, excluding: Set(feeds.keys)) { model.ingest(e, live: false) }
            model.setTrust(h.trustRows())
        }
        readFeeds()
        if let problem = terminal.start(environment: environment) {
            writeStandardError("ww: \(problem)")
            return 125
        }
        defer { terminal.stop() }

        let frame = 1_000_000_000 / Self.framesPerSecond
        var lastDrawn: (version: Int, ui: MonitorUI, w: Int, h: Int, second: UInt64)?
        // Intervals on the monotonic clock; the wall clock only for what is shown.
        var lastScan = AuditTrail.monotonic()
        var lastTrust = lastScan
        while true {
            let started = AuditTrail.monotonic()
            let wall = AuditTrail.now()
            // Draw when the picture changed: events, keys, size, or (with a session running) the clock.
            let second = model.liveCount > 0 ? wall / 1_000_000_000 : 0
            if lastDrawn == nil || lastDrawn!.version != model.version || lastDrawn!.ui != ui || lastDrawn!.w != terminal.width
                || lastDrawn!.h != terminal.height || lastDrawn!.second != second {
                let view = MonitorView(model: model, ui: ui, width: terminal.width, height: terminal.height, now: wall, unicode: terminal.unicode, home: home)
                terminal.draw(view.render())
                lastDrawn = (model.version, ui, terminal.width, terminal.height, second)
            }
            // Wait for a key, a signal or a feed, up to one frame.
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: signals, events: Int16(POLLIN), revents: 0)]
            for f in feeds.values { fds.append(pollfd(fd: f.descriptor, events: Int16(POLLIN), revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), Int32(frame / 1_000_000))
            if signals >= 0, fds[1].revents != 0 {
                var signo: Int32 = 0, code: Int32 = 0, sender: Int32 = 0
                if ww_signalfd_read(signals, &signo, &code, &sender) > 0 { return 128 + signo }
            }
            // The terminal went away (hang-up without SIGHUP): nothing more to show.
            if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return 128 + SIGHUP }
            readFeeds()
            for key in terminal.keys() {
                let view = MonitorView(model: model, ui: ui, width: terminal.width, height: terminal.height, now: wall, unicode: terminal.unicode, home: home)
                if ui.handle(key, rows: view.rowCount(ui.screen), sessions: model.sessions.map(\.id)) == .quit { return 0 }
            }
            let after = AuditTrail.monotonic()
            if after - lastScan >= 1_000_000_000 {
                lastScan = after
                joinFeeds()
                model.tick(now: AuditTrail.now())
            }
            if after - lastTrust >= 5_000_000_000, let h = history {
                lastTrust = after
                model.setTrust(h.trustRows())
            }
            // At most 20 frames a second: events arriving faster are drawn together.
            let spent = AuditTrail.monotonic() - started
            if spent < frame && fds.dropFirst(2).contains(where: { $0.revents != 0 }) { usleep(UInt32((frame - spent) / 1000)) }
        }
    }

    func joinFeeds() {
        for r in LiveFeedClient.running(folder: folder) where !known.contains(r.session) {
            known.insert(r.session)
            if let c = try? LiveFeedClient(r) {
                feeds[r.session] = c
                // Its feed replays the whole session: what the history had of it would count twice.
                model.forget(session: r.session)
            }
        }
    }

    func readFeeds() {
        for (session, feed) in feeds {
            for e in feed.events(timeout: 0) { model.ingest(e, live: true) }
            if !feed.connected {
                feeds[session] = nil
                // Closed before a byte: the feed had its 32 readers; try again at the next scan.
                if feed.bytesReceived == 0 { known.remove(session); continue }
                model.feedClosed(session)
                if let h = history { model.setTrust(h.trustRows()) }
            }
        }
    }
}
