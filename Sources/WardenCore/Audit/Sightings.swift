/// What ww saw a game try in one session (the `VisibilityEvent` kinds): the secrets whose decoys it
/// read, where it tried to persist, where a canary token went. Pure: the trail, the monitor and the
/// end-of-session line feed it events and print `text`.
public struct Sightings: Equatable, Sendable {
    /// The real secrets whose decoys were read (`stands_for`, else the path), each once, first seen first.
    public private(set) var secrets: [String] = []
    public private(set) var persistenceAttempts = 0
    /// The persistence targets, each once.
    public private(set) var persistenceTargets: [String] = []
    public private(set) var exfiltrations = 0
    /// Where canary tokens were sent, each once.
    public private(set) var destinations: [String] = []
    /// Decoys the game tried to replace, delete or link over (`stands_for`), each once.
    public private(set) var tamperedDecoys: [String] = []
    /// Protected paths (hidden, ww's state, their folders) the game tried to rename or delete, each once.
    public private(set) var refusedPaths: [String] = []
    /// Names kept per list: a game touching thousands of decoys costs no more memory than a hundred.
    public static let maxNames = 100

    public init() {}

    public var isEmpty: Bool { secrets.isEmpty && persistenceAttempts == 0 && exfiltrations == 0 && tamperedDecoys.isEmpty && refusedPaths.isEmpty }

    /// Counts one event (other kinds are ignored).
    public mutating func note(kind: String, details: [(String, AuditEvent.Value)]) {
        func string(_ key: String) -> String? {
            for (k, v) in details where k == key { if case .string(let s) = v { return s } }
            return nil
        }
        func add(_ name: String?, to list: inout [String]) {
            if let name, !list.contains(name), list.count < Self.maxNames { list.append(name) }
        }
        switch kind {
        case VisibilityEvent.secretTouched:
            add(string("stands_for") ?? string("path") ?? "a secret", to: &secrets)
        case VisibilityEvent.persistenceAttempt:
            persistenceAttempts += 1
            add(string("target"), to: &persistenceTargets)
        case VisibilityEvent.exfiltration:
            exfiltrations += 1
            add(string("destination"), to: &destinations)
        case VisibilityEvent.decoyTampered:
            add(string("stands_for") ?? string("path"), to: &tamperedDecoys)
        case VisibilityEvent.pathRefused:
            add(string("path"), to: &refusedPaths)
        default:
            break
        }
    }

    /// "2 secrets touched (~/.ssh/id_rsa, ~/.aws/credentials), 1 persistence attempt captured
    /// (~/.bashrc), 1 exfiltration caught (evil.example:80)"; nil when nothing was seen. Paths
    /// below `home` are written with `~`; at most `names` names per part.
    public func text(home: String?, names: Int = 3) -> String? {
        func list(_ items: [String], total: Int) -> String {
            let shown = items.prefix(names).map { EventText.printable(Paths.tilde($0, home: home)) }
            let more = total - shown.count
            return " (" + shown.joined(separator: ", ") + (more > 0 ? ", \(more) more" : "") + ")"
        }
        func plural(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
        var parts: [String] = []
        if !secrets.isEmpty { parts.append(plural(secrets.count, "secret", "secrets") + " touched" + list(secrets, total: secrets.count)) }
        if persistenceAttempts > 0 {
            parts.append(plural(persistenceAttempts, "persistence attempt", "persistence attempts") + " captured"
                         + (persistenceTargets.isEmpty ? "" : list(persistenceTargets, total: persistenceTargets.count)))
        }
        if exfiltrations > 0 {
            parts.append(plural(exfiltrations, "exfiltration", "exfiltrations") + " caught"
                         + (destinations.isEmpty ? "" : list(destinations, total: destinations.count)))
        }
        if !tamperedDecoys.isEmpty {
            parts.append(plural(tamperedDecoys.count, "decoy", "decoys") + " tampered with" + list(tamperedDecoys, total: tamperedDecoys.count))
        }
        if !refusedPaths.isEmpty {
            parts.append(plural(refusedPaths.count, "protected path", "protected paths") + " kept in place" + list(refusedPaths, total: refusedPaths.count))
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}
