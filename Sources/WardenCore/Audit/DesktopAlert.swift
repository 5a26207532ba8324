/// Which audit events deserve a desktop notification, and its text. Pure: the trail calls it for
/// every event; ww shows at most one notification per kind of alert per session.
public struct DesktopAlert: Equatable, Sendable {
    public enum Level: String, Sendable { case emergency, notice }
    /// One notification per category and session.
    public var category: String
    public var level: Level
    public var body: String

    /// Emergencies: a shell or script host refused, the connection rate limit hit, a canary token sent
    /// out (exfiltration). Notices: any other refused program, a proxy denial, a decoy secret read, a
    /// persistence attempt captured (the real files were never reachable). Paths below `home` are
    /// written with `~`.
    public static func classify(kind: String, details: [(String, AuditEvent.Value)], home: String? = nil) -> DesktopAlert? {
        func string(_ key: String) -> String? {
            for (k, v) in details where k == key { if case .string(let s) = v { return s } }
            return nil
        }
        func flag(_ key: String) -> Bool {
            details.contains { k, v in if k == key, case .bool(true) = v { return true }; return false }
        }
        switch kind {
        case "exec_refused":
            let program = string("path").map(Paths.basename) ?? "a program"
            let from = string("windows_program").map { " (asked for by \(Paths.basename($0)))" } ?? ""
            if flag("shell") {
                return DesktopAlert(category: "shell", level: .emergency, body: "The game tried to start a shell, \(program)\(from), and was refused.")
            }
            return DesktopAlert(category: "exec", level: .notice, body: "The game tried to run \(program)\(from), which its profile does not allow.")
        case "rate_limited":
            return DesktopAlert(category: "rate", level: .emergency,
                                body: "The game opened new connections faster than its limit allows; further ones were refused.")
        case "proxy_deny":
            return DesktopAlert(category: "proxy", level: .notice, body: "The game tried to reach \(string("host") ?? "a host") and was refused.")
        case VisibilityEvent.secretTouched:
            let secret = (string("stands_for") ?? string("path")).map { EventText.printable(Paths.tilde($0, home: home)) } ?? "a secret"
            return DesktopAlert(category: "secret", level: .notice,
                                body: "The game read \(secret); it got a decoy, never your real file.")
        case VisibilityEvent.persistenceAttempt:
            let target = string("target").map { EventText.printable(Paths.tilde($0, home: home)) } ?? "a startup place"
            return DesktopAlert(category: "persistence", level: .notice,
                                body: "The game tried to make itself start with your desktop (\(target)); ww captured it and changed nothing outside the sandbox.")
        case VisibilityEvent.decoyTampered:
            let secret = (string("stands_for") ?? string("path")).map { EventText.printable(Paths.tilde($0, home: home)) } ?? "a secret"
            return DesktopAlert(category: "decoy", level: .notice,
                                body: "The game tried to replace or delete \(secret); it was a decoy and nothing outside the sandbox changed.")
        case VisibilityEvent.pathRefused:
            let path = string("path").map { EventText.printable(Paths.tilde($0, home: home)) } ?? "a protected folder"
            return DesktopAlert(category: "path", level: .notice,
                                body: "The game tried to move or delete \(path), which protects your private files; ww refused it.")
        case VisibilityEvent.exfiltration:
            let destination = string("destination").map(EventText.printable) ?? "the network"
            return DesktopAlert(category: "exfiltration", level: .emergency,
                                body: "The game sent a decoy secret to \(destination); ww \(flag("closed") ? "closed the connection" : "recorded it"), and the game's trust goes red.")
        default:
            return nil
        }
    }

    /// Whether the settings let this alert through: `emergency_only` keeps notices quiet.
    public func shown(emergencyOnly: Bool) -> Bool { level == .emergency || !emergencyOnly }
}
