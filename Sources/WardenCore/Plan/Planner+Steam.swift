// The Steam client for `steam_client = true`: its folder read-only, userdata reduced to this game's,
// and in a virtual home a ~/.steam of links only.

extension Planner {
    /// STEAM_COMPAT_CLIENT_INSTALL_PATH, else where ~/.steam/root or ~/.steam/steam leads, else ~/.local/share/Steam.
    func steamClientFolder() -> String? {
        var candidates: [String] = []
        if let p = context.env("STEAM_COMPAT_CLIENT_INSTALL_PATH"), p.hasPrefix("/") { candidates.append(p) }
        candidates += [".steam/root", ".steam/steam", ".local/share/Steam"].map { Paths.join(home, $0) }
        for c in candidates {
            if let real = fs.canonical(c), fs.kind(real) == .directory { return real }
        }
        return nil
    }

    /// `steam_client = true`: the Steam client folder read-only (Proton, the runtime and steamclient.so
    /// live there), its login files hidden with the other secrets, `userdata` reduced to this game's
    /// folders, and in a virtual home a `~/.steam` of links only (no steam.pipe, steam.pid, registry.vdf).
    func addSteamClient(_ b: inout Builder) {
        guard profile.steamClient.value else { return }
        let origin = profile.steamClient.origin
        guard let client = steamClientFolder() else {
            b.notes.append("steam_client = true (\(origin)) but no Steam client folder was found (STEAM_COMPAT_CLIENT_INSTALL_PATH is not set and there is no ~/.steam/root): nothing shown")
            return
        }
        let dotSteam = Paths.join(home, ".steam")
        let virtualHome = profile.home.value == .virtual
        if virtualHome {
            b.add(.tmpfs, dotSteam, permissions: "0755", reason: "~/.steam rebuilt with links to the Steam client only (steam_client, \(origin))")
        }
        b.add(.readOnlyBind, source: client, client, reason: "Steam client, read-only (steam_client, \(origin)); its login files are hidden")
        let userdata = Paths.join(client, "userdata")
        if fs.kind(userdata) == .directory {
            b.add(.tmpfs, userdata, permissions: "0755", reason: "Steam userdata of the account and of other games hidden")
            if let app = identity.steamAppID {
                for account in fs.list(userdata).sorted() {
                    let own = Paths.join(userdata, "\(account)/\(app)")
                    if fs.kind(own) == .directory { b.add(.bind, source: own, own, reason: "this game's Steam userdata (Steam Cloud saves)") }
                }
            }
        }
        guard virtualHome else { return }
        for name in ["root", "steam"] where Paths.join(dotSteam, name) != client {
            b.add(.symlink, source: client, Paths.join(dotSteam, name), reason: "~/.steam/\(name): the Steam client")
        }
        for (name, folder) in [("sdk32", "linux32"), ("sdk64", "linux64")] {
            let link = Paths.join(dotSteam, name)
            let target = (fs.kind(link) == .symlink ? fs.symlinkTarget(link) : nil) ?? Paths.join(client, folder)
            b.add(.symlink, source: target, link, reason: "~/.steam/\(name): steamclient.so for Proton's lsteamclient")
        }
    }
}
