// `ww profile new NAME`: a commented profile for one game in ~/.config/winewarden/profiles.

import ArgumentParser
import Foundation
import WardenApp
import WardenCore
import WardenLinux

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
                try ProfileTemplate.checkName(name, shipped: ShippedProfiles.texts.map(\.name))
                var apps = steamAppID.map { [$0] } ?? []
                var exes: [String] = []
                var origins: [String] = []
                var used: String?
                var game: String?
                if let id = steamAppID {
                    guard id != 0 else { throw WardenError(.usage, "--steam-appid 0 is no game; give the number from the game's store page URL") }
                    origins.append("Steam AppId \(id)")
                    game = "steam:\(id)"
                }
                if let e = exe {
                    let full = e.hasPrefix("/") ? e : Paths.join(FileManager.default.currentDirectoryPath, e)
                    exes.append(ProfileTemplate.executablePattern(RealFileSystem().canonical(full) ?? full))
                    origins.append("program \(exes[0])")
                }
                if fromLast {
                    let last = try creation.lastLaunch()
                    game = last.game
                    used = last.profile
                    if last.game.hasPrefix("steam:"), let id = UInt64(last.game.dropFirst(6)) { if !apps.contains(id) { apps.append(id) } }
                    else if let e = LaunchContext.windowsProgramArgument(in: last.command) { exes.append(ProfileTemplate.executablePattern(e)) }
                    else if let first = last.command.first { exes.append(ProfileTemplate.executablePattern(first)) }
                    origins.append("the newest session: \(last.game)")
                }
                guard !origins.isEmpty else {
                    throw WardenError(.usage, "say which game the profile is for: --steam-appid ID, --exe PATH or --from-last")
                }
                let base = extends ?? ProfileTemplate.base(forGame: game, profileUsed: used, exe: exes.first)
                let template = ProfileTemplate(name: name, extends: base, steamAppIDs: apps, executables: exes, origin: origins.joined(separator: ", "))
                let path = try creation.write(template, force: force)
                print("wrote \(path) (extends \(base)); edit it, then `ww profile check \(path)`")
            } catch { exitWith(error) }
        }
    }
}
