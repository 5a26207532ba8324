import Glibc
import Synchronization
import WardenCore

/// The session's JSON-lines file (SPEC §6): one event per line, appended with a single `write` as it
/// happens, so a crash of ww loses nothing already written. Also counts events for the summary.
/// Safe to use from several threads (the supervisor, the proxy's event loop, the DNS relay): each
/// line is written whole under a lock, so lines never interleave.
public final class AuditTrail: EventRecorder {
    public let path: String
    public let session: String
    public let game: String
    private let fd: Int32
    /// Where this session's lines start in the file (0 unless --log named an existing file).
    public let startOffset: Int
    public typealias Listener = @Sendable (String, [(String, AuditEvent.Value)]) -> Void
    /// Told that a line is in the file (the live feed, the database writer read it from there): called
    /// under the trail's lock, so it must only wake its owner, never block.
    public typealias WriteSignal = @Sendable () -> Void
    private struct State {
        var counts: [String: Int] = [:]
        var sightings = Sightings()
        var writeFailed = false
        var listener: Listener?
        var signals: [WriteSignal] = []
        var lines = 0
    }
    private let state = Mutex(State())
    public var counts: [String: Int] { state.withLock { $0.counts } }
    public var writeFailed: Bool { state.withLock { $0.writeFailed } }

    /// Opens (creates, 0600) the file; its folder is created 0700 when missing.
    public init(path: String, session: String, game: String) throws {
        self.path = path
        self.session = session
        self.game = game
        let dir = Paths.dirname(path)
        if !dir.isEmpty && dir != "/" { try WardenDirectories.create(dir) }
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw WardenError(.launch, "cannot write the audit trail \(path): \(String(cString: strerror(errno))); choose another file with --log")
        }
        startOffset = max(0, Int(lseek(fd, 0, SEEK_END)))
        // Shared lock while ww runs: an importer that gets an exclusive one knows every writer is
        // gone (a killed ww's trail is then complete).
        _ = flock(fd, LOCK_SH | LOCK_NB)
    }

    deinit { close(fd) }

    /// The session is over: lets an importer see this trail as complete (lines can still be written).
    public func releaseLock() { _ = flock(fd, LOCK_UN) }

    /// Random session id: 16 hex digits from the kernel's generator.
    public static func newSessionID() -> String {
        var bytes = [UInt8](repeating: 0, count: 8)
        let urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        let got = urandom >= 0 ? read(urandom, &bytes, bytes.count) : -1
        if urandom >= 0 { close(urandom) }
        if got != bytes.count {
            var t = timespec(); clock_gettime(CLOCK_REALTIME, &t)
            bytes = withUnsafeBytes(of: UInt64(t.tv_nsec) ^ UInt64(getpid()) << 32) { Array($0) }
        }
        return bytes.map { String(format2: $0) }.joined()
    }

    /// The default file: `$XDG_STATE_HOME/winewarden/logs/<UTC time>-<game>-<session>.jsonl`.
    public static func defaultPath(stateHome: String, game: String, session: String) -> String {
        var t = time_t(time(nil))
        var tm = tm()
        gmtime_r(&t, &tm)
        let stamp = String(tm.tm_year + 1900) + pad(tm.tm_mon + 1) + pad(tm.tm_mday) + "T" + pad(tm.tm_hour) + pad(tm.tm_min) + pad(tm.tm_sec) + "Z"
        let safeGame = String(game.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
        return Paths.join(stateHome, "winewarden/logs/\(stamp)-\(safeGame)-\(session).jsonl")
    }

    static func pad(_ n: Int32) -> String { n < 10 ? "0\(n)" : String(n) }

    public static func monotonic() -> UInt64 { EventClock.monotonic() }
    public static func now() -> UInt64 { EventClock.now() }

    public func record(_ kind: String, pid: Int32? = nil, chain: [AuditEvent.ProcessLink] = [], _ details: [(String, AuditEvent.Value)] = []) {
        let line = AuditEvent(time: Self.now(), session: session, game: game, kind: kind, pid: pid, chain: chain, details: details).jsonLine() + "\n"
        let bytes = Array(line.utf8)
        let listener = state.withLock { s -> Listener? in
            s.counts[kind, default: 0] += 1
            if VisibilityEvent.kinds.contains(kind) { s.sightings.note(kind: kind, details: details) }
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n != bytes.count { s.writeFailed = true }
            s.lines += 1
            for signal in s.signals { signal() }
            return s.listener
        }
        listener?(kind, details)
    }

    /// Called after each event is written (from the thread that recorded it): the desktop notifier.
    public func setListener(_ listener: Listener?) { state.withLock { $0.listener = listener } }

    /// Signals each line written from now on (the owner reads the lines from the file).
    public func onWrite(_ signal: @escaping WriteSignal) {
        state.withLock { $0.signals.append(signal) }
    }

    /// Lines written so far by this trail.
    public var linesWritten: Int { state.withLock { $0.lines } }

    /// What ww saw the game try so far (decoys read, persistence, exfiltration).
    public var sightings: Sightings { state.withLock { $0.sightings } }

    /// One line for stderr at exit: what ww saw (paths below `home` with `~`), what it refused, what
    /// ran, then `trust` (the change, told by the caller) and the trail's path.
    public func summary(exitStatus: Int32, home: String? = nil, trust: String? = nil) -> String {
        let counts = self.counts
        let refused = counts.filter { AuditEvent.refusalKinds.contains($0.key) }
        let total = refused.values.reduce(0, +)
        var parts = ["exit \(exitStatus)"]
        let seen = sightings.text(home: home)
        if let seen { parts.append(seen) }
        if total > 0 {
            parts.append("\(total) refused (" + refused.keys.sorted().map { "\($0.hasSuffix("_refused") ? String($0.dropLast(8)) : $0) \(refused[$0]!)" }.joined(separator: ", ") + ")")
        } else if seen == nil {
            parts.append("nothing refused")
        }
        parts += ["exec_allowed": "exec", "connect": "connect"].compactMap { k, v in counts[k].map { "\($0) \(v)" } }.sorted()
        return "session \(session): " + parts.joined(separator: ", ") + (trust.map { "; " + $0 } ?? "")
            + "; audit trail \(path)\(writeFailed ? " (INCOMPLETE: a write failed)" : "")"
    }
}

extension String {
    init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
