// `ww profile new NAME`: a commented profile for one game in ~/.config/winewarden/profiles.

import ArgumentParser
import WardenApp
import WardenCore

extension ProfileCommand {
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a commented profile for one game to ~/.config/winewarden/profiles/NAME.toml.",
            discussion: """
                It extends the shipped profile that fits (steam-proton for a Steam app, wine for a Windows \
                program, or the one the last session used) and fills [match] so the game gets it by itself. \
                An existing file is kept unless --force.
                """)

        @Argument(help: "The new profile's name (letters, digits, '.', '_', '-').")
        var name: String

        @Option(name: .customLong("steam-appid"), help: ArgumentHelp("Match this Steam AppId.", valueName: "id"))
        var steamAppID: UInt64?

        @Option(help: ArgumentHelp("Match this Windows program (its full path).", valueName: "path"), completion: .file(extensions: ["exe"]))
        var exe: String?

        @Flag(name: .customLong("from-last"), help: "Take the game from the newest session ww ran.")
        var fromLast = false

        @Option(help: ArgumentHelp("Extend this profile instead of the one ww picks.", valueName: "profile"), completion: ProfileNameCompletion.kind)
        var extends: String?

        @Flag(help: "Replace an existing profile of that name (the old one is kept as NAME.toml.bak).")
        var force = false

        func run() throws {
            do {
                let prep = LaunchPreparation(command: [], profileArgument: nil, overrides: .init())
                let creation = ProfileCreation(prep: prep)
                let template = try creation.template(name: name, steamAppID: steamAppID, exe: exe, fromLast: fromLast, extends: extends)
                let path = try creation.write(template, force: force)
                print("wrote \(path) (extends \(template.extends)); edit it, then `ww profile check \(path)`")
            } catch { exitWith(error) }
        }
    }
}
