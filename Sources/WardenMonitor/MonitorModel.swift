import WardenCore

/// A game's trust as the Trust screen shows it (filled from the event database by ww).
public struct TrustRow: Equatable, Sendable {
    public var game: String
    public var name: String
    public var score: Int
    public var tier: TrustTier
    public var pinned: TrustTier?
    /// Scores after each change, oldest first (the trend).
    public var scores: [Int]
    /// The last change's reasons, in words.
    public var lastReasons: String

    public init(game: String, name: String, score: Int, tier: TrustTier, pinned: TrustTier?, scores: [Int], lastReasons: String) {
        self.game = game
        self.name = name
        self.score = score
        self.tier = tier
        self.pinned = pinned
        self.scores = scores
        self.lastReasons = lastReasons
    }
}

/// What the monitor knows, built only from events (live feeds and the database): pure, so the
/// screens can be tested on fixed event sets.
public struct MonitorModel {
    public struct Destination: Equatable {
        public var key: String
        public var proto: String
        public var host: String
        public var port: Int
        public var names: [String] = []
        public var count = 0
        public var denied = 0
        public var lastKind = ""
    }

    public struct Process: Equatable {
        public var pid: Int32
        public var parent: Int32?
        public var name: String
        public var program: String = ""
        public var exit: String?
        public var refused: [String] = []
    }

    public struct Session {
        public var id: String
        public var game: String
        public var gameName: String
        public var profile = ""
        public var tier = ""
        public var network = ""
        public var started: UInt64
        public var last: UInt64
        public var ended: UInt64?
        public var exitStatus: Int?
        public var live = false
        public var events = 0
        /// Refusals by what was refused: exec, net, sys, files (executables written).
        public var refused: [String: Int] = [:]
        /// Events per second over the last `sparkSeconds` seconds (index 0 oldest), ending at `sparkEnd`.
        public var perSecond: [Int] = Array(repeating: 0, count: MonitorModel.sparkSeconds)
        public var sparkEnd: UInt64 = 0
        public var destinations: [Destination] = []
        public var dnsNames: [String: Int] = [:]
        public var processes: [Process] = []
        /// What ww saw the game try: decoys read, persistence, exfiltration.
        public var sightings = Sightings()
        public var refusedTotal: Int { refused.values.reduce(0, +) }
    }

    public static let sparkSeconds = 30
    public static let maxEvents = 5000

    public private(set) var sessions: [Session] = []
    public private(set) var events: [AuditEvent] = []
    public var trust: [TrustRow] = []
    /// Bumped on every change: the screen redraws only when it moved (or a key or a resize came).
    public private(set) var version = 0
    /// Why history is missing, when it is (the database could not be read).
    public var historyNote: String?

    public init() {}

    public var liveCount: Int { sessions.filter(\.live).count }

    public func session(_ id: String) -> Session? { sessions.first { $0.id == id } }

