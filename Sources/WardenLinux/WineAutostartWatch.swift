import Glibc
import WardenCore

/// The host side of the Wine autostart check (`plan.wineAutostart`): looks at the prefix's registry
/// files and Startup folders before the game runs and again once every process of the sandbox is
/// gone, records each entry the session added as a `persistence_attempt`, and (unless the profile
/// keeps them, or a wineserver still serves the prefix) removes it: only the lines of those values in
/// `user.reg`/`system.reg` change (a temporary file in the same folder, renamed over the old one),
/// and the new Startup files are deleted. Costs a path lookup when there is no prefix; with one, the
/// files are read before the game starts and parsed on a thread of their own while it runs.
///
/// What the first look found is kept in a journal (`WineAutostartJournal`, in ww's state folder, with a
/// lock held while the session runs): a journal whose lock is free was left by a `ww` that was killed,
/// so the next session of the prefix compares the prefix with it before its game starts, records and
/// removes what that session added (the events say so), then looks afresh.
public final class WineAutostartWatch: SessionService {
    let plan: WineAutostartPlan
    let journal: String?
    private var before: Parse?
    private var parsing: pthread_t?
    /// The journal's lock while this session owns it; -1 when not.
    private var lockFD: Int32 = -1

    /// `journal`: where the first look is kept (nil: not kept; a killed session's additions then stay).
    public init(_ plan: WineAutostartPlan, journal: String? = nil) {
        self.plan = plan
        self.journal = journal
    }

    /// The journal of a prefix in ww's state folder (`~/.local/state/winewarden/wine-autostart/<hash>`).
    public static func journal(state: String, prefix: String) -> String {
        Paths.join(Paths.join(state, "wine-autostart"), StableHash.hex(prefix))
    }

    public func start(trail: AuditTrail?) throws {
        guard var look = PrefixLook.take(plan.prefix, within: plan.bindSource) else { return }
        if let journal, own(journal), let left = RealFileSystem.readFile(journal, limit: 64 << 20) {
            // A session that did not end: its additions are compared, recorded and removed first.
            let content = WineAutostartJournal.decode(left)
            if let content, let t = trail {
                check(before: PrefixLook(journal: content, root: look.root), after: look.parsed(), trail: t, note: "left by a session that did not end")
                look = PrefixLook.take(plan.prefix, within: plan.bindSource) ?? look
            } else if content == nil {
                trail?.record("persistence_capture_status", [("capturing", .bool(true)), ("reason", .string("the Wine autostart journal \(journal) left by an earlier session is unreadable; it was removed"))])
            }
            unlink(journal)
        }
        let parse = Parse(look, journal: lockFD >= 0 ? journal : nil)
        before = parse
        parsing = BackgroundThread.start { parse.run() }
        if parsing == nil { parse.run() }
    }

    /// Takes the journal's lock (held until `stop`); false when another session of the prefix holds it.
    private func own(_ journal: String) -> Bool {
        guard (try? WardenDirectories.createPrivate(Paths.dirname(journal))) != nil,
              case .held(let fd) = RealFileSystem.lockExclusively(journal + ".lock") else { return false }
        lockFD = fd
        return true
    }

    public func stop() {
        finishParsing()
        if lockFD >= 0 { close(lockFD); lockFD = -1 }
    }

    private func finishParsing() {
        if let t = parsing { pthread_join(t, nil); parsing = nil }
    }

    /// The first look, parsed on its thread; read only after `pthread_join` (which orders the write
    /// before the read). The files' bytes go once parsed: a large system.reg is not kept all session.
    private final class Parse: @unchecked Sendable {
        private var look: PrefixLook?
        private let journal: String?
        var result: PrefixLook?
        init(_ look: PrefixLook, journal: String?) {
            self.look = look
            self.journal = journal
        }

        func run() {
            guard var parsed = look?.parsed() else { return }
            look = nil
            for file in parsed.registry.keys { parsed.registry[file]?.bytes = [] }
            result = parsed
            // Written whole then renamed: a journal is either complete or absent.
            if let journal {
                let temporary = journal + ".tmp"
                if PersistenceService.writeFile(temporary, WineAutostartJournal.encode(parsed.journalContent)) { rename(temporary, journal) }
            }
        }
    }

    public func gameEnded(trail: AuditTrail) {
        finishParsing()
        let before = self.before?.result
        guard let after = PrefixLook.take(plan.prefix, within: plan.bindSource)?.parsed(reusing: before) else { return }
        check(before: before, after: after, trail: trail, note: nil)
        if lockFD >= 0, let journal { unlink(journal) }
    }

