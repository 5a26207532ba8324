// `ww manual PAGE` (hidden): prints a manual page generated from the code, for `make man`.

import ArgumentParser
import WardenCore

struct ManualCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manual",
        abstract: "Print a manual page generated from the code (make man writes them to man/).",
        shouldDisplay: false)

    static let pages = ["ww.1", "ww-profile.5"]

    @Argument(help: ArgumentHelp("The page.", valueName: pages.joined(separator: "|")))
    var page: String

    func validate() throws {
        guard Self.pages.contains(page) else {
            throw ValidationError("no manual page \(page); the pages are \(Self.pages.joined(separator: ", "))")
        }
    }

    func run() throws {
        do {
            switch page {
            case "ww.1": print(try CommandManual.render(dumpHelp: WW._dumpHelp(), version: WardenVersion.string), terminator: "")
            default: print(ProfileManual.render(version: WardenVersion.string), terminator: "")
            }
        } catch { exitWith(error) }
    }
}
