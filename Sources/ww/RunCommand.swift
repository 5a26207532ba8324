import ArgumentParser
import Foundation
import Glibc
import WardenCore
import WardenLinux
import WardenNet
import WardenStore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run COMMAND sandboxed (the default: `ww -- %command%`).")

    @OptionGroup var options: RunOptions

    @Flag(help: "Print the plan and the bwrap command; run nothing (same as `ww plan`).")
    var dryRun = false

    func run() throws {
        GameLaunch(command: options.command, profile: options.profile, overrides: options.overrides,
                   dryRun: dryRun, verbose: options.verbose, quiet: options.quiet, log: options.log).run()
    }
}

/// `ww [run] … -- COMMAND`: from the command line to the game's exit status.
struct GameLaunch {
    var command: [String]
    var profile: String?
    var overrides: CommandLineOverrides
    var dryRun = false
    var verbose = false
    var quiet = false
    var log: String?

    /// `ww -- COMMAND…` with no ww options, the form launchers use: skips the option parser's start-up.
    static func fastPath(_ args: [String]) -> GameLaunch? {
        guard args.count >= 3, args[1] == "--" else { return nil }
        return GameLaunch(command: Array(args.dropFirst(2)), profile: nil, overrides: CommandLineOverrides())
    }

    func run() -> Never {
        do {
            var prep = LaunchPreparation(command: command, profileArgument: profile, overrides: overrides)
            let storePath = EventStore.defaultPath(prep.directories())
            prep.trustLookup = { try EventStore.peekStanding(path: storePath, game: $0) }
            let config = try prep.globalConfig()
            if !config.enabled && !dryRun {
                guard !command.isEmpty else { throw WardenError(.usage, "no command given; write it after --") }
                writeStandardError("ww: WARNING: sandboxing is disabled in \(config.path ?? "config.toml") ([winewarden] enabled = false); running \(command[0]) unsandboxed")
                _ = withCStrings(command) { execvp(command[0], $0) }
                throw WardenError(errno == ENOENT ? .commandNotFound : .commandNotExecutable, "cannot run \(command[0]): \(String(cString: strerror(errno)))")
            }
            let prepared = try prep.prepare()
            if dryRun {
                print(PlanText.render(prepared.plan, bwrap: BwrapCommand.render(prepared.plan, bwrap: (try? Preflight.bwrapPath(environment: prep.environment)) ?? "bwrap"), verbose: verbose), terminator: "")
                exit(0)
            }
            let bwrap = try Preflight.bwrapPath(environment: prep.environment)
            try Preflight.userNamespaces()
            if !quiet {
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
            var launcher = Launcher(plan: prepared.plan, bwrapPath: bwrap, trail: trail)
            launcher.quiet = quiet
            launcher.sessionFolder = prepared.sessionFolder
            launcher.policyDetails = [("trust_tier", .string(prepared.tier.rawValue)), ("trust_reason", .string(prepared.tierReason))]
            launcher.startNetwork = { net, trail in try NetworkServices.start(net, trail: trail) }
            if let n = prep.environment["WW_TEST_FILE_WATCHES"].flatMap(Int.init) { launcher.fileWatchLimit = n }
            if let omit = prep.environment["WW_TEST_LANDLOCK_OMIT"] { launcher.landlockOmit = Set(omit.split(separator: ":").map(String.init)) }
            let status = try launcher.run()
            trail.releaseLock()
            let change = recorder.finish(session: session)
            if !quiet, let c = change, c.before != c.after {
                writeStandardError("ww: trust of \(c.game): \(c.before) → \(c.after) (\(c.tier.rawValue)); `ww trust show \(c.game)` says why")
            }
            notifier?.finish()
            exit(status)
        } catch {
            exitWith(error)
        }
    }
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the sandbox plan and the exact bwrap command; run nothing.")

    @OptionGroup var options: RunOptions

    @Flag(help: "Print the plan as JSON.")
    var json = false

    func run() throws {
        do {
            var prep = LaunchPreparation(command: options.command, profileArgument: options.profile, overrides: options.overrides)
            // The plan a launch would run: with the game's trust tier (read only).
            let storePath = EventStore.defaultPath(prep.directories())
            prep.trustLookup = { try EventStore.peekStanding(path: storePath, game: $0) }
            let prepared = try prep.prepare()
            let bwrap = BwrapCommand.render(prepared.plan, bwrap: (try? Preflight.bwrapPath(environment: prep.environment)) ?? "bwrap")
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                struct Output: Encodable { var plan: SandboxPlan; var bwrap: [String] }
                print(String(data: try encoder.encode(Output(plan: prepared.plan, bwrap: bwrap.arguments)), encoding: .utf8)!)
            } else {
                // The bwrap command stays the last line (scripts read it).
                print("trust tier: \(prepared.tier.rawValue) (\(prepared.tierReason))")
                for n in prepared.tierNotes { print("  \(n)") }
                print(PlanText.render(prepared.plan, bwrap: bwrap, verbose: true), terminator: "")
            }
        } catch {
            exitWith(error)
        }
    }
}
