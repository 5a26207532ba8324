/// `dbus = "filtered"`: which session-bus names the game may call through xdg-dbus-proxy, checked
/// when the profile loads, and the proxy's arguments.
public enum DBusPolicy {
    /// Never reachable, whatever a profile lists: unlocked keyrings (Secret Service, KWallet), new
    /// processes and units on the host (systemd, Flatpak's spawn, terminals, shell eval), settings that
    /// run commands (dconf), and the portals' back-ends that skip the portal's checks.
    public static let forbidden: [String] = [
        "org.freedesktop.secrets", "org.gnome.keyring", "org.kde.kwalletd5", "org.kde.kwalletd6",
        "org.freedesktop.systemd1", "org.freedesktop.Flatpak", "org.freedesktop.portal.Flatpak",
        "org.freedesktop.impl.portal", "ca.desrt.dconf", "org.gnome.Shell", "org.kde.KWin", "org.kde.plasmashell",
        "org.gnome.Terminal", "org.kde.konsole", "org.freedesktop.DBus",
    ]

    /// `org.example.Name` or `org.example.*`; nil when fine, else why not.
    public static func nameProblem(_ text: String) -> String? {
        var name = Substring(text)
        let wildcard = name.hasSuffix(".*")
        if wildcard { name = name.dropLast(2) }
        let elements = name.split(separator: ".", omittingEmptySubsequences: false)
        let wellFormed = name.utf8.count <= 255 && (elements.count >= 2 || wildcard && elements.count >= 1) && elements.allSatisfy { e in
            guard let first = e.first, !first.isNumber else { return false }
            return e.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        }
        guard wellFormed else { return "is not a D-Bus name (write org.example.Name, or org.example.* for a name and those below it)" }
        let covered = forbidden.filter { f in
            wildcard ? (f == String(name) || f.hasPrefix(String(name) + ".")) : (f == String(name) || String(name).hasPrefix(f + "."))
        }
        if let f = covered.first {
            return "would reach \(f), which ww never lets a game call (keyrings, host processes, settings that run commands)"
        }
        return nil
    }

    /// `NAME=RULE` with RULE `[METHOD][@PATH]` as xdg-dbus-proxy's --call takes it.
    public static func callProblem(_ text: String) -> String? {
        guard let eq = text.firstIndex(of: "=") else { return "must be NAME=RULE, such as org.freedesktop.portal.Desktop=org.freedesktop.portal.Settings.*@/org/freedesktop/portal/desktop" }
        if let p = nameProblem(String(text[..<eq])) { return p }
        let rule = text[text.index(after: eq)...]
        let parts = rule.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let method = parts.first.map(String.init) ?? ""
        if rule.isEmpty || (!method.isEmpty && method != "*" && nameProblem(method) != nil && !method.hasSuffix(".*")) {
            return "has a rule that is not METHOD@PATH (METHOD: *, an interface, interface.* or interface.Method; PATH: /object/path, optionally ending in /*)"
        }
        if parts.count == 2 {
            let path = parts[1]
            guard path.hasPrefix("/"), !path.contains("//"), path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_/*".contains($0)) }) else {
                return "has an object path that is not /like/this (optionally ending in /*)"
            }
        }
        return nil
    }

    /// xdg-dbus-proxy's arguments after ADDRESS PATH: filtering on, one --talk per name, one --call per
    /// rule, and the broadcast signals of the names with call rules (portal replies come as signals).
    public static func proxyArguments(talk: [String], call: [String]) -> [String] {
        var args = ["--filter"]
        args += talk.map { "--talk=\($0)" }
        args += call.map { "--call=\($0)" }
        var broadcast: [String] = []
        for rule in call {
            let name = String(rule.prefix { $0 != "=" })
            if !broadcast.contains(name) { broadcast.append(name) }
        }
        args += broadcast.map { "--broadcast=\($0)=*" }
        return args
    }
}
