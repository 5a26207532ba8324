/// The paths whose name the game may not change (issue 17, issue 15's bad input): hidden paths,
/// decoys, persistence targets of the real home and ww's own state, as the game sees them, and
/// their ancestors below the home. The mounts enforce it (a mount point cannot be renamed or
/// removed, read-only binds take no new names); the supervisor asks `judge` on each rename, unlink,
/// rmdir, link and symlink so the attempt is an event the player sees. Pure.
public struct PathGuard: Codable, Equatable, Sendable {
    public enum Category: String, Codable, Sendable {
        case hidden
        case decoy
        case persistence
        case wardenState = "ww-state"
    }

    public struct Entry: Codable, Equatable, Sendable {
        /// The path inside the sandbox.
        public var path: String
        public var category: Category
        /// The host path behind it (a decoy: the real secret it stands for).
        public var standsFor: String
        /// A persistence target's `PersistenceMechanism`.
        public var mechanism: String?
        /// Names inside are the game's: a real home's persistence target that is a session copy (its
        /// changes are captured at the end); only the target itself (a mount point) is guarded.
        public var namesInside: Bool
        public init(path: String, category: Category, standsFor: String, mechanism: String? = nil, namesInside: Bool = false) {
            self.path = path
            self.category = category
            self.standsFor = standsFor
            self.mechanism = mechanism
            self.namesInside = namesInside
        }
    }

    public enum Call: String, Codable, Sendable { case rename, unlink, rmdir, link, symlink }

    /// Which name of the call a path is: the one moved away or deleted, or the one made.
    public enum Role: Sendable { case removed, created }

    public enum Relation: String, Sendable {
        case itself
        /// A name inside a protected folder.
        case inside
        /// A folder that holds protected paths (renaming it would move them).
        case ancestor
    }

    public struct Verdict: Equatable, Sendable {
        public var entry: Entry
        public var relation: Relation
        /// The errno the kernel gives for the mounts ww placed there.
        public var errno: Int32
        /// The event kind: `decoy_tampered`, `persistence_attempt` or `path_refused`.
        public var kind: String
    }

    public var entries: [Entry]
    /// Folders below which an ancestor counts (the home, other binds): never one of them or above.
    public var roots: [String]

    public init(entries: [Entry] = [], roots: [String] = []) {
        self.entries = entries
        self.roots = roots
    }

    public var isEmpty: Bool { entries.isEmpty }

    static let EPERM: Int32 = 1, EACCES: Int32 = 13, EEXIST: Int32 = 17, EBUSY: Int32 = 16, EROFS: Int32 = 30

    /// nil: the kernel decides (the path protects nothing).
    public func judge(_ path: String, call: Call, role: Role) -> Verdict? {
        let p = Paths.normalize(path)
        // The protected path itself, or a name inside it, before its ancestors.
        if let e = entries.first(where: { $0.path == p }) {
            let errno = role == .created && (call == .link || call == .symlink) ? Self.EEXIST : Self.EBUSY
            return Verdict(entry: e, relation: .itself, errno: errno, kind: Self.kind(e.category, .itself))
        }
        if let e = entries.filter({ Paths.isWithin(p, $0.path) }).max(by: { $0.path.count < $1.path.count }) {
            if e.namesInside { return nil }
            let errno = e.category == .hidden || e.category == .wardenState ? Self.EACCES : Self.EROFS
            return Verdict(entry: e, relation: .inside, errno: errno, kind: Self.kind(e.category, .inside))
        }
        guard roots.contains(where: { Paths.isWithin(p, $0) && p != $0 }) else { return nil }
        if let e = entries.first(where: { Paths.isWithin($0.path, p) }) {
            return Verdict(entry: e, relation: .ancestor, errno: Self.EBUSY, kind: Self.kind(e.category, .ancestor))
        }
        return nil
    }

    static func kind(_ category: Category, _ relation: Relation) -> String {
        guard relation != .ancestor else { return VisibilityEvent.pathRefused }
        switch category {
        case .decoy: return VisibilityEvent.decoyTampered
        case .persistence: return VisibilityEvent.persistenceAttempt
        case .hidden, .wardenState: return VisibilityEvent.pathRefused
        }
    }

    /// The protected paths a folder holds (for an ancestor's event), at most `limit`.
    public func held(by folder: String, limit: Int = 5) -> [Entry] {
        Array(entries.filter { Paths.isWithin($0.path, folder) && $0.path != folder }.prefix(limit))
    }

    /// The folders strictly between `root` and each protected path below it, shallowest first:
    /// the ancestors ww makes mount points in a writable real home.
    public func ancestors(below root: String) -> [String] {
        var out: [String] = []
        for e in entries where Paths.isWithin(e.path, root) && e.path != root {
            var dir = Paths.dirname(e.path)
            var chain: [String] = []
            while dir != root && Paths.isWithin(dir, root) {
                chain.append(dir)
                dir = Paths.dirname(dir)
            }
            for a in chain.reversed() where !out.contains(a) { out.append(a) }
        }
        return out.sorted { ($0.split(separator: "/").count, $0) < ($1.split(separator: "/").count, $1) }
    }
}
