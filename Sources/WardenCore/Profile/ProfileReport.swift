/// `ww profile show` and `ww profile check`: the merged values with where each came from, and
/// the checks that need expanded paths.
public enum ProfileReport {
    public static func show(_ p: Profile) -> String {
        var out: [String] = []
        out.append("profile \(p.name)\(p.description.map { " — \($0)" } ?? "")")
        out.append("merged from: \(p.chain.joined(separator: " → "))")
        if !p.match.isEmpty {
            out.append("[match]")
            if !p.match.steamAppIDs.isEmpty { out.append("  steam_app_ids = \(p.match.steamAppIDs.map(String.init).joined(separator: ", "))") }
            if !p.match.executables.isEmpty { out.append("  executables = \(p.match.executables.joined(separator: ", "))") }
            if !p.match.prefixes.isEmpty { out.append("  prefixes = \(p.match.prefixes.joined(separator: ", "))") }
        }
        func line(_ key: String, _ value: String, _ origin: SourceLocation) { out.append("  \(key) = \(value)".padding(44) + "  # \(origin)") }
        func list(_ key: String, _ rules: [PathRule]) {
            if rules.isEmpty { out.append("  \(key) = []"); return }
            out.append("  \(key) =")
            for r in rules { out.append("    \(r.text)\(r.create ? " (create)" : "")".padding(44) + "  # \(r.origin)") }
        }
        out.append("[filesystem]")
        line("home", p.home.value.rawValue, p.home.origin)
        list("read_only", p.readOnly)
        list("read_write", p.readWrite)
        list("hidden", p.hidden)
        list("copy_on_write", p.copyOnWrite)
        line("steam_client", String(p.steamClient.value), p.steamClient.origin)
        line("decoys", String(p.decoys.value), p.decoys.origin)
        out.append("  (always hidden besides: \(SensitivePaths.alwaysHidden.count) credential/browser/wallet paths; never writable: \(SensitivePaths.persistenceFiles.count + SensitivePaths.persistenceDirectories.count) autostart/shell paths)")
        out.append("[devices]")
        line("gpu", String(p.gpu.value), p.gpu.origin)
        line("gamepads", String(p.gamepads.value), p.gamepads.origin)
        line("sound", String(p.sound.value), p.sound.origin)
        line("ntsync", String(p.ntsync.value), p.ntsync.origin)
        list("extra", p.extraDevices)
        out.append("[desktop]")
        line("x11", String(p.x11.value), p.x11.origin)
        line("wayland", String(p.wayland.value), p.wayland.origin)
        line("pulseaudio", String(p.pulseaudio.value), p.pulseaudio.origin)
        line("pipewire", String(p.pipewire.value), p.pipewire.origin)
        line("discord_ipc", String(p.discordIPC.value), p.discordIPC.origin)
        line("dbus", p.dbus.value.rawValue, p.dbus.origin)
        for (key, names) in [("dbus_talk", p.dbusTalk), ("dbus_call", p.dbusCall)] {
            if names.isEmpty { out.append("  \(key) = []"); continue }
            out.append("  \(key) =")
            for n in names { out.append("    \(n.value)".padding(44) + "  # \(n.origin)") }
        }
        out.append("[namespaces]")
        line("pid", p.pid.value.rawValue, p.pid.origin)
        line("ipc", p.ipc.value.rawValue, p.ipc.origin)
        line("nested_sandbox", String(p.nestedSandbox.value), p.nestedSandbox.origin)
        out.append("[network]")
        line("mode", p.network.value.rawValue, p.network.origin)
        out.append("[wine]")
        line("keep_autostart", String(p.keepAutostart.value), p.keepAutostart.origin)
        if !p.environmentSet.isEmpty || !p.environmentUnset.isEmpty {
            out.append("[environment]")
            for k in p.environmentSet.keys.sorted() { line("set.\(k)", "\"\(p.environmentSet[k]!.value)\"", p.environmentSet[k]!.origin) }
            for u in p.environmentUnset { line("unset", u.value, u.origin) }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Path checks that need expansion, done with a representative launch (GAME_DIR and friends
    /// stand in as folders below /games so only what the user wrote is judged).
    public static func check(_ p: Profile, home: String) -> [String] {
        var vars: [String: String] = ["HOME": home, "USER": "user", "UID": "1000", "GAME_ID": "example"]
        for v in PathPolicy.knownVariables where vars[v] == nil { vars[v] = "/games/example/\(v.lowercased())" }
        var problems: [String] = []
        func judge(_ rules: [PathRule], _ use: PathPolicy.Use) {
            for r in rules {
                guard case .path(let path) = PathPolicy.expand(r.text, variables: vars) else { continue }
                if let problem = PathPolicy.expandedProblems(path, use: use, home: home).first {
                    problems.append("\(r.origin): \(r.text) \(problem.sentence)")
                } else if use == .readWrite, (SensitivePaths.persistenceFiles + SensitivePaths.persistenceDirectories).contains(where: { Paths.isWithin(path, Paths.join(home, $0)) }) {
                    problems.append("\(r.origin): \(r.text) is a place malware uses to start again outside the sandbox; it is never writable")
                }
            }
        }
        judge(p.readOnly, .readOnly)
        judge(p.readWrite, .readWrite)
        judge(p.copyOnWrite, .readWrite)
        judge(p.extraDevices, .device)
        return problems
    }
}
