/// `man 5 ww-profile`, rendered from `ProfileKeys` (`ww manual ww-profile.5`, `make man`).
public enum ProfileManual {
    public static func render(version: String) -> String {
        var page = RoffPage(name: "ww-profile", section: 5, source: "WineWarden \(version)", manual: "WineWarden Manual")
        page.name("ww-profile", "WineWarden profiles: what a sandboxed game may see and do")

        page.section("Synopsis")
        page.lineByLine([
            "`$XDG_CONFIG_HOME/winewarden/profiles/NAME.toml` (default `~/.config/winewarden/profiles/`)",
            "each folder of `$WW_PROFILE_PATH` (colon-separated)",
            "`/etc/winewarden/profiles/NAME.toml`",
            "`PREFIX/share/winewarden/profiles/NAME.toml` (next to the installed `ww`), `/usr/share/winewarden/profiles/NAME.toml`",
        ])

        page.section("Description")
        page.paragraph("A profile is a TOML file that says what a game run by `ww` may see and do. The folders above are searched in that "
            + "order; a profile earlier on the path hides one of the same name later (your own `default.toml` replaces the shipped one). "
            + "The shipped profiles are also compiled into ww, searched after every folder, so the binary alone works. "
            + "`ww profile list` shows what is found (a file, or built in), `ww profile show NAME` the merged values and the file and line each comes from.")
        page.paragraph("The profile for a launch is the one given with `--profile`, else the one whose [match] section names the game "
            + "(see [match] below; where two match, one that extends the other wins, and two unrelated ones are an error), "
            + "else the profile named `default`. `ww profile new NAME --steam-appid ID` (or `--exe PATH`, or `--from-last`) writes a "
            + "commented profile with [match] filled that extends the shipped profile fitting the game.")
        page.paragraph("Every file is checked before anything starts: an unknown section or key (with a suggestion), a wrong type, "
            + "an unknown value or an unsafe path is an error naming the file and line, and ww exits with status 125. A profile error "
            + "never results in a weaker sandbox. `ww profile check FILE...` runs the same checks.")

        page.subsection("Inheritance")
        page.paragraph("`extends` names the profiles a profile builds on. Merging starts from the built-in defaults (the Default of each "
            + "key below), then the global config's [network] `mode` and [process] keys (`~/.config/winewarden/config.toml`, see `ww init`), "
            + "then each file of the chain, base first, then the command-line options.")
        page.paragraph("A single value (true or false, a number, a string) set by a later file wins. A list adds its entries to the "
            + "inherited ones; an entry written with a leading `-`, such as `\"-${WINEPREFIX}\"` or `\"-@clock\"`, removes the inherited "
            + "entry instead, and is an error when there is none to remove. There is no form that replaces a whole list. "
            + "[environment] `set` merges by variable name. [match] and `description` are never inherited.")

        page.subsection("Paths")
        page.paragraph("Paths in [filesystem] and [devices] must be absolute: start them with `/`, `~` or a variable. `..` is refused, "
            + "and so are `**` and wildcards anywhere but in the last component (and there only in `hidden`). Allow rules may not "
            + "name `/`, `/etc`, `/usr`, `/home`, your home itself or a folder that contains it, nor a sensitive path; no path is "
            + "found by walking a folder tree at launch.")
        page.paragraph("Variables are written `$NAME` or `${NAME}`. An entry whose variable is not set for a launch is skipped "
            + "(`ww run --verbose` says so); a variable not in this list is an error:")
        for v in ProfileKeys.variables {
            page.item("`\(v.name)`", [v.meaning + "."])
        }

        page.section("Keys")
        page.paragraph("For each key: the values it takes, the Default a profile gets when no file of its chain sets the key, what it does, "
            + "and an example line.")
        for s in [ProfileKeys.topLevel] + ProfileKeys.sections {
            page.subsection(s.name.isEmpty ? "Top level" : "[\(s.name)]")
            page.paragraph(s.summary)
            for key in s.keys {
                page.item("`\(key.name)`", [
                    key.summary,
                    "Type: \(key.type).",
                    "Default: \(key.defaultText).",
                    "Example: `\(key.example)`",
                ])
            }
        }

        page.section("Example")
        page.paragraph("A profile for one Steam game that keeps the shipped wine profile's rules, adds its own saves folder, and "
            + "may reach only its publisher's servers:")
        page.verbatim(example)

        page.section("Files")
        page.item("`~/.config/winewarden/config.toml`", ["The global config; `ww init` writes one with every key and its default."])
        page.item("`~/.local/share/winewarden/virtual/GAME-ID/home`", ["The virtual home of a game (`home = \"virtual\"`)."])

        page.section("See also")
        page.lineByLine(["`ww`(1), `bwrap`(1)"])
        return page.text
    }

    /// A complete profile; the unit tests load it, so it stays valid.
    public static let example: [String] = [
        "description = \"My game: its saves folder, and its publisher's servers only\"",
        "extends = \"wine\"",
        "",
        "[match]",
        "steam_app_ids = [1245620]",
        "",
        "[filesystem]",
        "read_write = [{ path = \"~/Games/my-game-saves\", create = true }]",
        "hidden = [\"~/Documents\"]",
        "",
        "[network]",
        "mode = \"proxy\"",
        "allow_domains = [\"*.publisher.example\", \"publisher.example\"]",
        "",
        "[process]",
        "blocked_patterns = [\"*powershell*\"]",
    ]
}
