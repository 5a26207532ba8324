import WardenCore

/// How a piece of text is drawn: the terminal layer maps these to colours, or to bold / reverse /
/// underline on a terminal without colour.
public enum MonitorStyle: Equatable {
    case normal, title, tab, current, header, dim, bad, warn, good, selected, key
}

public struct MonitorSpan: Equatable {
    public var text: String
    public var style: MonitorStyle
    public init(_ text: String, _ style: MonitorStyle = .normal) { self.text = text; self.style = style }
}

public typealias MonitorLine = [MonitorSpan]

/// Draws the model into lines for a width × height terminal. Pure (golden-tested); the terminal
/// layer only writes the lines, and curses sends the cells that changed.
public struct MonitorView {
    public static let minWidth = 40
    public static let minHeight = 10

    public var model: MonitorModel
    public var ui: MonitorUI
    public var width: Int
    public var height: Int
    public var now: UInt64
    public var unicode: Bool
    /// The player's home: paths below it are drawn with `~`.
    public var home: String?

    public init(model: MonitorModel, ui: MonitorUI, width: Int, height: Int, now: UInt64, unicode: Bool, home: String? = nil) {
        self.model = model
        self.ui = ui
        self.width = width
        self.height = height
        self.now = now
        self.unicode = unicode
        self.home = home
    }

