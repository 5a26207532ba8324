/// What a decoy looks like (SPEC §5): for each kind of secret a stealer looks for, the files it
/// expects there, made up by ww for one session and holding that session's canary token. Never the
/// real data and never derived from it: the content depends only on the kind, the token and the
/// random source.
public enum DecoyKind: String, Codable, Sendable, CaseIterable {
    case sshFolder = "ssh-folder"
    case awsFolder = "aws-folder"
    case gnupgFolder = "gnupg-folder"
    case cloudCredentials = "cloud-credentials-folder"
    case kubeFolder = "kube-folder"
    case dockerFolder = "docker-folder"
    case firefoxProfiles = "firefox-profiles"
    case chromiumProfiles = "chromium-profiles"
    case discordStorage = "discord-storage"
    case messengerFolder = "messenger-folder"
    case bitcoinWallet = "bitcoin-wallet"
    case electrumWallet = "electrum-wallet"
    case ethereumKeystore = "ethereum-keystore"
    case walletFolder = "wallet-folder"
    case keyringFolder = "keyring-folder"
    case passwordStore = "password-store"
    case netrc = "netrc"
    case gitCredentials = "git-credentials"
    case tokenFile = "token-file"
    /// An application's folder of login tokens (GitHub CLI, Heroic's store, KeePassXC's settings).
    case appTokens = "app-tokens-folder"
    case steamSentry = "steam-sentry"
    case steamLoginFile = "steam-login-file"
    case browserCache = "browser-cache"
    /// A file of no known kind (the profile's `hidden`): a line with the token.
    case genericFile = "generic-file"
    /// A folder of no known kind: empty.
    case genericFolder = "generic-folder"

    /// The decoy kind for a hidden host path (`relative`: below $HOME when it is there, else the
    /// absolute path), by what it is on the host.
    public static func of(relative: String, isDirectory: Bool) -> DecoyKind {
        let name = Paths.basename(relative)
        func under(_ prefixes: [String]) -> Bool { prefixes.contains { relative == $0 || relative.hasSuffix("/" + $0) } }
        if isDirectory {
            if under([".ssh"]) { return .sshFolder }
            if under([".aws"]) { return .awsFolder }
            if under([".gnupg"]) { return .gnupgFolder }
            if under([".config/gcloud", ".azure"]) { return .cloudCredentials }
            if under([".kube"]) { return .kubeFolder }
            if under([".docker"]) { return .dockerFolder }
            if under([".mozilla", ".librewolf", ".waterfox", ".var/app/org.mozilla.firefox"]) { return .firefoxProfiles }
            if under([".config/google-chrome", ".config/chromium", ".config/BraveSoftware", ".config/vivaldi", ".config/microsoft-edge",
                      ".config/opera", ".var/app/com.google.Chrome", ".var/app/org.chromium.Chromium"]) { return .chromiumProfiles }
            if under([".config/discord", ".config/discordcanary", ".config/discordptb"]) { return .discordStorage }
            if under([".config/Signal", ".local/share/TelegramDesktop", ".var/app/org.telegram.desktop"]) { return .messengerFolder }
            if under([".bitcoin"]) { return .bitcoinWallet }
            if under([".electrum", ".config/Electrum"]) { return .electrumWallet }
            if under([".ethereum"]) { return .ethereumKeystore }
            if under([".monero", ".config/Exodus"]) { return .walletFolder }
            if under([".local/share/keyrings"]) { return .keyringFolder }
            if under([".password-store"]) { return .passwordStore }
            if under([".config/gh", ".config/heroic/store", ".config/keepassxc"]) { return .appTokens }
            if name == "htmlcache" { return .browserCache }
            return .genericFolder
        }
        if name == ".netrc" { return .netrc }
        if name == ".git-credentials" { return .gitCredentials }
        if name.hasPrefix("ssfn") { return .steamSentry }
        if name.hasSuffix(".vdf") { return .steamLoginFile }
        if name == "user.json" || name.hasSuffix(".json") { return .tokenFile }
        return .genericFile
    }
}
