/// Which game is starting, as a stable id that names its virtual home and its records.
public struct GameIdentity: Codable, Equatable, Sendable {
    public enum Source: String, Codable, Sendable {
        case steamLaunch = "steam-launch-argv"   // AppId=N in `reaper SteamLaunch … --`
        case steamEnvironment = "steam-env"      // SteamAppId / STEAM_COMPAT_APP_ID
        case steamShortcut = "steam-shortcut"    // SteamGameId >> 32
        case lutris, heroic, umu
        case bottles                             // WINEPREFIX = …/bottles/<bottle>
        case winePrefix = "wine-prefix"          // WINEPREFIX + the .exe in argv
        case executable                          // the command's canonical path
        case named                               // `ww --game NAME`
    }

    public var id: String
    public var displayName: String
    public var source: Source
    public var steamAppID: UInt64?
    /// The game's folder (`${GAME_DIR}`), before any safety check.
    public var gameDirectory: String?
    /// Why identification went the way it did (shown with --verbose).
    public var notes: [String]

    public init(id: String, displayName: String, source: Source, steamAppID: UInt64?, gameDirectory: String?, notes: [String]) {
        self.id = id
        self.displayName = displayName
        self.source = source
        self.steamAppID = steamAppID
        self.gameDirectory = gameDirectory
        self.notes = notes
    }

    /// Identify the game, in SPEC §8 order.
    public static func resolve(_ ctx: LaunchContext) -> GameIdentity {
        var notes: [String] = []
        let (gameDir, folderNote) = gameFolder(ctx)
        if let folderNote { notes.append(folderNote) }
        func make(_ id: String, _ name: String, _ source: Source, app: UInt64? = nil) -> GameIdentity {
            GameIdentity(id: id, displayName: name, source: source, steamAppID: app, gameDirectory: gameDir, notes: notes)
        }

        // Named on the command line: one game (one virtual home, one prefix, one trust) for its installer,
        // its launcher and its program alike.
        if let name = ctx.gameName, let s = slug(name) {
            return make("game:\(s)", name, .named)
        }
        switch SteamLaunchLine.parse(ctx.command) {
        case .appID(let app):
            return make("steam:\(app)", "Steam app \(app)", .steamLaunch, app: app)
        case .unparsable(let why):
            notes.append("Steam command line not understood (\(why)); treating it as a plain command")
        case .notSteam:
            break
        }
        for name in ["SteamAppId", "STEAM_COMPAT_APP_ID"] {
            if let v = ctx.env(name), let app = UInt64(v), app != 0 {
                return make("steam:\(app)", "Steam app \(app)", .steamEnvironment, app: app)
            }
        }
        if let v = ctx.env("SteamGameId"), let gid = UInt64(v), gid >> 32 != 0 {
            let shortcut = gid >> 32
            if SteamLaunchLine.isCompatToolChain(ctx.command) {
                // Under a compatibility tool ww does not see reaper's `AppId=N`, which for a shortcut is this
                // number (inference from Steam's SteamGameId layout): the same id as under `ww -- %command%`.
                return make("steam:\(shortcut)", "Steam app \(shortcut)", .steamEnvironment, app: shortcut)
            }
            return make("steam-shortcut:\(shortcut)", "Steam shortcut \(shortcut)", .steamShortcut)
        }
        if ctx.env("LUTRIS_GAME_UUID") != nil, let name = ctx.env("GAME_NAME"), let slug = slug(name) {
            return make("lutris:\(slug)", name, .lutris)
        }
        if let app = ctx.env("HEROIC_APP_NAME"), let slugApp = slug(app) {
            let store = ctx.env("HEROIC_APP_SOURCE").flatMap(slug) ?? "unknown"
            return make("heroic:\(store):\(slugApp)", app, .heroic)
        }
        if let gameID = ctx.env("GAMEID"), !["umu-0", "0", "none"].contains(gameID.lowercased()), let slugID = slug(gameID) {
            let store = ctx.env("STORE").flatMap(slug) ?? "none"
            return make("umu:\(store):\(slugID)", gameID, .umu)
        }
        if let prefix = ctx.env("WINEPREFIX"), let bottle = bottleName(prefix).flatMap(slug) {
            // One bottle may hold several programs: each gets its own id (and virtual home).
            let program = ctx.windowsExecutable.flatMap { slug(Paths.basename($0)) }
            return make("bottles:\(bottle)\(program.map { ":\($0)" } ?? "")", bottleName(prefix) ?? bottle, .bottles)
        }
        if let prefix = ctx.env("WINEPREFIX"), let exe = ctx.windowsExecutable {
            return make("wine:\(StableHash.hex(Paths.normalize(prefix) + "\n" + exe))", Paths.basename(exe), .winePrefix)
        }
        let path = ctx.windowsExecutable ?? ctx.resolvedCommand ?? ctx.command.first ?? "unknown"
        return make("exe:\(StableHash.hex(path))", Paths.basename(path), .executable)
    }


