/// The paths SPEC §5 protects whatever a profile says. Relative entries are below $HOME.
public enum SensitivePaths {
    /// Always hidden: credentials, browser profiles, chat sessions, wallets, keyrings.
    public static let alwaysHidden: [String] = [
        ".ssh", ".gnupg", ".aws", ".config/gcloud", ".azure", ".kube", ".docker",
        ".mozilla", ".librewolf", ".waterfox",
        ".config/google-chrome", ".config/chromium", ".config/BraveSoftware", ".config/vivaldi",
        ".config/microsoft-edge", ".config/opera",
        ".var/app/org.mozilla.firefox", ".var/app/com.google.Chrome", ".var/app/org.chromium.Chromium",
        ".config/discord", ".config/discordcanary", ".config/discordptb", ".config/Signal",
        ".local/share/TelegramDesktop", ".var/app/org.telegram.desktop",
        ".electrum", ".bitcoin", ".ethereum", ".monero", ".config/Exodus", ".config/Electrum",
        ".local/share/keyrings", ".password-store", ".config/keepassxc", ".netrc", ".git-credentials",
        ".config/gh", ".config/heroic/store", ".config/legendary/user.json",
        ".steam/steam.pipe",
    ] + steamClientRoots.flatMap { root in steamClientSecrets.map { "\(root)/\($0)" } }

    /// Where the Steam client usually lives below $HOME (a launch may name another: STEAM_COMPAT_CLIENT_INSTALL_PATH).
    public static let steamClientRoots = [".steam/steam", ".steam/root", ".local/share/Steam", ".steam/debian-installation"]

    /// Inside a Steam client folder: the login sentries, the saved accounts and login tokens
    /// (config.vdf, local.vdf), and the cookies of Steam's built-in browser.
    public static let steamClientSecrets = ["ssfn*", "config/loginusers.vdf", "config/config.vdf", "config/htmlcache", "local.vdf"]

    /// System files hidden too: readable by the owner, and a player running ww as root owns them.
    public static let systemHidden: [String] = [
        "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/ssh/ssh_host_*_key", "/etc/sudoers", "/etc/sudoers.d",
    ]

    /// Never writable: where malware plants itself to run again outside the sandbox.
    public static let persistenceFiles: [String] = [
        ".bashrc", ".bash_profile", ".bash_login", ".profile", ".bash_logout",
        ".zshrc", ".zshenv", ".zprofile", ".zlogin", ".xprofile", ".xinitrc", ".xsessionrc", ".pam_environment",
    ]
    public static let persistenceDirectories: [String] = [
        ".config/autostart", ".config/systemd/user", ".local/share/systemd/user", ".local/share/applications", ".local/bin",
        ".config/environment.d", ".config/fish", ".config/plasma-workspace/env", ".config/plasma-workspace/shutdown",
    ]

    public static func absolute(_ rel: String, home: String) -> String { Paths.join(home, rel) }

    /// True when `path` is a sensitive path or lies inside one (glob entries compare by directory).
    public static func isSensitive(_ path: String, home: String) -> Bool {
        for rel in alwaysHidden {
            let abs = absolute(rel, home: home)
            if Glob.hasWildcards(abs) {
                // `…/ssfn*`: the match itself or anything inside a matching entry.
                let parts = path.split(separator: "/").count
                let depth = abs.split(separator: "/").count
                if parts >= depth {
                    let head = "/" + path.split(separator: "/").prefix(depth).joined(separator: "/")
                    if Glob(abs).matches(head) { return true }
                }
                continue
            }
            if Paths.isWithin(path, abs) { return true }
        }
        return false
    }
}
