import Glibc
import WardenCore

/// Persistence capture in a virtual home (`PersistencePlan`). Before the game runs, the targets as
/// they are (files up to `maxFile` bytes, and which entries exist) are copied into a journal in ww's
/// state folder; once every sandbox process is gone, each target that changed is a
/// `persistence_attempt` event with a copy of what was written (first 64 KiB, in
/// `<state>/captures/<session>/N`, shown by `ww events --capture ID`) and is put back as the journal
/// has it. A journal left by a session that was killed is put back by the next one first.
///
/// Only what is still there at the end is seen: a write the game undoes itself within the session
/// leaves nothing (and nothing to put back).
///
/// In a real home (`plan.isCopy`) the targets the game sees are session copies made here before it
/// starts (`PersistenceCopies`); the end records what changed in them the same way, and the copies go
/// with the session folder: no journal, nothing to put back, the real files never opened for writing.
public final class PersistenceService: SessionService {
    public let plan: PersistencePlan
    let journal: String
    let captures: String
    let session: String
    static let maxFile = 1 << 20
    static let maxCapture = 64 * 1024
    /// What a target tree may hold before ww stops copying it (entries).
    static let maxEntries = 2_000
    /// The journal's lock, held while this session owns the journal (released by the kernel when ww
    /// dies, so a journal whose lock is free was left by a session that is gone); -1 when not owned.
    private var lockFD: Int32 = -1
    /// The session copies as made (`plan.isCopy`), to compare with at the end.
    private var copied: Snapshot?

    /// `state`: ww's state folder (`~/.local/state/winewarden`); `game`: the game's id.
    public init(plan: PersistencePlan, state: String, game: String, session: String) {
        self.plan = plan
        self.journal = Paths.join(Paths.join(state, "persistence"), StableHash.hex(game))
        self.captures = Paths.join(Paths.join(state, "captures"), session)
        self.session = session
    }

    public func start(trail: AuditTrail?) throws {
        guard let home = plan.hostHome else { return }
        if let real = plan.copiedFrom {
            let leftOut = try PersistenceCopies.make(plan, from: real, into: home)
            if !leftOut.isEmpty {
                trail?.record("persistence_capture_status", [("capturing", .bool(true)), ("left_out", .string(leftOut.prefix(20).joined(separator: ", "))),
                                                             ("reason", .string("over 1 MiB, too many entries, or not a file, folder or link: not in the session copy"))])
            }
            copied = Snapshot.take(plan, home: home)
            return
        }
        try WardenDirectories.createPrivate(Paths.dirname(journal))
        switch RealFileSystem.lockExclusively(journal + ".lock") {
        case .failed(let code):
            throw WardenError(.launch, "cannot open \(journal).lock: \(ErrnoText.describe(code)); check your state folder")
        case .busy:
            // Another session of this game is running in the same virtual home: its journal covers the
            // home, and it records and puts back what either session changed when it ends.
            trail?.record("persistence_capture_status", [("capturing", .bool(false)),
                                                         ("reason", .string("another session of this game is running; it captures the virtual home's changes when it ends"))])
            return
        case .held(let fd):
            lockFD = fd
        }
        // A session that was killed left its journal: its changes are put back (and recorded) first.
        if let old = Snapshot.read(journal) {
            if let t = trail { compare(old, home: home, trail: t, note: "left by a session that did not end") }
            SessionFolder.remove(journal)
        }
        // Earlier versions mounted guards here: bwrap left empty read-only files as mount points, which
        // would refuse the game's write unseen. They become ordinary empty files of the game's own.
        for target in plan.targets where !target.isDirectory {
            var st = stat()
            let path = Paths.join(home, target.relative)
            if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size == 0, (st.st_mode & 0o200) == 0 { chmod(path, 0o600) }
        }
        let now = Snapshot.take(plan, home: home)
        try now.write(journal)
    }

    public func gameEnded(trail: AuditTrail) {
        if let before = copied, let home = plan.hostHome {
            compare(before, home: home, trail: trail, note: nil)
            return
        }
        guard let home = plan.hostHome, lockFD >= 0, let before = Snapshot.read(journal) else { return }
        compare(before, home: home, trail: trail, note: nil)
        SessionFolder.remove(journal)
    }

