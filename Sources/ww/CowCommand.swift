import ArgumentParser
import Foundation
import WardenApp
import WardenCore
import WardenLinux

struct CowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cow",
        abstract: "What the copy-on-write layers of a game changed, and discarding those changes.",
        subcommands: [Status.self, Reset.self])

    static func dataDirectory() -> String {
        let prep = LaunchPreparation(command: [], profileArgument: nil, overrides: .init())
        return prep.directories().data
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the changes in a game's copy-on-write layers (A added, M modified, D deleted, R folder replaced); without GAME, the games that have layers.")

        @Argument(help: "Game id, as ww prints it (steam:1245620, lutris:diablo-ii, …).")
        var game: String?

        @Flag(help: "One JSON object per change.")
        var json = false

        func run() throws {
            let data = CowCommand.dataDirectory()
            guard let game else {
                let games = CopyOnWrite.games(data: data)
                if games.isEmpty { print("no copy-on-write layers in \(Paths.join(data, "cow"))") }
                for g in games { print(g) }
                return
            }
            let layers = CopyOnWrite.layers(data: data, game: game)
            if layers.isEmpty && !json {
                print("\(game) has no copy-on-write layer (`ww cow status` lists the games that have one)")
                return
            }
            for layer in layers {
                if json {
                    for c in layer.changes {
                        let obj: [String: String] = ["game": game, "folder": layer.original, "change": c.kind.rawValue, "path": c.path]
                        let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes])
                        print(String(decoding: data, as: UTF8.self))
                    }
                    continue
                }
                print("\(layer.original): \(layer.changes.count) change\(layer.changes.count == 1 ? "" : "s"), \(layer.bytes) bytes in \(Paths.join(layer.directory, "upper"))")
                for c in layer.changes { print("  \(c.kind.rawValue) \(c.path)") }
            }
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Discard a game's copy-on-write changes: the next run sees its folders as they are on disk.")

        @Argument(help: "Game id, as ww prints it.")
        var game: String

        func run() throws {
            do {
                let n = try CopyOnWrite.reset(data: CowCommand.dataDirectory(), game: game)
                print(n == 0 ? "\(game) had no copy-on-write changes" : "discarded the copy-on-write changes of \(game) (\(n) folder\(n == 1 ? "" : "s"))")
            } catch { exitWith(error) }
        }
    }
}
