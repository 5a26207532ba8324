// What ww sees of the attacks it stops (SPEC §5–§6): the event kinds the decoys, the persistence
// capture, the Wine autostart check and the exfiltration canaries write, their fields, and the
// session's canary tokens. Producers and consumers (trust, the end-of-session line, the monitor,
// desktop alerts) share these names.

/// Event kinds and their detail keys.
public enum VisibilityEvent {
    /// A decoy file was opened for reading. Fields: `path` (as the game saw it), `stands_for` (the
    /// host path of the real secret it replaces), `decoy` (its kind, e.g. "openssh-private-key"),
    /// optionally `process` (name) with the event's pid when the opener could be found.
    public static let secretTouched = "secret_touched"
    /// A write to a persistence target. Fields: `target` (the path as the game saw it, or the
    /// registry key), `mechanism` (one of `PersistenceMechanism`), optionally `value` (registry value
    /// name), `command` (the command line it would run), `capture` (the id `ww events --capture ID`
    /// shows), `bytes` (how much was written), `removed` (true when ww undid it), `note` (why it was not).
    public static let persistenceAttempt = "persistence_attempt"
    /// A canary token left the sandbox through a path ww relays. Fields: `destination` (host:port or
    /// the DNS name), `channel` ("dns", "http", "connect", "socks", "plain"), `stands_for` (the real
    /// secret whose decoy held the token), `closed` (true: the connection was closed).
    public static let exfiltration = "exfiltration"

    /// A decoy the game tried to replace, delete, move or link over (refused; the host file never
    /// changes). Fields: `path` (as the game saw it), `call` (rename, unlink, rmdir, link, symlink),
    /// `stands_for` (the real secret), `errno`, optionally `to` (a rename's new name).
    public static let decoyTampered = "decoy_tampered"
    /// A rename, move, delete or link of a hidden path, of ww's own state, or of a folder holding
    /// either, refused. Fields: `path`, `call`, `protects` (the protected paths concerned), `category`
    /// (hidden, ww-state, persistence, decoy), `relation` (itself, inside, ancestor), `errno`, optionally `to`.
    public static let pathRefused = "path_refused"

    public static let kinds: Set<String> = [secretTouched, persistenceAttempt, exfiltration, decoyTampered, pathRefused]
}

/// Where a persistence attempt was aimed (the `mechanism` field).
public enum PersistenceMechanism: String, Sendable, CaseIterable {
    case shellStartup = "shell-startup"          // ~/.bashrc, ~/.profile, …
    case xdgAutostart = "xdg-autostart"          // ~/.config/autostart
    case systemdUser = "systemd-user"            // ~/.config/systemd/user
    case desktopEntry = "desktop-entry"          // ~/.local/share/applications
    case userBin = "user-bin"                    // ~/.local/bin
    case environmentD = "environment.d"          // ~/.config/environment.d
    case wineRunKey = "wine-run-key"             // …\CurrentVersion\Run, RunOnce, RunServices, RunServicesOnce
    case wineWinlogon = "wine-winlogon"          // Winlogon Shell / Userinit
    case wineService = "wine-service"            // HKLM\System\CurrentControlSet\Services\*
    case wineStartupFolder = "wine-startup-folder"
}

/// The session's canary tokens: random strings ww writes into its decoys (never the real data, never
/// derived from it). Each is 26 characters of lower-case base32 starting with "ww", so it survives
/// being a DNS label, a URL, a header or a form field unchanged.
public struct CanaryTokens: Sendable, Equatable {
    public struct Token: Sendable, Equatable {
        public var value: String
        /// The host path of the real secret whose decoy holds the token.
        public var standsFor: String
        public init(value: String, standsFor: String) { self.value = value; self.standsFor = standsFor }
    }

    public var tokens: [Token]
    public init(_ tokens: [Token] = []) { self.tokens = tokens }
    public var isEmpty: Bool { tokens.isEmpty }

    public static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
    public static let length = 26

    /// A fresh token from `random` (24 symbols after the "ww").
    public static func makeToken<G: RandomNumberGenerator>(using random: inout G) -> String {
        "ww" + String((0..<(length - 2)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
    }

    /// The token whose value is `value`, if any.
    public func token(_ value: String) -> Token? { tokens.first { $0.value == value } }
}
