import CLinux
import Glibc
import Synchronization
import WardenCore

/// Issue 5 "file activity": watches the places the game may write (its binds that are writable, the
/// copy-on-write layers) with inotify and records executables and scripts created or changed there as
/// `file_written` events. It runs on its own thread, started after the game, so a folder of 100,000
/// files never slows the launch; watches are bounded (one per folder, at most `maxWatches`), and so
/// are events (`ratePerSecond` with a burst outside Wine's own prefix folders, each path once per
/// session, at most `maxPaths`).
///
/// inotify names no process: the writer is whoever could write there, the game or you on the host.
public final class FileWatcher: @unchecked Sendable {
    /// What counts as an executable or a script (lower case, with the dot).
    public static let extensions: Set<String> = [".exe", ".dll", ".bat", ".cmd", ".ps1", ".vbs", ".scr", ".sh", ".desktop", ".service"]

    public struct Place: Equatable, Sendable {
        /// The folder on the host.
        public var path: String
        /// What it is to the player: "game folder", "Wine prefix", "virtual home", "copy-on-write layer of …".
        public var label: String
        public init(path: String, label: String) { self.path = path; self.label = label }
    }

    let places: [Place]
    let trail: AuditTrail?
    public let maxWatches: Int
    let ratePerSecond: Double
    let burst: Double
    let maxPaths: Int

    private var inotify: Int32 = -1
    private var wake: Int32 = -1
    private var thread: pthread_t?
    /// Set by `stop()`: a walk still adding watches (a short session, a huge folder) ends at once.
    private let stopRequested = Atomic<Bool>(false)
    /// When `stop()` was called (monotonic ns): a walk still running gets a short grace to finish.
    private let stopTime = Atomic<UInt64>(0)
    static let walkGraceNanoseconds: UInt64 = 100_000_000
    // Only the watcher's thread touches these (start/stop synchronise through the pipe and join).
    private var folders: [Int32: (path: String, place: Int)] = [:]
    private var seen: Set<String> = []
    private var created: Set<String> = []
    private var tokens: Double
    private var lastRefill: UInt64 = 0
    private var suppressed = 0
    private var unwatched = 0
    private var stats = Stats()

    /// What one session's watching cost, for tests and the bench.
    public struct Stats: Equatable, Sendable {
        public var watches = 0
        public var foldersSkipped = 0
        public var events = 0
        public var suppressed = 0
        public var walkNanoseconds: UInt64 = 0
    }

    public init(places: [Place], trail: AuditTrail?, limit: Int? = nil, ratePerSecond: Double = 20, burst: Double = 100, maxPaths: Int = 10_000) {
        self.places = places
        self.trail = trail
        let userWatches = RealFileSystem.readSmallFile("/proc/sys/fs/inotify/max_user_watches").flatMap { Int($0.filter { !$0.isWhitespace }) } ?? 8192
        // A quarter of the user's watches at most: other programs (the desktop, Steam) need theirs.
        let budget = max(64, min(16_384, userWatches / 4))
        self.maxWatches = min(budget, max(1, limit ?? budget))
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.maxPaths = maxPaths
        self.tokens = burst
    }

