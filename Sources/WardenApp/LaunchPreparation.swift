import Foundation
import Glibc
import WardenCore
import WardenLinux
import WardenStore

/// Everything from argv to a `SandboxPlan`: gathers the host facts, then calls the pure core.
public struct LaunchPreparation {
    public var command: [String]
    public var profileArgument: String?
    public var overrides: CommandLineOverrides
    public var environment: [String: String]
    /// The session id: names the audit trail and the session's socket folder.
    public var session: String
    /// Where the game's trust standing is read (nil: no trust lookup, the default tier applies).
    public var storePath: String?

    public init(command: [String], profileArgument: String?, overrides: CommandLineOverrides, environment: [String: String] = HostEnvironment.environment,
                session: String = AuditTrail.newSessionID()) {
        self.session = session
        self.command = command
        self.profileArgument = profileArgument
        self.overrides = overrides
        self.environment = environment
    }

    public struct Prepared {
        public var plan: SandboxPlan
        public var config: GlobalConfig
        public var context: LaunchContext
        public var directories: WardenDirectories
        /// How the profile was chosen (nil: --profile).
        public var selection: ProfileResolver.Selection?
        /// The trust tier applied, why, and what it changed.
        public var tier: TrustTier
        public var tierReason: String
        public var tierNotes: [String]
        /// `$XDG_RUNTIME_DIR/winewarden/<session>`: the session's sockets, the live feed among them.
        public var sessionFolder: String
    }

    public func user() -> UserInfo { HostEnvironment.currentUser(environment: environment) }

    public func directories() -> WardenDirectories { WardenDirectories(user: user(), environment: environment) }

    public func globalConfig() throws -> GlobalConfig {
        let path = directories().configFile
        guard FileManager.default.fileExists(atPath: path) else { return GlobalConfig() }
        let source = try ProfileSearchPath.read(path: path)
        return try GlobalConfig.parse(path: path, text: source.text)
    }

    /// Resolves the command on the host: 127 when it does not exist, 126 when it cannot run.
    public func launchContext() throws -> LaunchContext {
        guard let first = command.first else {
            throw WardenError(.usage, "no command given; write it after --, e.g. `ww -- %command%` or `ww -- wine game.exe`")
        }
        let cwd = HostEnvironment.workingDirectory()
        let resolved: String
        switch CommandResolver.resolve(first, path: environment["PATH"], workingDirectory: cwd) {
        case .found(let p): resolved = p
        case .notExecutable(let p): throw WardenError(.commandNotExecutable, "\(p) is not an executable program; check its permissions (chmod +x) or the command")
        case .notFound: throw WardenError(.commandNotFound, "\(first): command not found; check the spelling or give its full path")
        }
        var exe: String?
        if let arg = LaunchContext.windowsProgramArgument(in: command) {
            let full = arg.hasPrefix("/") ? arg : Paths.join(cwd, arg)
            exe = RealFileSystem().canonical(full) ?? Paths.normalize(full)
        }
        var ctx = LaunchContext(command: command, environment: environment, workingDirectory: cwd, user: user(),
                                resolvedCommand: resolved, windowsExecutable: exe)
        if let name = overrides.game {
            guard let s = GameIdentity.slug(name), s == name else {
                throw WardenError(.usage, "--game \(name): a game's name is lower-case letters, digits, '.', '_' and '-' (for example \(GameIdentity.slug(name) ?? "my-game")); ww keeps the game's home and trust under it")
            }
            ctx.gameName = name
        }
        return ctx
    }

    public func catalog(directories dirs: WardenDirectories? = nil, executable: String? = nil) throws -> ProfileCatalog {
        let folders = ProfileSearchPath.folders(directories: dirs ?? directories(), environment: environment,
                                                executable: executable ?? HostEnvironment.executablePath())
        return try ProfileSearchPath.catalog(folders: folders)
    }