    /// Records each entry in `after` that `before` lacks and (unless kept, or a wineserver serves the
    /// prefix) removes it.
    func check(before: PrefixLook?, after: PrefixLook, trail: AuditTrail, note extra: String?) {
        var found: [(WineAutostartFinding, note: String?)] = []
        for (file, hive) in WineAutostart.registryFiles {
            guard let now = after.registry[file] else { continue }
            let previous = before?.registry[file]?.items
            let unread = now.notes.isEmpty ? nil : "\(file) did not parse completely (\(now.notes.prefix(3).joined(separator: "; "))); it is left as it is"
            found += WineAutostart.added(file: file, hive: hive, before: previous, after: now.items).map { ($0, unread) }
        }
        found += WineAutostart.addedFiles(before: before?.startupFiles ?? [], after: after.startupFiles.sorted()).map { ($0, nil) }
        guard !found.isEmpty else { return }

        let blocker: String? = plan.keep ? "kept: keep_autostart = true (\(plan.keepOrigin))" : wineserverInUse(after.root)
        let results = blocker == nil ? undo(found, in: after) : found.map { $0.note ?? blocker }
        for (i, (f, _)) in found.enumerated() {
            var details: [(String, AuditEvent.Value)] = [("target", .string(f.target)), ("mechanism", .string(f.mechanism.rawValue))]
            if let v = f.value { details.append(("value", .string(v))) }
            // `removed` before the command line: `ww events` shortens long lines at their end.
            details.append(("removed", .bool(results[i] == nil)))
            if let c = f.command { details.append(("command", .string(c))) }
            if let note = results[i] { details.append(("note", .string(note))) }
            if let extra { details.append(("found", .string(extra))) }
            trail.record(VisibilityEvent.persistenceAttempt, details)
        }
    }

    /// Undoes what can be undone: per finding, nil when it was, else why not (its note, or what failed).
    func undo(_ found: [(WineAutostartFinding, note: String?)], in after: PrefixLook) -> [String?] {
        var results = found.map(\.note)
        for (file, _) in WineAutostart.registryFiles {
            var indices: [Int] = []
            var edits: [WineRegistryEdit] = []
            for (i, f) in found.enumerated() where f.note == nil {
                if case .registry(file, let edit) = f.0.undo { indices.append(i); edits.append(edit) }
            }
            guard !indices.isEmpty, let now = after.registry[file] else { continue }
            let failure = rewrite(Paths.join(after.root, file), now, edits)
            for i in indices { results[i] = failure }
        }
        for (i, f) in found.enumerated() {
            if case .deleteFile(let path) = f.0.undo {
                results[i] = unlink(Paths.join(after.root, path)) == 0 || errno == ENOENT ? nil : "cannot delete it: \(ErrnoText.describe(errno))"
            }
        }
        return results
    }

    /// Why the prefix must not be changed now: a wineserver holds the lock of its socket folder.
    func wineserverInUse(_ root: String) -> String? {
        var st = stat()
        guard stat(root, &st) == 0 else { return "the prefix cannot be examined: \(ErrnoText.describe(errno))" }
        let debian = PrefixLook.read(Paths.join(root, "wineserver"), limit: 256).map { String(decoding: $0.bytes, as: UTF8.self).trimmingWhitespace }
        for dir in plan.serverDirectories(dev: UInt64(st.st_dev), ino: UInt64(st.st_ino), debianName: debian) {
            let lock = Paths.join(dir, "lock")
            let fd = open(lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 {
                if errno == ENOENT { continue }
                return "a wineserver may still serve this prefix (\(lock): \(ErrnoText.describe(errno))); nothing was changed"
            }
            defer { close(fd) }
            var probe = flock()
            probe.l_type = Int16(F_WRLCK)
            probe.l_whence = Int16(SEEK_SET)
            if fcntl(fd, F_GETLK, &probe) != 0 || probe.l_type != Int16(F_UNLCK) {
                return "a wineserver still serves this prefix (\(dir)); nothing was changed"
            }
        }
        return nil
    }

    /// Writes the edited file next to the old one and renames it over it; nil when done, else why not.
    func rewrite(_ path: String, _ look: PrefixLook.Registry, _ edits: [WineRegistryEdit]) -> String? {
        guard let bytes = WineRegistryFile.rewriting(look.bytes, edits) else { return "\(Paths.basename(path)) did not parse completely; it is left as it is" }
        var st = stat()
        guard lstat(path, &st) == 0, st.st_size == look.size, st.st_ino == look.inode, st.st_ctim.tv_sec == look.changed.tv_sec, st.st_ctim.tv_nsec == look.changed.tv_nsec else {
            return "\(Paths.basename(path)) changed while ww read it; it is left as it is"
        }
        let temporary = path + ".ww-\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 0o7777)
        guard fd >= 0 else { return "cannot write \(temporary): \(ErrnoText.describe(errno))" }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            written += n
        }
        let synced = written == bytes.count && fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            let why = ErrnoText.describe(errno)
            unlink(temporary)
            return "cannot replace \(Paths.basename(path)): \(why)"
        }
        return nil
    }
}

