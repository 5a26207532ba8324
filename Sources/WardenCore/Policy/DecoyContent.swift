/// The files of one decoy: for a folder kind, what a stealer opens there; for a file kind, one file
/// (relative path ""). Each holds the session's canary token verbatim (base32 lower-case letters
/// and digits are valid in base64 bodies, hex-free JSON strings, DNS labels and URLs), so a copy sent
/// out unchanged carries it. The SQLite-shaped files have SQLite's header but no usable tables.
public struct DecoyFile: Equatable, Sendable {
    /// Below the decoy's folder ("" for a file decoy).
    public var path: String
    public var bytes: [UInt8]
    public init(path: String, bytes: [UInt8]) { self.path = path; self.bytes = bytes }
    public init(path: String, text: String) { self.path = path; self.bytes = Array(text.utf8) }
}

public enum DecoyContent {
    /// The files of a decoy of `kind` holding `token`; `random` makes the rest look like real data.
    public static func files<G: RandomNumberGenerator>(_ kind: DecoyKind, token: String, random: inout G) -> [DecoyFile] {
        var r = Filler(random: random)
        defer { random = r.random }
        switch kind {
        case .sshFolder:
            return [DecoyFile(path: "id_rsa", text: r.opensshKey(token: token, lines: 38)),
                    DecoyFile(path: "id_ed25519", text: r.opensshKey(token: token, lines: 7)),
                    DecoyFile(path: "known_hosts", text: "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\(r.base64(43))\n"
                              + "|1|\(r.base64(27))=|\(r.base64(27))= ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAA\(r.base64(100))=\n"),
                    DecoyFile(path: "config", text: "Host build\n    HostName 10.\(r.int(255)).\(r.int(255)).\(r.int(255))\n    User deploy\n    IdentityFile ~/.ssh/id_ed25519\n")]
        case .awsFolder:
            return [DecoyFile(path: "credentials", text: "[default]\naws_access_key_id = AKIA\(r.upper(16))\naws_secret_access_key = \(token)\n"),
                    DecoyFile(path: "config", text: "[default]\nregion = eu-west-1\noutput = json\n")]
        case .gnupgFolder:
            return [DecoyFile(path: "private-keys-v1.d/\(r.hex(40).uppercased()).key",
                              text: "Created: 2024\(r.digits(4))T\(r.digits(6))\nKey: (private-key (ecc (curve Ed25519)(flags eddsa)(q #40\(r.hex(64).uppercased())#)(d #\(token)#)))\n"),
                    DecoyFile(path: "pubring.kbx", bytes: [0, 0, 0, 32, 1, 1, 0, 2] + Array("KBXf".utf8) + r.bytes(20))]
        case .cloudCredentials:
            return [DecoyFile(path: "application_default_credentials.json",
                              text: "{\n  \"client_id\": \"\(r.digits(12))-\(r.lowerAlnum(32)).apps.googleusercontent.com\",\n  \"client_secret\": \"GOCSPX-\(r.base64(28))\",\n  \"refresh_token\": \"1//\(token)\(r.base64(40))\",\n  \"type\": \"authorized_user\"\n}\n")]
        case .kubeFolder:
            return [DecoyFile(path: "config", text: "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://10.\(r.int(255)).0.1:6443\n  name: prod\n"
                              + "users:\n- name: admin\n  user:\n    token: \(token)\n")]
        case .dockerFolder:
            return [DecoyFile(path: "config.json", text: "{\n\t\"auths\": {\n\t\t\"https://index.docker.io/v1/\": {\n\t\t\t\"auth\": \"\(token)\(r.base64(14))=\"\n\t\t}\n\t}\n}\n")]
        case .firefoxProfiles:
            let profile = "\(r.lowerAlnum(8)).default-release"
            let root = "firefox/"
            return [DecoyFile(path: root + "profiles.ini", text: "[Profile0]\nName=default-release\nIsRelative=1\nPath=\(profile)\nDefault=1\n\n[General]\nStartWithLastProfile=1\nVersion=2\n"),
                    DecoyFile(path: root + profile + "/cookies.sqlite", bytes: r.sqlite(token: token)),
                    DecoyFile(path: root + profile + "/logins.json",
                              text: "{\"nextId\":2,\"logins\":[{\"id\":1,\"hostname\":\"https://accounts.google.com\",\"encryptedUsername\":\"ME\(r.base64(60))\",\"encryptedPassword\":\"ME\(token)\(r.base64(34))\",\"encType\":1}],\"version\":3}\n"),
                    DecoyFile(path: root + profile + "/key4.db", bytes: r.sqlite(token: token))]
        case .chromiumProfiles:
            return [DecoyFile(path: "Local State", text: "{\"os_crypt\":{\"encrypted_key\":\"RFBBUEk\(token)\(r.base64(40))\"},\"profile\":{\"last_used\":\"Default\"}}\n"),
                    DecoyFile(path: "Default/Cookies", bytes: r.sqlite(token: token)),
                    DecoyFile(path: "Default/Login Data", bytes: r.sqlite(token: token))]
        case .discordStorage:
            return [DecoyFile(path: "Local Storage/leveldb/000003.log",
                              bytes: r.bytes(7) + Array("_https://discord.com\u{0}\u{1}token\u{1}\"MT\(r.base64(22)).\(r.base64(6)).\(token)\"".utf8))]
        case .messengerFolder:
            return [DecoyFile(path: "config.json", text: "{\n  \"key\": \"\(token)\(r.hex(38))\"\n}\n"),
                    DecoyFile(path: "tdata/key_datas", bytes: Array("TDF$".utf8) + r.bytes(16) + Array(token.utf8) + r.bytes(200))]
        case .bitcoinWallet:
            return [DecoyFile(path: "wallet.dat", bytes: r.bytes(12) + [0x62, 0x31, 0x05, 0x00] + r.bytes(48) + Array("\u{4}mkey\(token)".utf8) + r.bytes(400))]
        case .electrumWallet:
            return [DecoyFile(path: "wallets/default_wallet",
                              text: "{\"keystore\": {\"type\": \"bip32\", \"xprv\": \"xprv9s21ZrQH143K\(token)\(r.base64(60))\", \"seed_version\": 17}, \"wallet_type\": \"standard\"}\n")]
        case .ethereumKeystore:
            return [DecoyFile(path: "keystore/UTC--2024-0\(r.int(9) + 1)-1\(r.int(9))T10-2\(r.int(9))-3\(r.int(9)).0Z--\(r.hex(40))",
                              text: "{\"address\":\"\(r.hex(40))\",\"crypto\":{\"cipher\":\"aes-128-ctr\",\"ciphertext\":\"\(token)\(r.hex(38))\",\"kdf\":\"scrypt\"},\"version\":3}\n")]
        case .walletFolder:
            return [DecoyFile(path: "exodus.wallet/seed.seco", bytes: Array("SECO".utf8) + r.bytes(28) + Array(token.utf8) + r.bytes(300)),
                    DecoyFile(path: "wallet.keys", bytes: Array("monero wallet".utf8) + r.bytes(19) + Array(token.utf8) + r.bytes(200))]
        case .keyringFolder:
            return [DecoyFile(path: "login.keyring", bytes: Array("GnomeKeyring\n\r\u{0}\n".utf8) + [0, 0, 0, 0] + Array(token.utf8) + r.bytes(256))]
        case .passwordStore:
            return [DecoyFile(path: ".gpg-id", text: "player@example.org\n"),
                    DecoyFile(path: "email/player@example.org.gpg", bytes: [0x85, 0x02, 0x0c, 0x03] + r.bytes(60) + Array(token.utf8) + r.bytes(120))]
        case .netrc:
            return [DecoyFile(path: "", text: "machine api.github.com\n  login player\n  password \(token)\n")]
        case .gitCredentials:
            return [DecoyFile(path: "", text: "https://player:\(token)@github.com\n")]
        case .tokenFile:
            return [DecoyFile(path: "", text: "{\"access_token\": \"\(token)\", \"refresh_token\": \"\(r.lowerAlnum(32))\", \"displayName\": \"player\"}\n")]
        case .appTokens:
            return [DecoyFile(path: "hosts.yml", text: "github.com:\n    user: player\n    oauth_token: gho_\(token)\n    git_protocol: https\n")]
        case .steamSentry:
            return [DecoyFile(path: "", bytes: r.bytes(20) + Array(token.utf8) + r.bytes(1000))]
        case .steamLoginFile:
            return [DecoyFile(path: "", text: "\"users\"\n{\n\t\"7656119\(r.digits(10))\"\n\t{\n\t\t\"AccountName\"\t\t\"player\(r.digits(3))\"\n\t\t\"RememberPassword\"\t\t\"1\"\n\t\t\"Token\"\t\t\"\(token)\"\n\t}\n}\n")]
        case .browserCache:
            return [DecoyFile(path: "Cookies", bytes: r.sqlite(token: token))]
        case .genericFile:
            return [DecoyFile(path: "", text: "token=\(token)\n")]
        case .genericFolder:
            return []
        }
    }
}