    public func prepare() throws -> Prepared {
        let config = try globalConfig()
        let ctx = try launchContext()
        let identity = GameIdentity.resolve(ctx)
        let dirs = WardenDirectories(user: ctx.user, environment: environment)
        let executable = HostEnvironment.executablePath()
        let resolver = ProfileResolver(catalog: try catalog(directories: dirs, executable: executable), globalLayer: config.layer)
        let source: ProfileSource
        let reason: String
        var selection: ProfileResolver.Selection?
        if let p = profileArgument {
            if p.contains("/") || p.hasSuffix(".toml") {
                source = try ProfileSearchPath.read(path: p.hasPrefix("/") ? p : Paths.join(ctx.workingDirectory, p))
            } else {
                guard let s = resolver.catalog.source(named: p) else {
                    throw WardenError(.profile, "no profile named '\(p)'; `ww profile list` shows the available ones")
                }
                source = s
            }
            reason = ProfileResolver.Selection.explicit(p).reason
        } else {
            let (s, chosen) = try resolver.select(for: ctx, identity: identity)
            source = s
            reason = chosen.reason
            selection = chosen
        }
        var profile = try resolver.load(source)
        // The tier's defaults come under the command line's options: `--network full` for one run wins.
        // The standing from the event database (nil: never seen). Throws when the database exists but
        // cannot be read: the tier could be a stricter one.
        let standing = try storePath.flatMap { try EventStore.peekStanding(path: $0, game: identity.id) }
        let (tier, tierReason) = TrustPolicy.tier(standing: standing, profilePin: profile.trustTier, defaultTier: config.defaultTier)
        let tiered = TrustPolicy.apply(tier, reason: tierReason, to: profile)
        profile = try resolver.applying(try overrides.layer(), to: tiered.profile)
        let deviceRoot = TestHooks.deviceRoot(environment)
        var host = HostFacts(
            fileSystem: RealFileSystem(),
            inputDevices: profile.gamepads.value ? DeviceScan.inputDevices(root: deviceRoot) : [],
            hidrawDevices: profile.gamepads.value ? DeviceScan.hidrawDevices(root: deviceRoot) : [],
            wardenExecutable: executable,
            wardenLibraryDirectories: HostEnvironment.libraryDirectoriesOutsideSystem(),
            dataDirectory: dirs.data,
            sessionDirectory: Paths.join(HostEnvironment.runtimeFolder(environment: environment, uid: ctx.user.uid), session),
            socatPath: FeatureProbe.findExecutable("socat"),
            landlockABI: FeatureProbe.landlock().abi,
            landlockRulesLeftOut: TestHooks.landlockRulesLeftOut(environment),
            dbusProxyPath: profile.dbus.value == .filtered ? FeatureProbe.findExecutable("xdg-dbus-proxy") : nil)
        host.deviceRoot = deviceRoot
        let plan = try Planner(context: ctx, identity: identity, profile: profile, profileReason: reason, host: host).plan()
        return Prepared(plan: plan, config: config, context: ctx, directories: dirs, selection: selection,
                        tier: tier, tierReason: tierReason, tierNotes: tiered.notes, sessionFolder: host.sessionDirectory)
    }
}

/// Cheap checks before starting bwrap, each failing with the fix.
public enum Preflight {
    /// The bwrap to run: the root-owned system one, or exactly `unsafe` (`--unsafe-bwrap`).
    public static func bwrapPath(unsafe: String? = nil) throws -> String { try BwrapLocator.find(unsafe: unsafe) }

    public static func userNamespaces() throws {
        if FileManager.default.fileExists(atPath: "/.flatpak-info") {
            throw WardenError(.host, "ww is running inside Flatpak, where bwrap cannot create a nested sandbox; run ww from the host (a native Steam/Lutris), not from a Flatpak app")
        }
        if getuid() == 0 { return }
        func sysctl(_ path: String) -> String? { RealFileSystem.readSmallFile(path).map { $0.filter { !$0.isWhitespace } } }
        if sysctl("/proc/sys/user/max_user_namespaces") == "0" {
            throw WardenError(.host, "user namespaces are disabled (user.max_user_namespaces = 0); enable them with `sudo sysctl user.max_user_namespaces=15000`")
        }
        if sysctl("/proc/sys/kernel/unprivileged_userns_clone") == "0" {
            throw WardenError(.host, "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0); enable them with `sudo sysctl kernel.unprivileged_userns_clone=1`")
        }
    }
}
