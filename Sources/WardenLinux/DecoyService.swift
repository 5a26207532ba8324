import CLinux
import Glibc
import Synchronization
import WardenCore

/// The session's decoys (`DecoyPlan`): written into the session folder before the game starts, each
/// with its own canary token, then watched with inotify from a thread of their own. Opening a decoy
/// file is a `secret_touched` event (the path as the game saw it, the secret it stands for); listing
/// a decoy folder or `stat` opens no file and is not. The decoys are bound read-only, so the game
/// cannot change, replace or remove them, and the real secret is never opened. The event names the
/// process when one of the sandbox's processes still holds the decoy open when ww looks (inotify says
/// what was opened, not by whom: ww looks for the file among the sandbox processes' descriptors).
///
/// Bounded: one event per decoy file per session, further opens only counted (a `decoy_opens` event
/// at the end says how many); memory is one counter per decoy file.
public final class DecoyService: SessionService, @unchecked Sendable {
    public let plan: DecoyPlan
    public let tokens: CanaryTokens
    private var inotify: Int32 = -1
    private var wake: Int32 = -1
    private var thread: pthread_t?
    private var trail: AuditTrail?
    /// The inner helper's host pid once it runs (0 before): the sandbox's processes are below it.
    private let helper = Atomic<Int32>(0)
    // Only the watcher's thread touches these once it runs (start and gameEnded synchronise by join).
    private var watched: [Int32: (item: Int, relative: String)] = [:]
    private var opens: [String: Int] = [:]
    private var order: [String] = []

    /// One token per decoy, from the system's random source.
    public static func makeTokens(for plan: DecoyPlan) -> CanaryTokens {
        var random = SystemRandomNumberGenerator()
        return CanaryTokens(plan.items.map { CanaryTokens.Token(value: CanaryTokens.makeToken(using: &random), standsFor: $0.standsFor) })
    }

    public init(plan: DecoyPlan, tokens: CanaryTokens) {
        self.plan = plan
        self.tokens = tokens
    }

    /// Writes every decoy (the game must never find a hidden path half made) and starts watching.
    public func start(trail: AuditTrail?) throws {
        self.trail = trail
        guard plan.enabled, !plan.items.isEmpty else { return }
        try WardenDirectories.createPrivate(plan.folder)
        // The tokens come from the system's random source; the filler around them only has to look random.
        var system = SystemRandomNumberGenerator()
        // One getrandom for the filler's seed, not one per byte.
        var filler = SplitMix64(seed: system.next())
        for (i, item) in plan.items.enumerated() {
            let token = i < tokens.tokens.count ? tokens.tokens[i].value : CanaryTokens.makeToken(using: &system)
            let files = DecoyContent.files(item.kind, token: token, random: &filler)
            if item.isDirectory {
                // The decoys folder is new and private: only the folders below it are made (no mkdir -p from /).
                try Self.makeFolder(item.source)
                var made: Set<String> = []
                for file in files {
                    var parent = ""
                    for part in file.path.split(separator: "/").dropLast() {
                        parent = parent.isEmpty ? String(part) : parent + "/" + part
                        if made.insert(parent).inserted { try Self.makeFolder(item.source + "/" + parent) }
                    }
                    try Self.write(file.bytes, to: item.source + "/" + file.path)
                }
            } else {
                try Self.write(files.first?.bytes ?? [], to: item.source)
            }
        }
        inotify = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        wake = ww_wake_fd()
        guard inotify >= 0, wake >= 0 else {
            trail?.record("decoy_watch_status", [("watching", .bool(false)), ("error", .string(ErrnoText.describe(errno)))])
            return
        }
        for (i, item) in plan.items.enumerated() { watch(item.source, item: i, relative: "", isDirectory: item.isDirectory) }
        thread = BackgroundThread.start { self.run() }
    }

    /// Every process of the sandbox is gone: the last opens are read, and repeated ones are counted.
    public func gameEnded(trail: AuditTrail) {
        stopThread()
        for path in order where (opens[path] ?? 0) > 1 {
            trail.record("decoy_opens", [("path", .string(path)), ("opens", .int(Int64(opens[path] ?? 0)))])
        }
    }

