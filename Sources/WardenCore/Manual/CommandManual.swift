import Foundation

/// `man 1 ww`, rendered from the command definitions as swift-argument-parser describes them
/// (`--experimental-dump-help`, ToolInfo version 0), so the page is exact and has no build date.
public enum CommandManual {
    /// The parts of a ToolInfo command the page uses.
    public struct Command: Decodable {
        public var commandName: String
        public var abstract: String?
        public var discussion: String?
        public var shouldDisplay: Bool?
        public var defaultSubcommand: String?
        public var subcommands: [Command]?
        public var arguments: [Argument]?
    }

    public struct Argument: Decodable {
        public struct Name: Decodable {
            public var kind: String
            public var name: String
        }

        public var kind: String
        public var names: [Name]?
        public var valueName: String?
        public var abstract: String?
        public var discussion: String?
        public var isOptional: Bool
        public var isRepeating: Bool
        public var shouldDisplay: Bool
        public var parsingStrategy: String?
        public var defaultValue: String?
    }

    struct ToolInfo: Decodable {
        var serializationVersion: Int
        var command: Command
    }

    public static func render(dumpHelp json: String, version: String) throws -> String {
        let info: ToolInfo
        do { info = try JSONDecoder().decode(ToolInfo.self, from: Data(json.utf8)) } catch {
            throw WardenError(.usage, "cannot read the command definitions (--experimental-dump-help): \(error)")
        }
        guard info.serializationVersion == 0 else {
            throw WardenError(.usage, "the command definitions come in ToolInfo version \(info.serializationVersion); this page renderer reads version 0")
        }
        return render(info.command, version: version)
    }

    static func render(_ root: Command, version: String) -> String {
        let name = root.commandName
        var page = RoffPage(name: name, section: 1, source: "WineWarden \(version)", manual: "WineWarden Manual")
        page.name(name, root.abstract ?? "")

        let commands = visible(root.subcommands ?? [])
        page.section("Synopsis")
        page.lineByLine(commands.flatMap { leaves($0, path: ["`\(name)`"], parentDefault: root.defaultSubcommand) })

        page.section("Description")
        for p in paragraphs(root.discussion) { page.paragraph(p) }

        page.section("Options")
        for a in visible(root.arguments ?? []) { page.item(tag(a), body(a)) }

        page.section("Commands")
        for c in commands { describe(c, path: [name], parentDefault: root.defaultSubcommand, into: &page) }

        page.section("Files")
        page.item("`~/.config/winewarden/config.toml`", ["Global settings; `\(name) init` writes one that lists every key with its default."])
        page.item("`~/.config/winewarden/profiles/NAME.toml`", ["Your profiles (`\(name) profile new NAME` writes one); they override shipped ones of the same name, which are also compiled into ww. See `ww-profile`(5)."])
        page.item("`~/.steam/root/compatibilitytools.d/winewarden-*/`", ["The compatibility tools `\(name) steam install-tool` writes, one per Proton; `\(name) steam remove-tool` removes them."])
        page.item("`~/.local/share/winewarden/`", ["Per-game virtual homes (`virtual/GAME-ID/home`) and copy-on-write layers (`cow/GAME-ID/`)."])
        page.item("`~/.local/state/winewarden/logs/`", ["The audit trail: one JSON-lines file per session."])
        page.item("`$XDG_RUNTIME_DIR/winewarden/SESSION/`", ["A running session's sockets (network proxy, DNS relay, filtered D-Bus); private to you, never visible inside a sandbox, removed at exit."])

        page.section("Environment")
        page.item("`WW_PROFILE_PATH`", ["More profile folders, colon-separated, searched after your own."])
        page.item("`XDG_CONFIG_HOME`, `XDG_DATA_HOME`, `XDG_STATE_HOME`", ["Move the folders above as the XDG base directory specification says."])
        page.item("`SteamAppId`, `STEAM_COMPAT_*`, `LUTRIS_GAME_UUID`, `GAME_NAME`, `GAME_DIRECTORY`, `HEROIC_APP_NAME`, `HEROIC_APP_SOURCE`, `GAMEID`, `STORE`, `WINEPREFIX`",
                  ["Set by the launcher: they name the game (its id, virtual home and records) and reach the game unchanged."])
        page.item("`DBUS_SESSION_BUS_ADDRESS`", ["The session bus xdg-dbus-proxy filters for `dbus = \"filtered\"`, and where desktop notifications go; the game never gets it."])

        page.section("Examples")
        page.paragraph("Steam: in the game's Properties, Launch Options:")
        page.verbatim(["ww -- %command%"])
        page.paragraph("Or once for every Steam game: put WineWarden in Steam's compatibility menu, restart Steam, and pick \"WineWarden (Proton 9.0)\" in a game's Properties, Compatibility (install scripts run sandboxed too):")
        page.verbatim(["ww steam install-tool"])
        page.paragraph("Lutris: the game's Configure, System options, Command prefix:")
        page.verbatim(["ww --"])
        page.paragraph("Heroic: the game's Settings, Advanced, Wrapper command `ww` with the argument:")
        page.verbatim(["--"])
        page.paragraph("Bottles: the program's Launch options, Command:")
        page.verbatim(["ww -- %command%"])
        page.paragraph("umu-run and plain Wine, from a terminal:")
        page.verbatim(["ww -- umu-run game.exe", "ww --profile offline -- wine game.exe"])
        page.paragraph("What a launch would do, without running it; what a game's copy-on-write layer changed:")
        page.verbatim(["ww plan -- wine game.exe", "ww cow status steam:1245620"])

        page.section("See also")
        page.lineByLine(["`ww-profile`(5), `bwrap`(1)"])
        return page.text
    }

