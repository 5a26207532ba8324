import Foundation

/// The commented profile `ww profile new` writes: it extends the shipped profile that fits the game
/// and fills `[match]` so it is chosen by itself.
public struct ProfileTemplate: Equatable, Sendable {
    public var name: String
    public var extends: String
    public var steamAppIDs: [UInt64]
    public var executables: [String]
    /// Where the match keys came from, said in the file's first lines.
    public var origin: String

    public init(name: String, extends: String, steamAppIDs: [UInt64] = [], executables: [String] = [], origin: String) {
        self.name = name
        self.extends = extends
        self.steamAppIDs = steamAppIDs
        self.executables = executables
        self.origin = origin
    }

    /// A profile name: letters, digits, `.`, `_`, `-`, as a file name in the profile folder.
    public static func checkName(_ name: String, shipped: [String]) throws {
        guard !name.isEmpty, name.count <= 64, !name.hasPrefix("."), !name.hasPrefix("-"),
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw WardenError(.usage, "'\(name)' is not a profile name; use letters, digits, '.', '_' and '-', e.g. `ww profile new elden-ring`")
        }
        if shipped.contains(name) {
            throw WardenError(.usage, "'\(name)' is a shipped profile's name, and a profile cannot extend itself; pick another name (a profile of that name in your folder replaces the shipped one entirely)")
        }
    }

    /// The shipped profile for a game: Steam games run through Proton, Windows programs through Wine.
    public static func base(forGame gameID: String?, profileUsed: String?, exe: String?) -> String {
        if let used = profileUsed, ["steam-proton", "steam-native", "wine", "offline"].contains(used) { return used }
        if gameID?.hasPrefix("steam:") == true { return "steam-proton" }
        let wineLaunchers = ["wine:", "bottles:", "lutris:", "heroic:", "umu:"]
        if exe != nil || wineLaunchers.contains(where: { gameID?.hasPrefix($0) == true }) { return "wine" }
        return "default"
    }

    /// A `[match] executables` entry for a program: its full path, or its file name when the path holds glob characters.
    public static func executablePattern(_ path: String) -> String {
        let special = path.contains { "*?[]{}\\".contains($0) }
        return path.hasPrefix("/") && !special ? Paths.normalize(path) : Paths.basename(path)
    }

    static func list<T>(_ items: [T], _ show: (T) -> String) -> String { "[" + items.map(show).joined(separator: ", ") + "]" }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    public var text: String {
        let appLine = steamAppIDs.isEmpty ? "# steam_app_ids = [1245620]" : "steam_app_ids = \(Self.list(steamAppIDs) { "\($0)" })"
        let exeLine = executables.isEmpty ? "# executables = [\"*/Game.exe\"]        # a pattern without / matches the file name" : "executables = \(Self.list(executables, Self.quoted))"
        return """
            # \(name): written by `ww profile new` (\(origin)).
            # It extends the shipped profile "\(extends)": everything that allows, plus what you write here.
            # Lists add to what is inherited; "-entry" removes an inherited entry. `ww profile show \(name)`
            # prints the merged result and where each value comes from; `man ww-profile` lists every key.
            # After editing: `ww profile check` on this file.
            description = \(Self.quoted("\(name) (from \(extends))"))
            extends = \(Self.quoted(extends))

            [match]
            # Which games get this profile by themselves (never inherited).
            \(appLine)
            \(exeLine)

            [filesystem]
            # read_only = ["~/Music/soundtrack"]
            # read_write = [{ path = "~/Games/saves", create = true }]
            # hidden = ["~/Documents"]

            [network]
            # mode = "proxy"                       # off | proxy | observe | full
            # allow_domains = ["*.example.com"]    # what proxy lets through

            """
    }
}
