import Glibc
import Synchronization
import WardenCore

/// Desktop notifications from the host side: one `org.freedesktop.Notifications.Notify` call on your
/// session bus through `gdbus` (GLib's command line tool; `notify-send` when gdbus is missing), at
/// most one per kind of alert per session, started without waiting, so nothing ever blocks the game
/// or asks it a question.
public final class DesktopNotifier: Sendable {
    public let program: String
    let game: String
    let emergencyOnly: Bool
    /// `no_prompts_during_gameplay`: notices stay quiet while the game runs (normal urgency, which
    /// desktops hold back over a fullscreen game), and only emergencies are critical.
    let noPromptsDuringGameplay: Bool
    let environment: [String]
    /// The player's home, for `~` in the texts.
    let home: String?
    private struct State { var shown: Set<String> = []; var children: [pid_t] = [] }
    private let state = Mutex(State())

    /// nil when notify-send is missing or there is no session bus or display to show anything on.
    public init?(program: String?, game: String, config: GlobalConfig, environment: [String: String]) {
        guard let program, environment["DBUS_SESSION_BUS_ADDRESS"] != nil || environment["XDG_RUNTIME_DIR"] != nil else { return nil }
        self.program = program
        self.game = game
        self.emergencyOnly = config.emergencyOnly
        self.noPromptsDuringGameplay = config.noPromptsDuringGameplay
        self.environment = environment.keys.sorted().map { "\($0)=\(environment[$0]!)" }
        self.home = environment["HOME"]
    }

    /// The notifier for a session: gdbus (or notify-send) from PATH, ww's own environment (the host's bus).
    public static func forSession(game: String, config: GlobalConfig, environment: [String: String]) -> DesktopNotifier? {
        DesktopNotifier(program: FeatureProbe.findExecutable("gdbus") ?? FeatureProbe.findExecutable("notify-send"),
                        game: game, config: config, environment: environment)
    }

    /// The command line for one notification.
    func commandLine(title: String, body: String, critical: Bool) -> [String] {
        if Paths.basename(program) == "gdbus" {
            // Notify(app_name, replaces_id, icon, summary, body, actions, hints, expire_timeout), GVariant text.
            func quoted(_ s: String) -> String {
                "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
            }
            // Typed, so the call is right without introspection; `--` keeps the -1 from reading as an option.
            return [program, "call", "--session", "--dest=org.freedesktop.Notifications", "--object-path=/org/freedesktop/Notifications",
                    "--method=org.freedesktop.Notifications.Notify", "--", "'WineWarden'", "uint32 0", "'security-high'", quoted(title), quoted(body),
                    "@as []", "@a{sv} {'urgency': <byte \(critical ? 2 : 1)>}", "int32 -1"]
        }
        return [program, "--app-name=WineWarden", "--urgency=\(critical ? "critical" : "normal")", "--icon=security-high", title, body]
    }

    public func consider(_ kind: String, _ details: [(String, AuditEvent.Value)]) {
        guard let alert = DesktopAlert.classify(kind: kind, details: details, home: home), alert.shown(emergencyOnly: emergencyOnly) else { return }
        let first = state.withLock { s in s.shown.insert(alert.category).inserted }
        guard first else { return }
        let argv = commandLine(title: "WineWarden: \(game)", body: alert.body,
                               critical: alert.level == .emergency && !noPromptsDuringGameplay)
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        if posix_spawn(&pid, program, &actions, &attr, cArgs, cEnv) == 0 {
            state.withLock { $0.children.append(pid) }
        }
    }

    /// Reaps the notify-send processes (they end in milliseconds; a stuck one is left to init).
    public func finish() {
        let children = state.withLock { s -> [pid_t] in defer { s.children = [] }; return s.children }
        for pid in children {
            var status: Int32 = 0
            for _ in 0..<100 {
                let r = waitpid(pid, &status, WNOHANG)
                if r != 0 { break }
                usleep(10_000)
            }
        }
    }
}