    /// The places of a plan: writable binds that are folders on the host (not devices, not the
    /// session's sockets), and the upper layers of copy-on-write folders.
    public static func places(of plan: SandboxPlan) -> [Place] {
        var out: [Place] = []
        for m in plan.mounts where m.kind == .bind {
            guard let source = m.source, !source.hasPrefix("/dev/"), !source.hasPrefix("/proc/"), !source.hasPrefix("/sys/") else { continue }
            if let session = plan.net.sessionDirectory, source.hasPrefix(session) { continue }
            var st = stat()
            guard stat(source, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
            let label = m.destination == "/tmp" ? "private /tmp" : m.reason.hasPrefix("virtual home") ? "virtual home" : m.reason.contains("WINEPREFIX") || m.reason.contains("STEAM_COMPAT_DATA_PATH") ? "Wine prefix"
                : m.reason.contains("GAME_DIR") ? "game folder" : m.destination
            if !out.contains(where: { $0.path == source }) { out.append(Place(path: source, label: label)) }
        }
        for layer in plan.copyOnWrite where !out.contains(where: { $0.path == layer.upper }) {
            out.append(Place(path: layer.upper, label: "copy-on-write layer of \(layer.original)"))
        }
        return out
    }

    /// Starts the thread (which adds the watches, then reads events). Never fails the launch: without
    /// inotify the session goes on and the trail says file activity is not watched.
    public func start() {
        inotify = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        wake = ww_wake_fd()
        guard inotify >= 0, wake >= 0 else {
            trail?.record("file_watch_status", [("watching", .bool(false)), ("error", .string(String(cString: strerror(errno))))])
            if inotify >= 0 { close(inotify); inotify = -1 }
            if wake >= 0 { close(wake); wake = -1 }
            return
        }
        thread = BackgroundThread.start { self.run() }
    }

    /// Reads what is left, stops the thread and returns what the watching cost.
    @discardableResult
    public func stop() -> Stats {
        guard let t = thread else { return stats }
        stopTime.store(EventClock.monotonic(), ordering: .relaxed)
        stopRequested.store(true, ordering: .relaxed)
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
        pthread_join(t, nil)
        thread = nil
        // The last close of an inotify instance waits for a kernel grace period (up to ~20 ms): off ww's exit.
        ww_close_detached(inotify); close(wake)
        return stats
    }

    func run() {
        // Adding thousands of watches must not take CPU from the game starting: this thread runs niced.
        _ = ww_thread_nice(10)
        let begin = AuditTrail.now()
        for (i, place) in places.enumerated() { walk(place.path, place: i) }
        stats.walkNanoseconds = AuditTrail.now() - begin
        trail?.record("file_watch_status", [
            ("watching", .bool(true)), ("places", .strings(places.map { "\($0.label): \($0.path)" })),
            ("watches", .int(Int64(stats.watches))), ("folders_not_watched", .int(Int64(stats.foldersSkipped))),
            ("walk_ms", .int(Int64(stats.walkNanoseconds / 1_000_000))),
            ("extensions", .strings(Self.extensions.sorted())),
        ])
        InotifyReader.run(inotify: inotify, wake: wake, bufferSize: 64 * 1024) { handle(wd: $0, mask: $1, name: $2) }
        if suppressed > 0 || unwatched > 0 {
            trail?.record("file_written_suppressed", [("events_not_recorded", .int(Int64(suppressed))), ("folders_not_watched", .int(Int64(unwatched))),
                                                      ("reason", .string("rate limit (\(Int(ratePerSecond))/s) or the watch limit (\(maxWatches))"))])
        }
        stats.suppressed = suppressed
    }

    /// Adds a watch on every folder under `root`, breadth first, until the budget runs out.
    func walk(_ root: String, place: Int) {
        var queue = [root]
        var index = 0
        while index < queue.count {
            // The session ended before the walk did: what is left was not watched, and the trail says so
            // (a partial audit never scores as a clean run).
            if stopRequested.load(ordering: .relaxed), EventClock.monotonic() - stopTime.load(ordering: .relaxed) > Self.walkGraceNanoseconds {
                stats.foldersSkipped += queue.count - index
                unwatched += 1
                return
            }
            let dir = queue[index]
            index += 1
            guard stats.watches < maxWatches else { stats.foldersSkipped += queue.count - index + 1; unwatched += 1; return }
            let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)
            let wd = inotify_add_watch(inotify, dir, mask)
            guard wd >= 0 else { continue }
            if folders[wd] == nil { stats.watches += 1 }
            folders[wd] = (dir, place)
            guard let d = opendir(dir) else { continue }
            while let entry = readdir(d) {
                let type = entry.pointee.d_type
                guard type == UInt8(DT_DIR) || type == UInt8(DT_UNKNOWN) else { continue }
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name == "." || name == ".." { continue }
                let child = dir == "/" ? "/" + name : dir + "/" + name
                if type == UInt8(DT_UNKNOWN) {
                    var st = stat()
                    guard lstat(child, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
                }
                queue.append(child)
            }
            closedir(d)
        }
    }

    func handle(wd: Int32, mask: UInt32, name: String) {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 { suppressed += 1; return }
        guard let folder = folders[wd], !name.isEmpty else { return }
        let path = folder.path + "/" + name
        if mask & UInt32(IN_ISDIR) != 0 {
            // A new folder: watch it too (and what a game unpacked into it before the watch).
            if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { walkNew(path, place: folder.place) }
            return
        }
        guard Self.isExecutableOrScript(name) else { return }
        if mask & UInt32(IN_CREATE) != 0 {
            if created.count < maxPaths { created.insert(path) }
            return   // recorded when written and closed
        }
        record(path, place: folder.place, change: mask & UInt32(IN_MOVED_TO) != 0 ? "moved in" : created.contains(path) ? "created" : "changed")
    }

    func walkNew(_ path: String, place: Int) {
        let before = folders.count
        walk(path, place: place)
        // Files already inside (copied or unpacked before the watch existed) count as created.
        guard folders.count > before, let d = opendir(path) else { return }
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if entry.pointee.d_type != UInt8(DT_DIR), Self.isExecutableOrScript(name) { record(path + "/" + name, place: place, change: "created") }
        }
        closedir(d)
    }

    func record(_ path: String, place: Int, change: String) {
        guard !seen.contains(path) else { return }
        let now = AuditTrail.now()
        if lastRefill == 0 { lastRefill = now }
        tokens = min(burst, tokens + Double(now - lastRefill) / 1e9 * ratePerSecond)
        lastRefill = now
        // Wine's own prefix folders are not rate limited: a new prefix writes some 700 files in a
        // few seconds, which the trust rules must see to tell them from the game's (`PrefixSetup`).
        let wine = PrefixSetup.isWineFolder(path)
        guard tokens >= 1 || wine, seen.count < maxPaths else { suppressed += 1; return }
        if !wine { tokens -= 1 }
        seen.insert(path)
        stats.events += 1
        var details: [(String, AuditEvent.Value)] = [("path", .string(path)), ("place", .string(places[place].label)), ("change", .string(change))]
        if let dot = path.lastIndex(of: ".") { details.append(("type", .string(String(path[dot...]).lowercased()))) }
        trail?.record("file_written", details)
    }

    public static func isExecutableOrScript(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return extensions.contains(String(name[dot...]).lowercased())
    }
}