/// What the check reads of a prefix at one moment: the autostart entries of each registry file and
/// the files in the Startup folders (relative to the prefix). Never follows a symlink the game could
/// have planted: the prefix itself must lie where the plan says, and the folders are walked with lstat.
struct PrefixLook {
    struct Registry {
        var bytes: [UInt8]
        var size: Int
        /// The inode's change time: no program can set it back, unlike the modification time.
        var changed: timespec
        var inode: UInt64
        var items: [WineAutostart.RegistryItem] = []
        var notes: [String] = []
    }

    var root: String
    var registry: [String: Registry] = [:]
    var startupFiles: Set<String> = []

    init(root: String) { self.root = root }

    /// A first look as a journal kept it (entries only, no bytes: never rewritten from).
    init(journal: WineAutostartJournal.Content, root: String) {
        self.root = root
        for (file, items) in journal.registry {
            registry[file] = Registry(bytes: [], size: -1, changed: timespec(), inode: 0, items: items)
        }
        startupFiles = Set(journal.startupFiles)
    }

    var journalContent: WineAutostartJournal.Content {
        WineAutostartJournal.Content(registry: registry.mapValues(\.items), startupFiles: startupFiles.sorted())
    }

    /// The autostart entries of each file read (only the autostart keys are parsed); a file Wine has
    /// not touched since `earlier` (same inode, size and change time) keeps the entries found then.
    func parsed(reusing earlier: PrefixLook? = nil) -> PrefixLook {
        var out = self
        for (file, r) in registry {
            if let e = earlier?.registry[file], e.inode == r.inode, e.size == r.size,
               e.changed.tv_sec == r.changed.tv_sec, e.changed.tv_nsec == r.changed.tv_nsec {
                out.registry[file]?.items = e.items
                out.registry[file]?.notes = e.notes
                continue
            }
            let parsed = WineRegistryFile.parse(r.bytes, onlyKeys: WineAutostart.isAutostartKey)
            out.registry[file]?.items = WineAutostart.items(parsed, bytes: r.bytes)
            out.registry[file]?.notes = parsed.notes
        }
        return out
    }

    /// The files as they are now; nil when the prefix is not a folder inside `bindSource`
    /// (followed through any symlinks).
    static func take(_ planned: String, within bindSource: String) -> PrefixLook? {
        let fs = RealFileSystem()
        guard let prefix = fs.canonical(planned), let source = fs.canonical(bindSource), Paths.isWithin(prefix, source),
              fs.kind(prefix) == .directory else { return nil }
        var look = PrefixLook(root: prefix)
        for (file, _) in WineAutostart.registryFiles {
            guard let got = read(Paths.join(prefix, file), limit: 256 << 20) else { continue }
            look.registry[file] = Registry(bytes: got.bytes, size: got.size, changed: got.changed, inode: got.inode)
        }
        for pattern in WineAutostart.startupFolders {
            for folder in folders(fs, prefix, "", pattern[...]) {
                for name in fs.list(Paths.join(prefix, folder)) where fs.kind(Paths.join(prefix, "\(folder)/\(name)")) != .directory {
                    look.startupFiles.insert("\(folder)/\(name)")
                }
            }
        }
        return look
    }

    /// The real folders (no symlinks) below `root/relative` matching the rest of a pattern.
    static func folders(_ fs: RealFileSystem, _ root: String, _ relative: String, _ rest: ArraySlice<String>) -> [String] {
        guard let next = rest.first else { return [relative] }
        return fs.list(relative.isEmpty ? root : Paths.join(root, relative)).sorted().flatMap { name -> [String] in
            let path = relative.isEmpty ? name : "\(relative)/\(name)"
            guard WineAutostart.component(name, matches: next), fs.kind(Paths.join(root, path)) == .directory else { return [] }
            return folders(fs, root, path, rest.dropFirst())
        }
    }

    /// A regular file's bytes (not through a symlink), its size, change time and inode.
    static func read(_ path: String, limit: Int) -> (bytes: [UInt8], size: Int, changed: timespec, inode: UInt64)? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size <= limit else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            got += n
        }
        return (Array(bytes.prefix(got)), got, st.st_ctim, UInt64(st.st_ino))
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