    static func visible(_ commands: [Command]) -> [Command] { commands.filter { $0.shouldDisplay ?? true } }

    /// The automatic --help and --version of every command are documented once, under OPTIONS.
    static func visible(_ arguments: [Argument]) -> [Argument] { arguments.filter(\.shouldDisplay) }

    static func ownArguments(_ c: Command) -> [Argument] {
        visible(c.arguments ?? []).filter { a in !(a.names ?? []).contains { $0.name == "help" || $0.name == "version" } }
    }

    /// One synopsis line per command that runs something: `ww [run] [options] -- command...`.
    static func leaves(_ c: Command, path: [String], parentDefault: String?) -> [String] {
        let word = c.commandName == parentDefault ? "[`\(c.commandName)`]" : "`\(c.commandName)`"
        let subcommands = visible(c.subcommands ?? [])
        if !subcommands.isEmpty {
            return subcommands.flatMap { leaves($0, path: path + [word], parentDefault: c.defaultSubcommand) }
        }
        return [usage(c, words: path + [word])]
    }

    static func usage(_ c: Command, words: [String]) -> String {
        var parts = words
        let args = ownArguments(c)
        if args.contains(where: { $0.kind != "positional" }) { parts.append("[options]") }
        for a in args where a.kind == "positional" {
            var text = "<\(a.valueName ?? "value")>" + (a.isRepeating ? "..." : "")
            if a.parsingStrategy == "postTerminator" { text = "`--` " + text }
            parts.append(a.isOptional && a.parsingStrategy != "postTerminator" ? "[\(text)]" : text)
        }
        return parts.joined(separator: " ")
    }

    static func describe(_ c: Command, path: [String], parentDefault: String?, into page: inout RoffPage) {
        let subcommands = visible(c.subcommands ?? [])
        let title = (path + [c.commandName]).joined(separator: " ") + (c.commandName == parentDefault ? " (the default command)" : "")
        page.subsection(title)
        page.paragraph(c.abstract ?? "")
        for p in paragraphs(c.discussion) { page.paragraph(p) }
        for a in ownArguments(c) { page.item(tag(a), body(a)) }
        for s in subcommands { describe(s, path: path + [c.commandName], parentDefault: c.defaultSubcommand, into: &page) }
    }

    static func tag(_ a: Argument) -> String {
        let value = "<\(a.valueName ?? "value")>"
        if a.kind == "positional" { return value + (a.isRepeating ? "..." : "") }
        let names = (a.names ?? []).map { "`\($0.kind == "short" ? "-" : "--")\($0.name)`" }.joined(separator: ", ")
        return a.kind == "option" ? "\(names) \(value)" : names
    }

    static func body(_ a: Argument) -> [String] {
        var text = a.abstract ?? ""
        if let d = a.discussion, !d.isEmpty { text += " " + d }
        if let v = a.defaultValue, !v.isEmpty, a.kind == "option" { text += " Default: `\(v)`." }
        return [text]
    }

    /// Discussion text: paragraphs at blank lines, lines within one joined.
    static func paragraphs(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.components(separatedBy: "\n\n").map {
            $0.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        }.filter { !$0.isEmpty }
    }
}
