import ArgumentParser
import Foundation
import WardenApp
import WardenCore
import WardenLinux

struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "List, show, check and create profiles.",
        subcommands: [List.self, Show.self, Check.self, New.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the profiles on the search path.")

        @Flag(help: "Print only the names, one a line (what shell completion offers).")
        var names = false

        func run() throws {
            do {
                let prep = LaunchPreparation(command: [], profileArgument: nil, overrides: .init())
                let catalog = try prep.catalog()
                if names {
                    for s in catalog.sources { print(s.name) }
                    return
                }
                for s in catalog.sources {
                    let description = (try? ProfileParser.parse(name: s.name, path: s.path, text: s.text))?.description ?? "(does not load: run `ww profile check \(s.path)`)"
                    let origin = s.isBuiltIn ? "built in" : s.path
                    print("\(s.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(origin)\n\(String(repeating: " ", count: 17))\(description)")
                }
                for s in catalog.shadowed {
                    let winner = catalog.source(named: s.name)
                    // An installed copy of a shipped profile is no news.
                    if s.isBuiltIn, winner?.text == s.text { continue }
                    print("(\(s.isBuiltIn ? "the built-in \(s.name)" : s.path) is overridden by \(winner?.path ?? "a profile of the same name earlier on the search path"))")
                }
            } catch { exitWith(error) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a profile merged with what it extends, and where each value comes from.")

        @Argument(help: "Profile name or path.", completion: ProfileNameCompletion.kind)
        var name: String

        func run() throws {
            do {
                let prep = LaunchPreparation(command: [], profileArgument: nil, overrides: .init())
                let resolver = ProfileResolver(catalog: try prep.catalog(), globalLayer: try prep.globalConfig().layer)
                let profile: Profile
                if name.contains("/") || name.hasSuffix(".toml") {
                    profile = try resolver.load(try ProfileSearchPath.read(path: name))
                } else {
                    profile = try resolver.load(named: name)
                }
                print(ProfileReport.show(profile), terminator: "")
            } catch { exitWith(error) }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate profile files; prints FILE: ok or each problem as file:line. Exit 125 when any has a problem.")

        @Argument(help: "Profile files.", completion: .file(extensions: ["toml"]))
        var files: [String]

        func run() throws {
            let prep = LaunchPreparation(command: [], profileArgument: nil, overrides: .init())
            var failed = false
            let catalog: ProfileCatalog
            do { catalog = try prep.catalog() } catch { exitWith(error) }
            for file in files {
                do {
                    let source = try ProfileSearchPath.read(path: file)
                    // The file under check stands in for a catalog profile of the same name.
                    let resolver = ProfileResolver(catalog: ProfileCatalog(searchOrder: [source] + catalog.sources))
                    let profile = try resolver.load(source)
                    let problems = ProfileReport.check(profile, home: prep.user().home)
                    if problems.isEmpty { print("\(file): ok") } else {
                        failed = true
                        for p in problems { FileHandle.standardError.write("\(p)\n".data(using: .utf8)!) }
                    }
                } catch let e as WardenError {
                    failed = true
                    FileHandle.standardError.write("\(e.message)\n".data(using: .utf8)!)
                } catch {
                    failed = true
                    FileHandle.standardError.write("\(file): \(error)\n".data(using: .utf8)!)
                }
            }
            if failed { throw ExitCode(125) }
        }
    }
}
