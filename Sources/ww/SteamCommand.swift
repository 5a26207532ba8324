// `ww steam install-tool | remove-tool | status`: WineWarden in Steam's compatibility menu.

import ArgumentParser
import Foundation
import WardenApp
import WardenCore

struct SteamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steam",
        abstract: "Put WineWarden in Steam's compatibility tool menu, one entry per Proton.",
        discussion: """
            Each entry ("WineWarden (Proton 9.0)") runs ww around exactly the chain Steam builds for \
            that Proton (the Steam Linux Runtime's entry point when Proton requires it, then proton), \
            for the game and for its install scripts. The tools go in <Steam>/compatibilitytools.d/winewarden-*; \
            Steam's own files are only read. Flatpak Steam is left alone.
            """,
        subcommands: [InstallTool.self, RemoveTool.self, Status.self])

    struct RootOption: ParsableArguments {
        @Option(name: .customLong("steam-root"), help: ArgumentHelp("The Steam client folder (default: every one found below ~: ~/.steam/root, ~/.local/share/Steam, …).", valueName: "path"),
                completion: .directory)
        var path: String?

        func installer() -> SteamToolInstaller {
            let prep = LaunchPreparation(command: [], profileArgument: nil, overrides: .init())
            return SteamToolInstaller(home: prep.user().home, explicitRoot: path.map { $0.hasPrefix("/") ? $0 : Paths.join(FileManager.default.currentDirectoryPath, $0) })
        }
    }

    struct InstallTool: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install-tool",
            abstract: "Write (or update) one WineWarden compatibility tool per Proton found; restart Steam to see them.")

        @OptionGroup var root: RootOption

        func run() throws {
            do { try root.installer().install { print($0) } } catch { exitWith(error) }
        }
    }

    struct RemoveTool: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-tool",
            abstract: "Remove the compatibility tools ww wrote (only files ww wrote are removed).")

        @OptionGroup var root: RootOption

        func run() throws {
            do { try root.installer().remove { print($0) } } catch { exitWith(error) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List WineWarden's compatibility tools and the games Steam sets to each (config.vdf, read only).")

        @OptionGroup var root: RootOption

        func run() throws {
            do { try root.installer().status { print($0) } } catch { exitWith(error) }
        }
    }
}
