/// Which audit events deserve a desktop notification, and its text. Pure: the trail calls it for
/// every event; ww shows at most one notification per kind of alert per session.
public struct DesktopAlert: Equatable, Sendable {
    public enum Level: String, Sendable { case emergency, notice }
    /// One notification per category and session.
    public var category: String
    public var level: Level
    public var body: String

    /// Emergencies: a shell or script host refused, the connection rate limit hit. Notices: any other
    /// refused program, a proxy denial. (A read of a hidden secret file fails in the kernel without ww
    /// seeing it, so there is no event for it to alert on.)
    public static func classify(kind: String, details: [(String, AuditEvent.Value)]) -> DesktopAlert? {
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
        default:
            return nil
        }
    }

    /// Whether the settings let this alert through: `emergency_only` keeps notices quiet.
    public func shown(emergencyOnly: Bool) -> Bool { level == .emergency || !emergencyOnly }
}