    public func stop() {
        if lockFD >= 0 { close(lockFD); lockFD = -1 }
    }

    /// Records, then undoes, every difference between `before` and the targets now.
    func compare(_ before: Snapshot, home: String, trail: AuditTrail, note: String?) {
        let after = Snapshot.take(plan, home: home)
        var count = 0
        for target in plan.targets {
            let changed = Snapshot.changes(before, after, under: target.relative)
            guard !changed.isEmpty else { continue }
            var recorded: [(String, [(String, AuditEvent.Value)])] = []
            for rel in changed {
                count += 1
                var details: [(String, AuditEvent.Value)] = [
                    ("target", .string(Paths.join(plan.sandboxHome, rel))), ("mechanism", .string(target.mechanism)),
                ]
                if let bytes = after.files[rel] {
                    details.append(("bytes", .int(Int64(bytes.count))))
                    if let id = capture(bytes, number: count) { details.append(("capture", .string(id))) }
                    if let command = Self.command(bytes, before: before.files[rel], mechanism: target.mechanism) { details.append(("command", .string(command))) }
                } else if after.folders.contains(rel) {
                    details.append(("change", .string("folder created")))
                } else if after.entries.contains(rel) {
                    details.append(("change", .string("not a regular file, or over 1 MiB: not copied")))
                } else {
                    details.append(("change", .string("removed")))
                }
                recorded.append((rel, details))
            }
            // Session copies of a real home are dropped with the session: the change never reached it.
            if !plan.isCopy { restore(target.relative, before: before, after: after, home: home) }
            let now = plan.isCopy ? before : Snapshot.take(PersistencePlan(hostHome: home, targets: [target]), home: home)
            for (rel, var details) in recorded {
                details.append(("removed", .bool(before.files[rel] == now.files[rel] && before.entries.contains(rel) == now.entries.contains(rel))))
                if plan.isCopy { details.append(("in", .string("a session copy; your file is unchanged"))) }
                if let note { details.append(("note", .string(note))) }
                trail.record(VisibilityEvent.persistenceAttempt, details)
            }
        }
    }

    /// Puts a target back as `before` has it: what is new goes (deepest first), changed files get their
    /// old bytes, removed files come back. An entry that was too large to keep is left as it is.
    func restore(_ target: String, before: Snapshot, after: Snapshot, home: String) {
        let inside = { (p: String) in p == target || p.hasPrefix(target + "/") }
        for rel in after.entries.filter(inside).sorted(by: { $0.count > $1.count }) where !before.entries.contains(rel) {
            Self.removeTree(Paths.join(home, rel))
        }
        for rel in before.folders.filter(inside).sorted(by: { $0.count < $1.count }) where !after.folders.contains(rel) {
            Self.removeTree(Paths.join(home, rel))
            mkdir(Paths.join(home, rel), 0o700)
        }
        for (rel, bytes) in before.files where inside(rel) && after.files[rel] != bytes {
            Self.removeTree(Paths.join(home, rel))
            _ = Self.writeFile(Paths.join(home, rel), bytes)
        }
    }

    func capture(_ bytes: [UInt8], number: Int) -> String? {
        guard (try? WardenDirectories.createPrivate(captures)) != nil else { return nil }
        let id = "\(session)/\(number)"
        return Self.writeFile(Paths.join(captures, String(number)), Array(bytes.prefix(Self.maxCapture))) ? id : nil
    }

    /// What the change would run: the lines a shell file gained, a desktop entry's Exec, a unit's ExecStart.
    static func command(_ bytes: [UInt8], before: [UInt8]?, mechanism: String) -> String? {
        let text = String(decoding: bytes.prefix(maxCapture), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let keys = ["Exec=", "ExecStart="]
        if let line = lines.first(where: { l in keys.contains { l.hasPrefix($0) } }) { return String(line.prefix(300)) }
        let old = Set(String(decoding: (before ?? []).prefix(maxCapture), as: UTF8.self).split(separator: "\n").map(String.init))
        let added = lines.filter { !old.contains($0) && !$0.hasPrefix("#") }
        return added.isEmpty ? nil : String(added.joined(separator: "; ").prefix(300))
    }

    /// What the game left where a target was; a tree it made undeletable is left (the event says not removed).
    static func removeTree(_ path: String) { try? RealFileSystem.removeTree(path) }

    static func writeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return RealFileSystem.writeAll(fd, bytes)
    }
}

