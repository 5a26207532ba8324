/// Persistence capture in a virtual home (SPEC §5): the game may write its own home's shell startup
/// files, autostart and systemd folders (they are ww's copies; nothing on the host runs them), and at
/// the session's end ww records each change as a `persistence_attempt` with a copy of what was
/// written, then puts the targets back as they were. A journal of the targets (kept until the end
/// went through) lets the next `ww` put them back after a session that was killed. This replaces
/// the guard mounts a virtual home needed (one bwrap step each).
///
/// A real home (`host-ro`, `host`) is never written: each persistence target there is a session copy
/// (`copiedFrom` is the real home, `hostHome` the session's copies), bound writable where the target
/// is, so the game's write succeeds into the copy, is recorded and captured the same way, and the
/// copy goes with the session folder (nothing to put back).
public struct PersistencePlan: Codable, Equatable, Sendable {
    public struct Target: Codable, Equatable, Sendable {
        /// Below the home (`.bashrc`, `.config/autostart`).
        public var relative: String
        public var mechanism: String
        public var isDirectory: Bool
        public init(relative: String, mechanism: String, isDirectory: Bool) {
            self.relative = relative
            self.mechanism = mechanism
            self.isDirectory = isDirectory
        }
    }

    /// The virtual home on the host (nil: nothing captured; the home is not virtual).
    public var hostHome: String?
    /// The home's path inside the sandbox (where the game saw the targets).
    public var sandboxHome: String
    public var targets: [Target]
    /// The real home the session copies are made from (nil: `hostHome` is a virtual home).
    public var copiedFrom: String?

    public init(hostHome: String? = nil, sandboxHome: String = "", targets: [Target] = [], copiedFrom: String? = nil) {
        self.hostHome = hostHome
        self.sandboxHome = sandboxHome
        self.targets = targets
        self.copiedFrom = copiedFrom
    }

    /// Session copies of a real home's targets: nothing is journalled or put back.
    public var isCopy: Bool { copiedFrom != nil }

    /// Every persistence target of SPEC §5, with what it would start.
    public static func targets() -> [Target] {
        SensitivePaths.persistenceFiles.map { Target(relative: $0, mechanism: PersistenceMechanism.shellStartup.rawValue, isDirectory: false) }
            + SensitivePaths.persistenceDirectories.map { rel in
                let mechanism: PersistenceMechanism
                switch rel {
                case ".config/autostart", ".config/plasma-workspace/env", ".config/plasma-workspace/shutdown": mechanism = .xdgAutostart
                case ".config/systemd/user", ".local/share/systemd/user": mechanism = .systemdUser
                case ".local/share/applications": mechanism = .desktopEntry
                case ".local/bin": mechanism = .userBin
                case ".config/environment.d": mechanism = .environmentD
                default: mechanism = .shellStartup
                }
                return Target(relative: rel, mechanism: mechanism.rawValue, isDirectory: true)
            }
    }
}
