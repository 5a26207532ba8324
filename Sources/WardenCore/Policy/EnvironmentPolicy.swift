/// Which environment variables reach the game: secrets and bus addresses are removed,
/// Wine's menu builder is disabled, everything a game or launcher needs (LD_PRELOAD) stays.
public enum EnvironmentPolicy {
    static let exactSecrets: [String: String] = [
        "SSH_AUTH_SOCK": "ssh agent", "SSH_AGENT_PID": "ssh agent", "GPG_AGENT_INFO": "gpg agent",
        "GNUPGHOME": "gpg keys", "DBUS_SESSION_BUS_ADDRESS": "session D-Bus", "DBUS_SYSTEM_BUS_ADDRESS": "system D-Bus",
        "SESSION_MANAGER": "desktop session manager", "KRB5CCNAME": "Kerberos ticket",
        "GOOGLE_APPLICATION_CREDENTIALS": "cloud credentials", "KUBECONFIG": "cloud credentials",
        "DOCKER_HOST": "container engine", "NETRC": "credentials", "PASSWORD_STORE_DIR": "password store",
    ]
    static let secretPrefixes: [(String, String)] = [("AWS_", "cloud credentials"), ("AZURE_", "cloud credentials"), ("GCLOUD_", "cloud credentials")]
    static let secretWords = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIAL"]

    /// The reason a variable is withheld, or nil when it may pass.
    public static func secretReason(_ name: String) -> String? {
        if let r = exactSecrets[name] { return r }
        for (p, r) in secretPrefixes where name.hasPrefix(p) { return r }
        let upper = name.uppercased()
        for w in secretWords where upper.contains(w) { return "looks like a secret (*\(w)*)" }
        return nil
    }

    public static func isValidName(_ name: String) -> Bool {
        guard let f = name.first, f == "_" || (f.isASCII && f.isLetter) else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    /// `WINEDLLOVERRIDES` with `winemenubuilder.exe=d`, replacing any other setting for it.
    public static func disableMenuBuilder(_ existing: String?) -> String {
        var entries: [String] = []
        for entry in (existing ?? "").split(separator: ";") where !entry.isEmpty {
            // "dll1,dll2=mode": drop only winemenubuilder from the DLL list.
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let dlls = parts[0].split(separator: ",").filter { !$0.lowercased().hasPrefix("winemenubuilder") }
            if dlls.isEmpty { continue }
            entries.append(dlls.joined(separator: ",") + (parts.count > 1 ? "=" + parts[1] : ""))
        }
        return (entries + ["winemenubuilder.exe=d"]).joined(separator: ";")
    }
}
