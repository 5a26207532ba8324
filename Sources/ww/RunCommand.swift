import ArgumentParser
import Foundation
import Glibc
import WardenCore
import WardenLinux

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run COMMAND sandboxed (the default: `ww -- %command%`).")

    @OptionGroup var options: RunOptions

    @Flag(help: "Print the plan and the bwrap command; run nothing (same as `ww plan`).")
    var dryRun = false

    func run() throws {
        do {
            let prep = LaunchPreparation(command: options.command, profileArgument: options.profile, overrides: options.overrides)
            let config = try prep.globalConfig()
            if !config.enabled && !dryRun {
                guard !options.command.isEmpty else { throw WardenError(.usage, "no command given; write it after --") }
                FileHandle.standardError.write("ww: WARNING: sandboxing is disabled in \(config.path ?? "config.toml") ([winewarden] enabled = false); running \(options.command[0]) unsandboxed\n".data(using: .utf8)!)
                _ = withCStrings(options.command) { execvp(options.command[0], $0) }
                throw WardenError(errno == ENOENT ? .commandNotFound : .commandNotExecutable, "cannot run \(options.command[0]): \(String(cString: strerror(errno)))")
            }
            let prepared = try prep.prepare()
            if dryRun {
                print(PlanText.render(prepared.plan, bwrap: BwrapCommand.render(prepared.plan, bwrap: (try? Preflight.bwrapPath(environment: prep.environment)) ?? "bwrap"), verbose: options.verbose), terminator: "")
                return
            }
            let bwrap = try Preflight.bwrapPath(environment: prep.environment)
            try Preflight.userNamespaces()
            if !options.quiet {
                for w in prepared.plan.warnings { FileHandle.standardError.write("ww: \(w)\n".data(using: .utf8)!) }
            }
            if options.verbose {
                FileHandle.standardError.write("ww: \(prepared.plan.game.id) with profile \(prepared.plan.profile) (\(prepared.plan.profileReason))\n".data(using: .utf8)!)
                for n in prepared.plan.notes { FileHandle.standardError.write("ww: note: \(n)\n".data(using: .utf8)!) }
            }
            let status = try Launcher(plan: prepared.plan, bwrapPath: bwrap).run()
            Glibc.exit(status)
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
            let prep = LaunchPreparation(command: options.command, profileArgument: options.profile, overrides: options.overrides)
            let prepared = try prep.prepare()
            let bwrap = BwrapCommand.render(prepared.plan, bwrap: (try? Preflight.bwrapPath(environment: prep.environment)) ?? "bwrap")
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                struct Output: Encodable { var plan: SandboxPlan; var bwrap: [String] }
                print(String(data: try encoder.encode(Output(plan: prepared.plan, bwrap: bwrap.arguments)), encoding: .utf8)!)
            } else {
                print(PlanText.render(prepared.plan, bwrap: bwrap, verbose: true), terminator: "")
            }
        } catch {
            exitWith(error)
        }
    }
}