    /// The text only (tests, and the golden files).
    public static func plain(_ lines: [MonitorLine]) -> String {
        lines.map { $0.map(\.text).joined() }.map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }.joined(separator: "\n")
    }

    // MARK: rows of each screen (key handling and drawing share them)

    public var focusedSessions: [MonitorModel.Session] {
        ui.focus.map { id in model.sessions.filter { $0.id == id } } ?? model.sessions
    }

    public var filteredEvents: [AuditEvent] {
        let words = ui.filter.lowercased().split(separator: " ")
        return model.events.filter { e in
            if let f = ui.focus, e.session != f { return false }
            if words.isEmpty { return true }
            let line = Self.eventLine(e).lowercased()
            return words.allSatisfy { line.contains($0) }
        }
    }

    public struct NetworkRow { public var session: MonitorModel.Session; public var destination: MonitorModel.Destination? ; public var dns: (String, Int)? }

    public var networkRows: [NetworkRow] {
        var rows: [NetworkRow] = []
        for s in focusedSessions {
            for d in s.destinations { rows.append(NetworkRow(session: s, destination: d, dns: nil)) }
            for n in s.dnsNames.sorted(by: { $0.key < $1.key }) { rows.append(NetworkRow(session: s, destination: nil, dns: (n.key, n.value))) }
        }
        return rows
    }

    public struct ProcessRow { public var session: MonitorModel.Session; public var depth: Int; public var process: MonitorModel.Process?; public var refused: String? }

    public var processRows: [ProcessRow] {
        var rows: [ProcessRow] = []
        for s in focusedSessions {
            rows.append(ProcessRow(session: s, depth: -1, process: nil, refused: nil))
            let pids = Set(s.processes.map(\.pid))
            var visited: Set<Int32> = []
            func walk(_ p: MonitorModel.Process, _ depth: Int) {
                guard visited.insert(p.pid).inserted else { return }
                rows.append(ProcessRow(session: s, depth: depth, process: p, refused: nil))
                for r in p.refused { rows.append(ProcessRow(session: s, depth: depth + 1, process: nil, refused: r)) }
                for c in s.processes where c.parent == p.pid && c.pid != p.pid { walk(c, depth + 1) }
            }
            for p in s.processes where p.parent == nil || !pids.contains(p.parent!) { walk(p, 0) }
        }
        return rows
    }

    public func rowCount(_ screen: MonitorScreen) -> Int {
        switch screen {
        case .dashboard: return model.sessions.count
        case .trust: return model.trust.count
        case .network: return networkRows.count
        case .processes: return processRows.count
        case .events: return filteredEvents.count
        }
    }

    // MARK: drawing

    public func render() -> [MonitorLine] {
        guard width >= Self.minWidth && height >= Self.minHeight else {
            let lines: [MonitorLine] = [[MonitorSpan(fit("ww monitor needs \(Self.minWidth)×\(Self.minHeight)", width), .warn)],
                                        [MonitorSpan(fit("this terminal: \(width)×\(height)", width))],
                                        [MonitorSpan(fit("q quits", width), .dim)]]
            return Array(lines.prefix(max(1, height)))
        }
        var lines: [MonitorLine] = [tabs()]
        let body = height - 2
        var content: [MonitorLine]
        if ui.help {
            content = helpLines()
        } else {
            switch ui.screen {
            case .dashboard: content = dashboard(body)
            case .trust: content = trustScreen(body)
            case .network: content = network(body)
            case .processes: content = processes(body)
            case .events: content = eventsScreen(body)
            }
        }
        content = Array(content.prefix(body))
        while content.count < body { content.append([]) }
        lines += content
        lines.append(statusLine())
        return lines.map { pad($0) }
    }

    func tabs() -> MonitorLine {
        var line: MonitorLine = [MonitorSpan(width >= 60 ? " WineWarden " : " ww ", .title)]
        let long = width >= 84
        let narrow = width < 64
        for s in MonitorScreen.allCases {
            // Narrow: numbers only, the current screen named.
            let name = long || s == ui.screen ? " " + s.title : narrow ? "" : " " + s.short
            line.append(MonitorSpan(" \(s.rawValue)\(name) ", s == ui.screen ? .current : .tab))
        }
        let live = model.liveCount
        let right = live == 0 ? " no session running" : " \(live) running"
        let used = line.map(\.text.count).reduce(0, +)
        if used + right.count <= width { line.append(MonitorSpan(String(repeating: " ", count: width - used - right.count) + right, live == 0 ? .dim : .good)) }
        return line
    }

    func statusLine() -> MonitorLine {
        if let draft = ui.editing {
            return [MonitorSpan("/", .key), MonitorSpan(draft + (unicode ? "▏" : "_")), MonitorSpan("  Enter apply · Esc cancel", .dim)]
        }
        var parts: [MonitorSpan] = []
        let hints: [(String, String)] = width >= 80
            ? [("q", "quit"), ("?", "keys"), ("1-5/Tab", "screens"), ("j/k", "move"), ("h/l", "session"), ("/", "filter"), ("Enter", "details")]
            : [("q", "quit"), ("?", "keys"), ("Tab", "next"), ("/", "filter")]
        for (k, what) in hints { parts.append(MonitorSpan(k, .key)); parts.append(MonitorSpan(" \(what)  ", .dim)) }
        if let note = model.historyNote, width >= 100 { parts.append(MonitorSpan(note, .warn)) }
        return parts
    }

    func helpLines() -> [MonitorLine] {
        let keys: [(String, String)] = [
            ("1 2 3 4 5", "Dashboard, Trust, Network, Processes, Events"), ("Tab / Shift-Tab", "next / previous screen"),
            ("j k / arrows", "move down / up"), ("g / G", "top / bottom (Events: G follows the newest)"),
            ("h l / arrows", "show one session / all (Network, Processes, Events)"),
            ("/", "filter events (words that must all appear); Esc clears"), ("Enter", "details of the selected row"),
            ("Esc", "close details"), ("q", "quit (Ctrl-C too)"), ("?", "this help; any key closes it"),
        ]
        var lines: [MonitorLine] = [[MonitorSpan("Keys", .header)]]
        for (k, what) in keys { lines.append([MonitorSpan(pad(k, 17), .key), MonitorSpan(fit(what, width - 17))]) }
        return lines
    }

    // MARK: screens

    func dashboard(_ body: Int) -> [MonitorLine] {
        // Narrow terminals drop the session column and count refusals in one number.
        let compact = width < 64
        let spark = width >= 100 ? MonitorModel.sparkSeconds : width >= 72 ? 12 : 0
        let sessionWidth = compact ? 0 : 10, refusedWidth = compact ? 5 : 13
        let fixed = 2 + sessionWidth + 8 + 7 + refusedWidth + 7 + (spark > 0 ? spark + 1 : 0)
        let gameWidth = max(8, width - fixed)
        let title = pad("", 2) + pad("GAME", gameWidth) + (compact ? "" : pad("SESSION", sessionWidth)) + pad("UPTIME", 8) + pad("TIER", 7)
            + pad(compact ? "REF" : "REFUSED", refusedWidth) + pad("EVENTS", 7) + (spark > 0 ? "EVENTS/S" : "")
        let header: MonitorLine = [MonitorSpan(fit(title, width), .header)]
        let sessions = model.sessions
        if sessions.isEmpty {
            return [header, [MonitorSpan(fit("No session yet. Start a game with `ww -- GAME`; it shows here live.", width), .dim)]]
                + (model.historyNote.map { [[MonitorSpan(fit($0, width), .warn)]] } ?? [])
        }
        let sel = min(ui.selected[.dashboard] ?? 0, sessions.count - 1)
        if ui.details {
            return sessionDetails(sessions[sel])
        }
        var lines: [MonitorLine] = [header]
        let (first, count) = window(selected: sel, total: sessions.count, visible: body - 1)
        for i in first..<(first + count) {
            let s = sessions[i]
            let refused = compact ? String(s.refusedTotal)
                : "x\(s.refused["exec", default: 0]) n\(s.refused["net", default: 0]) s\(s.refused["sys", default: 0]) f\(s.refused["files", default: 0])"
            let mark = s.live ? (unicode ? "● " : "* ") : (unicode ? "○ " : "- ")
            var line: MonitorLine = [
                MonitorSpan(mark, s.live ? .good : .dim),
                MonitorSpan(pad(s.gameName == s.game ? s.game : "\(s.gameName) (\(s.game))", gameWidth)),
            ]
            if !compact { line.append(MonitorSpan(pad(String(s.id.prefix(8)), sessionWidth), .dim)) }
            line += [
                MonitorSpan(pad(duration(s), 8)),
                MonitorSpan(pad(s.tier.isEmpty ? "-" : s.tier, 7), tierStyle(s.tier)),
                MonitorSpan(pad(refused, refusedWidth), s.refusedTotal > 0 ? .bad : .normal),
                MonitorSpan(pad(String(s.events), 7)),
            ]
            if spark > 0 { line.append(MonitorSpan(sparkline(Array(s.perSecond.suffix(spark))), s.live ? .good : .dim)) }
            if i == sel { line = line.map { MonitorSpan($0.text, .selected) } }
            lines.append(line)
        }
        // What ww saw, highlighted under the table: the sessions that touched decoys, tried to persist
        // or sent a canary out.
        let seen = sessions.compactMap { s in s.sightings.text(home: home).map { (s, $0) } }
        if !seen.isEmpty && body - 1 > lines.count {
            lines.append([])
            for (s, text) in seen.prefix(max(0, body - 1 - lines.count)) {
                lines.append([MonitorSpan(unicode ? "⚠ " : "! ", .bad), MonitorSpan(fit("\(s.gameName) \(s.id.prefix(8)): \(text)", width - 2), .bad)])
            }
        }
        if !compact && body - 1 > lines.count + 1 {
            lines.append([])
            lines.append([MonitorSpan(fit("REFUSED: x programs, n network, s system calls, f executables written", width), .dim)])
        }
        return lines
    }

    func sessionDetails(_ s: MonitorModel.Session) -> [MonitorLine] {
        var rows: [(String, String)] = [
            ("session", s.id), ("game", "\(s.gameName) (\(s.game))"), ("state", s.live ? "running for \(duration(s))" : "ended after \(duration(s))\(s.exitStatus.map { ", exit \($0)" } ?? "")"),
            ("profile", s.profile), ("trust tier", s.tier), ("network", s.network), ("events", String(s.events)),
            ("refused programs", String(s.refused["exec", default: 0])), ("network refusals", String(s.refused["net", default: 0])),
            ("refused system calls", String(s.refused["sys", default: 0])), ("executables written", String(s.refused["files", default: 0])),
            ("processes", String(s.processes.count)), ("destinations", String(s.destinations.count)),
            ("seen", s.sightings.text(home: home, names: 10) ?? ""),
        ]
        rows = rows.filter { !$0.1.isEmpty }
        return [[MonitorSpan("Session details (Enter or Esc closes)", .header)]] + rows.map { [MonitorSpan(pad($0.0, 22), .dim), MonitorSpan(fit($0.1, width - 22))] }
    }

    func trustScreen(_ body: Int) -> [MonitorLine] {
        let nameWidth = max(10, min(36, width / 3))
        let trendWidth = width >= 70 ? 12 : 0
        let header: MonitorLine = [MonitorSpan(fit(pad("GAME", nameWidth) + pad("SCORE", 7) + pad("TIER", 8) + (trendWidth > 0 ? pad("TREND", trendWidth + 1) : "") + "LAST CHANGE", width), .header)]
        if model.trust.isEmpty { return [header, [MonitorSpan(fit("No game has a trust score yet: it is set when a session ends.", width), .dim)]] }
        let sel = min(ui.selected[.trust] ?? 0, model.trust.count - 1)
        let (first, count) = window(selected: sel, total: model.trust.count, visible: body - 1)
        var lines = [header]
        for i in first..<(first + count) {
            let t = model.trust[i]
            var trend = sparkline(Array(t.scores.suffix(max(1, trendWidth - 1))), floor: 0, ceiling: 100)
            if t.scores.count >= 2 { let d = t.scores[t.scores.count - 1] - t.scores[t.scores.count - 2]; trend += d > 0 ? (unicode ? "↑" : "+") : d < 0 ? (unicode ? "↓" : "-") : "=" }
            let tier = t.tier.rawValue + (t.pinned != nil ? "*" : "")
            var line: MonitorLine = [MonitorSpan(pad(t.name == t.game ? t.game : "\(t.name) (\(t.game))", nameWidth)), MonitorSpan(pad(String(t.score), 7)),
                                     MonitorSpan(pad(tier, 8), tierStyle(t.tier.rawValue))]
            if trendWidth > 0 { line.append(MonitorSpan(pad(trend, trendWidth + 1), .dim)) }
            line.append(MonitorSpan(t.lastReasons))
            if i == sel { line = line.map { MonitorSpan($0.text, .selected) } }
            lines.append(line)
        }
        if width >= 60 { lines.append([MonitorSpan(fit("* pinned: by the player (`ww trust set`), or red after an exfiltration", width), .dim)]) }
        return lines
    }

    func focusLine() -> MonitorLine {
        let text: String
        if let f = ui.focus, let s = model.session(f) { text = "session \(s.id.prefix(8)) \(s.gameName)\(s.live ? "" : " (ended)")  h/l: other sessions" }
        else { text = "all sessions  h/l: one session" }
        return [MonitorSpan(fit(text, width), .dim)]
    }

    func network(_ body: Int) -> [MonitorLine] {
        let rows = networkRows
        let sessionWidth = ui.focus == nil ? 10 : 0
        let destWidth = max(16, min(40, width - sessionWidth - 12 - 14))
        let header: MonitorLine = [MonitorSpan(fit((sessionWidth > 0 ? pad("SESSION", sessionWidth) : "") + pad("PROTOCOL", 12) + pad("DESTINATION", destWidth) + pad("COUNT", 7) + pad("DENIED", 7) + "NAMES", width), .header)]
        var lines = [focusLine(), header]
        if rows.isEmpty { return lines + [[MonitorSpan(fit("No network activity recorded.", width), .dim)]] }
        let sel = min(ui.selected[.network] ?? 0, rows.count - 1)
        let (first, count) = window(selected: sel, total: rows.count, visible: body - 2)
        for i in first..<(first + count) {
            let r = rows[i]
            var line: MonitorLine = []
            if sessionWidth > 0 { line.append(MonitorSpan(pad(String(r.session.id.prefix(8)), sessionWidth), .dim)) }
            if let d = r.destination {
                line += [MonitorSpan(pad(d.proto, 12)), MonitorSpan(pad("\(d.host):\(d.port)", destWidth), d.denied > 0 ? .bad : .normal),
                         MonitorSpan(pad(String(d.count), 7)), MonitorSpan(pad(d.denied > 0 ? String(d.denied) : "-", 7), d.denied > 0 ? .bad : .dim),
                         MonitorSpan(d.names.joined(separator: ","))]
            } else if let (name, n) = r.dns {
                line += [MonitorSpan(pad("dns", 12)), MonitorSpan(pad(name, destWidth)), MonitorSpan(pad(String(n), 7)), MonitorSpan(pad("-", 7), .dim)]
            }
            if i == sel { line = line.map { MonitorSpan($0.text, .selected) } }
            lines.append(line)
        }
        return lines
    }

    func processes(_ body: Int) -> [MonitorLine] {
        let rows = processRows
        var lines = [focusLine()]
        if rows.allSatisfy({ $0.depth < 0 }) { return lines + [[MonitorSpan(fit("No process recorded yet.", width), .dim)]] }
        let sel = min(ui.selected[.processes] ?? 0, rows.count - 1)
        let (first, count) = window(selected: sel, total: rows.count, visible: body - 1)
        for i in first..<(first + count) {
            let r = rows[i]
            var line: MonitorLine
            if r.depth < 0 {
                line = [MonitorSpan("\(r.session.gameName) — session \(r.session.id.prefix(8))\(r.session.live ? "" : " (ended)")", .header)]
            } else if let refused = r.refused {
                line = [MonitorSpan(String(repeating: "  ", count: r.depth) + (unicode ? "✗ " : "x ") + "refused: " + refused, .bad)]
            } else if let p = r.process {
                let branch = r.depth == 0 ? "" : String(repeating: "  ", count: r.depth - 1) + (unicode ? "└ " : "\\ ")
                line = [MonitorSpan(branch), MonitorSpan(p.name, .normal), MonitorSpan(" \(p.pid)", .dim),
                        MonitorSpan(p.program.isEmpty || Paths.basename(p.program) == p.program ? "" : "  \(p.program)", .dim),
                        MonitorSpan(p.exit.map { "  \($0)" } ?? "", .dim)]
            } else { line = [] }
            if i == sel { line = line.map { MonitorSpan($0.text, .selected) } }
            lines.append(line)
        }
        return lines
    }

    func eventsScreen(_ body: Int) -> [MonitorLine] {
        let events = filteredEvents
        var top = focusLine()
        if !ui.filter.isEmpty { top = [MonitorSpan(fit("filter: \(ui.filter)  (\(events.count) of \(model.events.count); Esc clears)", width), .warn)] }
        if events.isEmpty { return [top, [MonitorSpan(fit(model.events.isEmpty ? "No events yet." : "No event matches the filter.", width), .dim)]] }
        let sel = min(ui.selected[.events] ?? events.count - 1, events.count - 1)
        if ui.details { return [top] + eventDetails(events[sel]) }
        var lines = [top]
        let (first, count) = window(selected: sel, total: events.count, visible: body - 1)
        for i in first..<(first + count) {
            let e = events[i]
            // What ww saw is highlighted across the line; refusals in their kind.
            let seen = VisibilityEvent.kinds.contains(e.kind)
            let style: MonitorStyle = seen || AuditEvent.refusalKinds.contains(e.kind) || ["net_denied", "proxy_deny", "rate_limited", "file_written"].contains(e.kind) ? .bad : .normal
            var line: MonitorLine = [MonitorSpan(TimeSpec.format(e.timeNanoseconds).suffix(8) + " ", .dim), MonitorSpan(pad(e.kind, 17), style),
                                     MonitorSpan(EventText.details(e, limit: max(10, width - 26)), seen ? .bad : .normal)]
            if i == sel { line = line.map { MonitorSpan($0.text, .selected) } }
            lines.append(line)
        }
        return lines
    }

    func eventDetails(_ e: AuditEvent) -> [MonitorLine] {
        var rows: [(String, String)] = [("time", TimeSpec.format(e.timeNanoseconds)), ("kind", e.kind), ("game", e.game), ("session", e.session)]
        if let p = e.pid { rows.append(("pid", String(p))) }
        if !e.chain.isEmpty { rows.append(("chain", e.chain.map { "\($0.name)(\($0.pid))" }.joined(separator: " ← "))) }
        for (k, v) in e.details { rows.append((k, EventText.value(v))) }
        var lines: [MonitorLine] = [[MonitorSpan("Event details (Enter or Esc closes)", .header)]]
        let keyWidth = 16
        for (k, v) in rows {
            var rest = Substring(v)
            var first = true
            repeat {
                let chunk = rest.prefix(max(1, width - keyWidth))
                rest = rest.dropFirst(chunk.count)
                lines.append([MonitorSpan(pad(first ? k : "", keyWidth), .dim), MonitorSpan(String(chunk))])
                first = false
            } while !rest.isEmpty && lines.count < 200
        }
        return lines
    }
}