    public func helperStarted(_ pid: pid_t) { helper.store(pid, ordering: .releasing) }

    public func stop() { stopThread() }

    private func stopThread() {
        if let t = thread {
            var one: UInt64 = 1
            _ = Glibc.write(wake, &one, 8)
            pthread_join(t, nil)
            thread = nil
        }
        if inotify >= 0 { ww_close_detached(inotify); inotify = -1 }   // see FileWatcher.stop
        if wake >= 0 { close(wake); wake = -1 }
    }

    /// A watch on a decoy file, or on a decoy folder and each folder inside it (their files' opens
    /// come with the file's name).
    private func watch(_ path: String, item: Int, relative: String, isDirectory: Bool) {
        let wd = inotify_add_watch(inotify, path, UInt32(IN_OPEN | IN_DONT_FOLLOW) | (isDirectory ? UInt32(IN_ONLYDIR) : 0))
        guard wd >= 0 else { return }
        watched[wd] = (item, relative)
        guard isDirectory else { return }
        for name in RealFileSystem().list(path) {
            let child = Paths.join(path, name)
            var st = stat()
            if lstat(child, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                watch(child, item: item, relative: relative.isEmpty ? name : relative + "/" + name, isDirectory: true)
            }
        }
    }

    private func run() {
        InotifyReader.run(inotify: inotify, wake: wake, bufferSize: 16 * 1024) { wd, mask, name in
            // A folder opened (a listing) is not a touch; neither is anything but an open.
            guard mask & UInt32(IN_OPEN) != 0, mask & UInt32(IN_ISDIR) == 0, let (index, relative) = watched[wd] else { return }
            let item = plan.items[index]
            if item.isDirectory && name.isEmpty { return }
            opened(item, inside: [relative, name].filter { !$0.isEmpty }.joined(separator: "/"))
        }
    }

    private func opened(_ item: DecoyPlan.Item, inside: String) {
        let seen = inside.isEmpty ? item.destinations[0] : Paths.join(item.destinations[0], inside)
        let standsFor = inside.isEmpty ? item.standsFor : Paths.join(item.standsFor, inside)
        let count = (opens[seen] ?? 0) + 1
        if count == 1 { order.append(seen) }
        opens[seen] = count
        guard count == 1 else { return }
        let (pid, chain) = opener(inside.isEmpty ? item.source : Paths.join(item.source, inside))
        trail?.record(VisibilityEvent.secretTouched, pid: pid, chain: chain, [("path", .string(seen)), ("stands_for", .string(standsFor)), ("decoy", .string(item.kind.rawValue))])
    }

    /// The sandbox process that has the decoy file open, with its chain of ancestors; nil when none
    /// still does.
    private func opener(_ source: String) -> (pid_t?, [AuditEvent.ProcessLink]) {
        let root = helper.load(ordering: .acquiring)
        var st = stat()
        guard root > 0, stat(source, &st) == 0 else { return (nil, []) }
        var below = [pid_t](repeating: 0, count: 4096)
        let n = min(Int(ww_list_descendants(root, &below, Int32(below.count))), below.count)
        guard let pid = ProcFiles.holder(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), among: [root] + below.prefix(n)) else { return (nil, []) }
        return (pid, ProcFiles.chain(pid, stopAt: root))
    }

    private static func makeFolder(_ path: String) throws {
        guard mkdir(path, 0o700) == 0 else { throw WardenError(.launch, "cannot create the decoy folder \(path): \(ErrnoText.describe(errno))") }
    }

    private static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw WardenError(.launch, "cannot write the decoy \(path): \(ErrnoText.describe(errno))") }
        defer { close(fd) }
        guard RealFileSystem.writeAll(fd, bytes) else { throw WardenError(.launch, "cannot write the decoy \(path): \(ErrnoText.describe(errno))") }
    }
}