/// Random-looking text and bytes for decoys (not for anything secret: the token is the only thing
/// that matters, and it comes from the caller).
struct Filler<G: RandomNumberGenerator> {
    var random: G

    static var base64Alphabet: [UInt8] { Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8) }

    mutating func pick(_ alphabet: [UInt8], _ n: Int) -> String {
        var out = [UInt8](repeating: 0, count: n)
        for i in 0..<n { out[i] = alphabet[Int(random.next() % UInt64(alphabet.count))] }
        return String(decoding: out, as: UTF8.self)
    }
    mutating func base64(_ n: Int) -> String { pick(Self.base64Alphabet, n) }
    mutating func hex(_ n: Int) -> String { pick(Array("0123456789abcdef".utf8), n) }
    mutating func upper(_ n: Int) -> String { pick(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8), n) }
    mutating func lowerAlnum(_ n: Int) -> String { pick(Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8), n) }
    mutating func digits(_ n: Int) -> String { pick(Array("0123456789".utf8), n) }
    mutating func int(_ below: Int) -> Int { Int(random.next() % UInt64(below)) }
    mutating func bytes(_ n: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        var i = 0
        while i < n {
            var word = random.next()
            for _ in 0..<8 where i < n { out[i] = UInt8(truncatingIfNeeded: word); word >>= 8; i += 1 }
        }
        return out
    }

    /// An OpenSSH private key: 70-character base64 lines with the token inside the body.
    mutating func opensshKey(token: String, lines: Int) -> String {
        var body = Array("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAA".utf8) + Array(base64(40).utf8) + Array(token.utf8)
        body += Array(base64(max(0, lines * 70 - body.count - 16)).utf8) + Array("AAAAAQIDBAUGBw==".utf8)
        var out = Array("-----BEGIN OPENSSH PRIVATE KEY-----\n".utf8)
        var start = 0
        while start < body.count {
            out += body[start..<min(body.count, start + 70)]
            out.append(UInt8(ascii: "\n"))
            start += 70
        }
        return String(decoding: out + Array("-----END OPENSSH PRIVATE KEY-----\n".utf8), as: UTF8.self)
    }

    /// SQLite's 100-byte header (page size 4096, one page) then a page holding the token.
    mutating func sqlite(token: String) -> [UInt8] {
        var header = Array("SQLite format 3\u{0}".utf8) + [0x10, 0x00, 1, 1, 0, 64, 32, 32]
        header += [0, 0, 0, 1] + [0, 0, 0, 1] + [UInt8](repeating: 0, count: 100 - header.count - 8)
        var page = header + [0x0d, 0, 0, 0, 0, 0x10, 0, 0]
        page += Array("CREATE TABLE moz_cookies(id INTEGER PRIMARY KEY, name TEXT, value TEXT)".utf8) + Array("session".utf8) + Array(token.utf8)
        return page + [UInt8](repeating: 0, count: 4096 - page.count)
    }
}
