import ArgumentParser
import Foundation
import WardenCore

struct WW: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ww",
        abstract: "WineWarden: run a Windows game in a sandbox that keeps your secrets and desktop safe.",
        discussion: """
        Put `ww -- %command%` in a Steam game's launch options, or use `ww` as the command prefix
        or wrapper in Lutris, Heroic, Bottles or umu-run.

        Exit status: the game's own; 128+N when it died of signal N; 125 when ww failed
        (bad profile, missing bwrap, refused policy); 126 command not executable; 127 command not found.
        """,
        version: WardenVersion.string,
        subcommands: [RunCommand.self, PlanCommand.self, FeaturesCommand.self, ProfileCommand.self, EventsCommand.self, TrustCommand.self, MonitorCommand.self, CowCommand.self, SteamCommand.self, InitCommand.self, ManualCommand.self],
        defaultSubcommand: RunCommand.self)
}

enum WardenVersion {
    static let string = "0.1.0"
}

/// Prints a WardenError as one line and exits with its status; anything else is a bug report.
func exitWith(_ error: Error) -> Never {
    if let e = error as? WardenError {
        for line in e.message.split(separator: "\n") { FileHandle.standardError.write("ww: \(line)\n".data(using: .utf8)!) }
        exit(e.exitStatus)
    }
    FileHandle.standardError.write("ww: \(error)\n".data(using: .utf8)!)
    exit(125)
}