/// The persistence targets of a home at one moment: the bytes of each regular file (up to
/// `PersistenceService.maxFile`), and every entry that exists (links are entries, never followed).
struct Snapshot: Equatable {
    var files: [String: [UInt8]] = [:]
    var entries: Set<String> = []
    var folders: Set<String> = []

    static func take(_ plan: PersistencePlan, home: String) -> Snapshot {
        var s = Snapshot()
        for target in plan.targets { s.add(home, target.relative, depth: 0) }
        return s
    }

    mutating func add(_ home: String, _ rel: String, depth: Int) {
        guard entries.count < PersistenceService.maxEntries else { return }
        let path = Paths.join(home, rel)
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        entries.insert(rel)
        switch st.st_mode & S_IFMT {
        case S_IFREG where Int(st.st_size) <= PersistenceService.maxFile:
            if let bytes = RealFileSystem.readFile(path, limit: PersistenceService.maxFile) { files[rel] = bytes }
        case S_IFDIR where depth < 8:
            folders.insert(rel)
            for name in RealFileSystem().list(path) { add(home, rel + "/" + name, depth: depth + 1) }
        default: break
        }
    }

    /// Paths under `target` that are new, gone or different: files (and other non-folders), and
    /// folders only when created empty or removed.
    static func changes(_ a: Snapshot, _ b: Snapshot, under target: String) -> [String] {
        let inside = { (p: String) in p == target || p.hasPrefix(target + "/") }
        let all = b.entries.union(a.entries).filter(inside)
        return all.sorted().filter { p in
            let folderA = a.folders.contains(p), folderB = b.folders.contains(p)
            if folderA && folderB { return false }
            if folderB && !a.entries.contains(p) { return !all.contains { $0.hasPrefix(p + "/") && !a.entries.contains($0) } }
            return a.entries.contains(p) != b.entries.contains(p) || a.files[p] != b.files[p] || folderA != folderB
        }
    }

    // The journal: one file per target file (bytes), `entries` listing every entry and which are folders.
    func write(_ dir: String) throws {
        SessionFolder.remove(dir)
        try WardenDirectories.createPrivate(dir)
        var listing = ""
        for e in entries.sorted() { listing += (folders.contains(e) ? "d " : files[e] != nil ? "f " : "o ") + e + "\n" }
        for (i, rel) in files.keys.sorted().enumerated() {
            guard PersistenceService.writeFile(Paths.join(dir, String(i)), files[rel]!) else {
                throw WardenError(.launch, "cannot write the persistence journal in \(dir): \(ErrnoText.describe(errno)); check the free space of your state folder")
            }
        }
        guard PersistenceService.writeFile(Paths.join(dir, "entries"), Array(listing.utf8)) else {
            throw WardenError(.launch, "cannot write the persistence journal in \(dir): \(ErrnoText.describe(errno)); check the free space of your state folder")
        }
    }

    static func read(_ dir: String) -> Snapshot? {
        guard let listing = RealFileSystem.readFile(Paths.join(dir, "entries"), limit: 4 << 20) else { return nil }
        var s = Snapshot()
        var fileNames: [String] = []
        for line in String(decoding: listing, as: UTF8.self).split(separator: "\n") where line.count > 2 {
            let rel = String(line.dropFirst(2))
            s.entries.insert(rel)
            if line.hasPrefix("d ") { s.folders.insert(rel) }
            if line.hasPrefix("f ") { fileNames.append(rel) }
        }
        for (i, rel) in fileNames.sorted().enumerated() {
            guard let bytes = RealFileSystem.readFile(Paths.join(dir, String(i)), limit: PersistenceService.maxFile) else { return nil }
            s.files[rel] = bytes
        }
        return s
    }
}
