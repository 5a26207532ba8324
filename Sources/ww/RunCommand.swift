import ArgumentParser
import Foundation
import Glibc
import WardenCore
import WardenLinux
import WardenApp
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
                   dryRun: dryRun, verbose: options.verbose, quiet: options.quiet, log: options.log, unsafeBwrap: options.unsafeBwrap).runAndExit()
    }
}

extension GameLaunch {
    /// Runs the launch and exits with its status (errors: one sentence with the fix, their status).
    func runAndExit() -> Never {
        do { exit(try run()) } catch { exitWith(error) }
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
            prep.storePath = EventStore.defaultPath(prep.directories())
            let prepared = try prep.prepare()
            let bwrap = BwrapCommand.render(prepared.plan, bwrap: (try? Preflight.bwrapPath(unsafe: options.unsafeBwrap)) ?? "bwrap")
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