    /// The game's folder, and a note when there is none for a reason the player should hear. A command
    /// found on PATH (`ww -- paplay tone.wav`) is a program of the system: its game is the folder it was
    /// started from, unless that is `/`, your home (or above it), or a folder holding a hidden path.
    static func gameFolder(_ ctx: LaunchContext) -> (folder: String?, note: String?) {
        if let p = ctx.env("STEAM_COMPAT_INSTALL_PATH"), p.hasPrefix("/") { return (Paths.normalize(p), nil) }
        if let p = ctx.env("GAME_DIRECTORY"), p.hasPrefix("/") { return (Paths.normalize(p), nil) }
        if let exe = ctx.windowsExecutable { return (Paths.dirname(exe), nil) }
        guard let cmd = ctx.resolvedCommand else { return (nil, nil) }
        guard let typed = ctx.command.first, !typed.contains("/") else { return (Paths.dirname(cmd), nil) }
        let cwd = Paths.normalize(ctx.workingDirectory)
        let home = Paths.normalize(ctx.user.home)
        if cwd == "/" || Paths.isWithin(home, cwd) {
            return (nil, "\(typed) was found on PATH and started from \(cwd == "/" ? "/" : cwd == home ? "your home" : cwd), which is never a game's folder: the game has no folder of its own (start it from the game's folder to give it one)")
        }
        if let hidden = SensitivePaths.alwaysHidden.map({ Paths.join(home, $0) }).first(where: { !Glob.hasWildcards($0) && Paths.isWithin($0, cwd) }) {
            return (nil, "\(typed) was started from \(cwd), which holds \(hidden): the game has no folder of its own")
        }
        return (cwd, nil)
    }

    /// Bottles keeps each bottle at `…/bottles/bottles/<name>` (native: ~/.local/share/bottles, Flatpak:
    /// ~/.var/app/com.usebottles.bottles/data/bottles).
    static func bottleName(_ prefix: String) -> String? {
        let parts = Paths.normalize(prefix).split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[parts.count - 2] == "bottles", parts[parts.count - 3] == "bottles" else { return nil }
        return parts.last
    }

    /// Lower-case letters, digits, `.`, `_` and `-`; nil when nothing usable is left.
    public static func slug(_ text: String) -> String? {
        var out = ""
        var lastDash = false
        for ch in text.lowercased() {
            if ch.isASCII, ch.isLetter || ch.isNumber || ch == "." || ch == "_" {
                out.append(ch); lastDash = false
            } else if !lastDash, !out.isEmpty {
                out.append("-"); lastDash = true
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        if out.count > 64 { out = String(out.prefix(64)) }
        return out.isEmpty || out.allSatisfy({ $0 == "." }) ? nil : out
    }
}

/// Steam's `%command%`: `…/reaper SteamLaunch AppId=N -- …`.
public enum SteamLaunchLine: Equatable {
    case notSteam
    case appID(UInt64)
    case unparsable(String)

    public static func parse(_ argv: [String]) -> SteamLaunchLine {
        guard let first = argv.first else { return .notSteam }
        let isReaper = Paths.basename(first) == "reaper"
        let head = argv.prefix { $0 != "--" }
        guard isReaper || head.contains("SteamLaunch") else { return .notSteam }
        guard head.contains("SteamLaunch") else { return .unparsable("reaper without SteamLaunch") }
        guard let arg = head.first(where: { $0.hasPrefix("AppId=") }) else { return .unparsable("no AppId=N before --") }
        guard let app = UInt64(arg.dropFirst("AppId=".count)), app != 0 else {
            return .unparsable("\(arg) is not a Steam app id")
        }
        guard head.count < argv.count else { return .unparsable("no -- after SteamLaunch") }
        return .appID(app)
    }

    /// Whether the chain after `--` runs Proton (a program named `proton` in it).
    public static func runsProton(_ argv: [String]) -> Bool {
        argv.drop { $0 != "--" }.contains { Paths.basename($0) == "proton" }
    }

    /// The chain a compatibility tool hands ww (`ww steam install-tool`'s launcher): Steam's chain below
    /// reaper, starting with the runtime's entry point or with Proton itself.
    public static func isCompatToolChain(_ argv: [String]) -> Bool {
        guard let first = argv.first else { return false }
        return ["_v2-entry-point", "scout-on-soldier-entry-point-v2", "proton"].contains(Paths.basename(first))
    }
}
