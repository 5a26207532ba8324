import Foundation
import Glibc
import WardenCore
import WardenLinux
import WardenStore

/// `ww [run] … -- COMMAND`: from the command line to the game's exit status. The application's
/// orchestration: config, profiles and trust tier (LaunchPreparation), preflight, the trail, then
/// the SessionSupervisor, whose end hook records the store, the trust change and the alerts.
public struct GameLaunch {
    public var command: [String]
    public var profile: String?
    public var overrides: CommandLineOverrides
    public var dryRun = false
    public var verbose = false
    public var quiet = false
    public var log: String?
    /// `--unsafe-bwrap PATH`: run this bwrap instead of the root-owned system one.
    public var unsafeBwrap: String?

    public init(command: [String], profile: String?, overrides: CommandLineOverrides, dryRun: Bool = false, verbose: Bool = false,
                quiet: Bool = false, log: String? = nil, unsafeBwrap: String? = nil) {
        self.command = command
        self.profile = profile
        self.overrides = overrides
        self.dryRun = dryRun
        self.verbose = verbose
        self.quiet = quiet
        self.log = log
        self.unsafeBwrap = unsafeBwrap
    }

    /// `ww -- COMMAND…` with no ww options, the form launchers use: skips the option parser's start-up.
    public static func fastPath(_ args: [String]) -> GameLaunch? {
        guard args.count >= 3, args[1] == "--" else { return nil }
        return GameLaunch(command: Array(args.dropFirst(2)), profile: nil, overrides: CommandLineOverrides())
    }

    /// The status ww exits with (the game's, or 125/126/127 for ww's own refusals, thrown as errors).
    public func run() throws -> Int32 {
        var prep = LaunchPreparation(command: command, profileArgument: profile, overrides: overrides)
        let storePath = EventStore.defaultPath(prep.directories())
        prep.storePath = storePath
        let config = try prep.globalConfig()
        if !config.enabled && !dryRun {
            guard !command.isEmpty else { throw WardenError(.usage, "no command given; write it after --") }
            writeStandardError("ww: WARNING: sandboxing is disabled in \(config.path ?? "config.toml") ([winewarden] enabled = false); running \(command[0]) unsandboxed")
            _ = withCStrings(command) { execvp(command[0], $0) }
            throw WardenError(errno == ENOENT ? .commandNotFound : .commandNotExecutable, "cannot run \(command[0]): \(ErrnoText.describe(errno))")
        }
        let prepared = try prep.prepare()
        if dryRun {
            print(PlanText.render(prepared.plan, bwrap: BwrapCommand.render(prepared.plan, bwrap: (try? Preflight.bwrapPath(unsafe: unsafeBwrap)) ?? "bwrap"), verbose: verbose), terminator: "")
            return 0
        }
        try Preflight.userNamespaces()
        let bwrap = try Preflight.bwrapPath(unsafe: unsafeBwrap)
        if !quiet {
            if unsafeBwrap != nil {
                writeStandardError("ww: WARNING: running \(bwrap) (--unsafe-bwrap): whoever can change that file controls the sandbox")
            }
            if case .steamLaunch(let app, _)? = prepared.selection {
                // Steam shows no launcher UI for this: say once which profile the game got.
                writeStandardError("ww: \(prepared.plan.game.id) runs with profile \(prepared.plan.profile) (\(prepared.plan.profileReason)); to change it, add a profile with [match] steam_app_ids = [\(app)] to ~/.config/winewarden/profiles/")
            }
            for w in prepared.plan.warnings { writeStandardError("ww: \(w)") }
            for n in prepared.tierNotes { writeStandardError("ww: \(n)") }
        }
        if verbose {
            writeStandardError("ww: \(prepared.plan.game.id) with profile \(prepared.plan.profile) (\(prepared.plan.profileReason))")
            for n in prepared.plan.notes { writeStandardError("ww: note: \(n)") }
        }
        let session = prep.session
        let logPath: String
        if let l = log {
            logPath = l.hasPrefix("/") ? l : Paths.join(prepared.context.workingDirectory, l)
        } else {
            logPath = AuditTrail.defaultPath(stateHome: Paths.dirname(prepared.directories.state), game: prepared.plan.game.id, session: session)
        }
        let trail = try AuditTrail(path: logPath, session: session, game: prepared.plan.game.id)
        let notifier = DesktopNotifier.forSession(game: prepared.plan.game.displayName, config: prepared.config, environment: prep.environment)
        if let n = notifier { trail.setListener { n.consider($0, $1) } }
        let recorder = SessionRecorder(storePath: storePath, trailPath: logPath, logsFolder: nil, settings: prepared.config.trust,
                                       warn: { writeStandardError("ww: \($0)") })
        recorder.start(trail)

        let supervisor = SessionSupervisor(plan: prepared.plan, bwrapPath: bwrap, trail: trail)
        supervisor.quiet = quiet
        supervisor.sessionFolder = prepared.sessionFolder
        supervisor.policyDetails = [("trust_tier", .string(prepared.tier.rawValue)), ("trust_reason", .string(prepared.tierReason))]
        // The decoys exist before the game starts; their tokens are what the network looks for going out.
        let decoys = DecoyService(plan: prepared.plan.decoys, tokens: DecoyService.makeTokens(for: prepared.plan.decoys))
        let persistence = PersistenceService(plan: prepared.plan.persistence, state: prepared.directories.state, game: prepared.plan.game.id, session: session)
        supervisor.services = [decoys, persistence, NetworkService(prepared.plan.net, canaries: decoys.tokens)]
        if prepared.plan.hotplug.enabled {
            let faked = !TestHooks.deviceRoot(prep.environment).isEmpty
            supervisor.services.append(DeviceHotplugService(plan: prepared.plan.hotplug, allowRegularFiles: faked))
        }
        // The Wine autostart check, when the plan found a prefix to watch (its gameEnded records and undoes).
        if let wine = prepared.plan.wineAutostart {
            supervisor.services.append(WineAutostartWatch(wine, journal: WineAutostartWatch.journal(state: prepared.directories.state, prefix: wine.prefix)))
        }
        supervisor.fileWatchLimit = TestHooks.fileWatchLimit(prep.environment)
        // The one end hook: the trail is complete, then the store, the summary with the trust change, the alerts.
        let home = prep.environment["HOME"]
        supervisor.onEnd = { [quiet] outcome in
            trail.releaseLock()
            let change = recorder.finish(session: session)
            if !quiet {
                let trust = change.flatMap { c in
                    c.before == c.after ? nil : "trust \(c.before) → \(c.after) (\(c.tier.rawValue)), `ww trust show \(c.game)` says why"
                }
                writeStandardError("ww: " + trail.summary(exitStatus: outcome.exitStatus, home: home, trust: trust))
            }
            notifier?.finish()
        }
        return try supervisor.run()
    }
}