    /// Adds one event. `live`: it came from a running supervisor's feed.
    public mutating func ingest(_ e: AuditEvent, live: Bool) {
        version += 1
        events.append(e)
        if events.count > Self.maxEvents + 500 { events.removeFirst(events.count - Self.maxEvents) }
        let index: Int
        if let i = sessions.firstIndex(where: { $0.id == e.session }) {
            index = i
        } else {
            sessions.append(Session(id: e.session, game: e.game, gameName: e.game, started: e.timeNanoseconds, last: e.timeNanoseconds))
            index = sessions.count - 1
        }
        var s = sessions[index]
        if live { s.live = true }
        s.events += 1
        s.last = max(s.last, e.timeNanoseconds)
        s.started = min(s.started, e.timeNanoseconds)
        Self.count(&s, at: e.timeNanoseconds)
        s.sightings.note(kind: e.kind, details: e.details)
        switch e.kind {
        case "policy_applied":
            s.gameName = e.string("game_name") ?? s.gameName
            s.profile = e.string("profile") ?? ""
            s.tier = e.string("trust_tier") ?? ""
            s.network = e.string("network") ?? ""
        case "session_end":
            s.ended = e.timeNanoseconds
            s.exitStatus = e.int("exit_status").map(Int.init)
            s.live = false
        case "exec_allowed", "exec_refused":
            let pid = e.pid ?? 0
            let path = e.string("path") ?? "?"
            let parent = e.chain.count > 1 ? e.chain[1].pid : nil
            var p = s.processes.first { $0.pid == pid } ?? Process(pid: pid, parent: parent, name: e.chain.first?.name ?? Paths.basename(path))
            if p.parent == nil { p.parent = parent }
            if e.kind == "exec_allowed" { p.program = path; p.name = Paths.basename(path) } else {
                p.refused.append(path)
                s.refused["exec", default: 0] += 1
            }
            Self.put(p, in: &s)
        case "process_refused":
            s.refused["exec", default: 0] += 1
        case "process_exit":
            if let pid = e.pid, var p = s.processes.first(where: { $0.pid == pid }) {
                p.exit = e.string("signal") ?? e.int("exit_status").map { "exit \($0)" }
                Self.put(p, in: &s)
            }
        case "syscall_refused":
            s.refused["sys", default: 0] += 1
        case "file_written":
            s.refused["files", default: 0] += 1
        case "net_connect", "connect", "net_denied", "rate_limited", "proxy_allow", "proxy_deny", "inbound_connect", "net_destination":
            let host = e.string("address") ?? e.string("host") ?? "?"
            let port = Int(e.int("port") ?? 0)
            let proto = e.string("protocol") ?? (e.kind.hasPrefix("proxy") ? "tcp (proxy)" : e.kind == "inbound_connect" ? "tcp in" : "tcp")
            let key = "\(proto) \(host):\(port)"
            var d = s.destinations.first { $0.key == key } ?? Destination(key: key, proto: proto, host: host, port: port)
            let names = e.strings("names") ?? []
            for n in names where !d.names.contains(n) { d.names.append(n) }
            if e.kind == "net_destination" {
                d.count = max(d.count, Int(e.int("count") ?? 0))
            } else {
                d.count += 1
            }
            if ["net_denied", "rate_limited", "proxy_deny"].contains(e.kind) {
                d.denied += 1
                s.refused["net", default: 0] += 1
            }
            d.lastKind = e.kind
            if let i = s.destinations.firstIndex(where: { $0.key == key }) { s.destinations[i] = d } else { s.destinations.append(d) }
        case "dns_query":
            if let n = e.string("name") { s.dnsNames[n, default: 0] += 1 }
            if e.bool("allowed") == false { s.refused["net", default: 0] += 1 }
        default:
            break
        }
        sessions[index] = s
        sessions.sort { $0.live != $1.live ? $0.live : $0.started > $1.started }
    }

    /// Drops a session and its events (its live feed is about to replay all of it).
    public mutating func forget(session: String) {
        guard sessions.contains(where: { $0.id == session }) else { return }
        sessions.removeAll { $0.id == session }
        events.removeAll { $0.session == session }
        version += 1
    }

    /// The supervisor closed its feed: the session is over even if its last event never came.
    public mutating func feedClosed(_ session: String) {
        guard let i = sessions.firstIndex(where: { $0.id == session }), sessions[i].live else { return }
        sessions[i].live = false
        version += 1
        sessions.sort { $0.live != $1.live ? $0.live : $0.started > $1.started }
    }

    /// Moves every live session's sparkline to `now` (an idle second is a zero).
    public mutating func tick(now: UInt64) {
        for i in sessions.indices where sessions[i].live {
            let before = sessions[i].perSecond
            Self.shift(&sessions[i], to: now / 1_000_000_000)
            if sessions[i].perSecond != before { version += 1 }
        }
    }

    public mutating func setTrust(_ rows: [TrustRow]) {
        guard rows != trust else { return }
        trust = rows
        version += 1
    }

    static func put(_ p: Process, in s: inout Session) {
        if let i = s.processes.firstIndex(where: { $0.pid == p.pid }) { s.processes[i] = p } else { s.processes.append(p) }
    }

    static func shift(_ s: inout Session, to second: UInt64) {
        if s.sparkEnd == 0 { s.sparkEnd = second; return }
        guard second > s.sparkEnd else { return }
        let steps = Int(min(UInt64(sparkSeconds), second - s.sparkEnd))
        s.perSecond.removeFirst(steps)
        s.perSecond.append(contentsOf: repeatElement(0, count: steps))
        s.sparkEnd = second
    }

    static func count(_ s: inout Session, at time: UInt64) {
        let second = time / 1_000_000_000
        shift(&s, to: second)
        let back = Int(s.sparkEnd >= second ? s.sparkEnd - second : 0)
        if back < sparkSeconds { s.perSecond[sparkSeconds - 1 - back] += 1 }
    }
}
