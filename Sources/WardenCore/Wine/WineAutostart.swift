// The Wine autostart check (SPEC §6, issue 15): wineboot starts the `Run`/`RunOnce`/`RunServices`
// values, the Winlogon shell, the services and the Startup folders' files at every prefix start,
// so what a session added there is malware's way back in. Pure: the host side reads the files and
// folders, this says what appeared and how to undo it.

/// What the check watches in one session, decided by the planner and shown by `ww plan`.
public struct WineAutostartPlan: Codable, Equatable, Sendable {
    /// The prefix's host folder (the game's `WINEPREFIX`, else its `~/.wine`, through the mounts).
    public var prefix: String
    /// The prefix as the game sees it.
    public var sandboxPrefix: String
    /// The writable bind's host folder that holds the prefix: a symlink the game planted cannot
    /// lead the check out of it.
    public var bindSource: String
    /// `[wine] keep_autostart`: leave what the session added (the events still say it).
    public var keep: Bool
    public var keepOrigin: String
    /// The host folders Wine uses as `/tmp` (the host's and the sandbox's own), where a wineserver
    /// serving this prefix keeps its socket: the prefix is never changed while one runs.
    public var temporaryFolders: [String]
    /// The player's uid (upstream Wine's socket folder is `/tmp/.wine-UID`).
    public var uid: UInt32

    public init(prefix: String, sandboxPrefix: String, bindSource: String, keep: Bool, keepOrigin: String, temporaryFolders: [String], uid: UInt32) {
        self.prefix = prefix
        self.sandboxPrefix = sandboxPrefix
        self.bindSource = bindSource
        self.keep = keep
        self.keepOrigin = keepOrigin
        self.temporaryFolders = temporaryFolders
        self.uid = uid
    }

    /// The folders a wineserver serving the prefix (device and inode `dev`, `ino`) would use:
    /// upstream's `/tmp/.wine-UID/server-DEV-INO`, and Debian's `/tmp/wine-XXXXXX/server-DEV-INO`
    /// whose name the prefix's `wineserver` file holds (`debianName`; ignored unless one plain name).
    public func serverDirectories(dev: UInt64, ino: UInt64, debianName: String?) -> [String] {
        let leaf = "server-\(String(dev, radix: 16))-\(String(ino, radix: 16))"
        var names = [".wine-\(uid)"]
        if let d = debianName, !d.isEmpty, !d.contains("/"), d != ".", d != ".." { names.append(d) }
        return temporaryFolders.flatMap { tmp in names.map { Paths.join(tmp, "\($0)/\(leaf)") } }
    }
}

/// One autostart entry that appeared (or changed) during the session, and how to undo it.
public struct WineAutostartFinding: Sendable, Equatable {
    public enum Undo: Sendable, Equatable {
        /// An edit of `file` (`user.reg`, `system.reg`) in the prefix.
        case registry(file: String, WineRegistryEdit)
        /// Delete this file (relative to the prefix).
        case deleteFile(String)
    }

    public var mechanism: PersistenceMechanism
    /// The registry key (`HKCU\Software\…\Run`) or the file's Windows path (`C:\users\…\Startup\x.lnk`).
    public var target: String
    /// The value's name (`(Default)` for a key's default value); nil for services and files.
    public var value: String?
    /// The command line it would run (nil for a Startup file: the file itself is what runs).
    public var command: String?
    public var undo: Undo
}

public enum WineAutostart {
    /// The registry files the check reads, with the hive each holds.
    public static let registryFiles: [(file: String, hive: String)] = [("user.reg", "HKCU"), ("system.reg", "HKLM")]

    static let runKeys = ["Run", "RunOnce", "RunServices", "RunServicesOnce"]
    static let softwareRoots = ["Software\\Microsoft", "Software\\Wow6432Node\\Microsoft"]
    static let winlogonValues = ["Shell", "Userinit"]
    static let serviceRoots = ["System\\CurrentControlSet\\Services", "System\\ControlSet001\\Services"]

    /// Startup folders relative to the prefix, one name per component, compared without case; `*`
    /// is any one folder. The current layout, and the older `Start Menu` spellings Wine has used.
    public static let startupFolders: [[String]] = [
        ["drive_c", "users", "*", "AppData", "Roaming", "Microsoft", "Windows", "Start Menu", "Programs", "Startup"],
        ["drive_c", "ProgramData", "Microsoft", "Windows", "Start Menu", "Programs", "StartUp"],
        ["drive_c", "users", "*", "Start Menu", "Programs", "Startup"],
        ["drive_c", "windows", "profiles", "*", "Start Menu", "Programs", "Startup"],
        ["drive_c", "windows", "Start Menu", "Programs", "StartUp"],
    ]

    /// An autostart entry of one registry file.
    public struct RegistryItem: Sendable, Equatable {
        public var mechanism: PersistenceMechanism
        /// The key as the file names it (`Software\Microsoft\…\Run`).
        public var key: String
        /// The value's name (nil: the default value; for a service, its key stands for it).
        public var name: String?
        public var command: String
        /// The value's lines as written (empty for services): what restoring puts back.
        public var lines: [UInt8]

        var identity: String { mechanism == .wineService ? key.lowercased() : key.lowercased() + "\n" + (name?.lowercased() ?? "@") }
    }

    static let runPaths = Set(softwareRoots.flatMap { root in runKeys.map { "\(root)\\Windows\\CurrentVersion\\\($0)".lowercased() } })
    static let winlogonPaths = Set(softwareRoots.map { "\($0)\\Windows NT\\CurrentVersion\\Winlogon".lowercased() })
    static let servicePrefixes = serviceRoots.map { $0.lowercased() + "\\" }

    /// True for the keys `items` looks at (for `WineRegistryFile.parse(_:onlyKeys:)`).
    public static func isAutostartKey(_ path: String) -> Bool {
        let p = path.lowercased()
        return runPaths.contains(p) || winlogonPaths.contains(p) || servicePrefixes.contains { p.hasPrefix($0) && !p.dropFirst($0.count).contains("\\") }
    }

    /// The autostart entries of a parsed file (`bytes` is the file it was parsed from).
    public static func items(_ file: WineRegistryFile, bytes: [UInt8]) -> [RegistryItem] {
        var out: [RegistryItem] = []
        for key in file.keys {
            let path = key.path.lowercased()
            if runPaths.contains(path) {
                for v in key.values {
                    out.append(RegistryItem(mechanism: .wineRunKey, key: key.path, name: v.name, command: v.data.text,
                                            lines: file.bytes(of: v.lines, in: bytes)))
                }
            } else if winlogonPaths.contains(path) {
                for v in key.values where winlogonValues.contains(where: { WineRegistryFile.sameName($0, v.name) }) {
                    out.append(RegistryItem(mechanism: .wineWinlogon, key: key.path, name: v.name, command: v.data.text,
                                            lines: file.bytes(of: v.lines, in: bytes)))
                }
            } else if isAutostartKey(path) {   // what is left of them: a service's own key
                out.append(RegistryItem(mechanism: .wineService, key: key.path, name: nil, command: key.value("ImagePath")?.data.text ?? "", lines: []))
            }
        }
        return out
    }

    /// What appeared in one registry file: new values and keys, and Run and Winlogon values whose
    /// command changed (restored to what they were). `before` is nil when the file did not exist at
    /// the start: the prefix was made in this session, so Wine's own services (run from `C:\windows\`),
    /// its `winemenubuilder` RunServices value and the stock Winlogon values are prefix setup, not findings.
    public static func added(file: String, hive: String, before: [RegistryItem]?, after: [RegistryItem]) -> [WineAutostartFinding] {
        var old: [String: RegistryItem] = [:]
        for item in before ?? [] { old[item.identity] = item }
        var out: [WineAutostartFinding] = []
        var seen: Set<String> = []
        for item in after where seen.insert(item.identity).inserted {
            let previous = old[item.identity]
            if let previous, previous.command == item.command || item.mechanism == .wineService { continue }
            if before == nil, isPrefixSetup(item) { continue }
            let edit: WineRegistryEdit
            switch (item.mechanism, previous) {
            case (.wineService, _): edit = .removeKey(item.key)
            case (_, let p?): edit = .restoreValue(key: item.key, name: item.name, lines: p.lines)
            case (_, nil): edit = .removeValue(key: item.key, name: item.name)
            }
            out.append(WineAutostartFinding(mechanism: item.mechanism, target: "\(hive)\\\(item.key)",
                                            value: item.mechanism == .wineService ? nil : (item.name ?? "(Default)"),
                                            command: item.command, undo: .registry(file: file, edit)))
        }
        return out
    }

    static func isPrefixSetup(_ item: RegistryItem) -> Bool {
        let command = item.command.lowercased()
        switch item.mechanism {
        case .wineService: return command.hasPrefix("c:\\windows\\") || command.hasPrefix("%systemroot%\\")
        case .wineWinlogon: return ["explorer.exe", "userinit.exe", "c:\\windows\\system32\\userinit.exe", "c:\\windows\\system32\\userinit.exe,"].contains(command)
        case .wineRunKey: return command.hasPrefix("c:\\windows\\system32\\winemenubuilder.exe ")
        default: return false
        }
    }

    /// Files (relative to the prefix) in the Startup folders now that were not there before.
    public static func addedFiles(before: Set<String>, after: [String]) -> [WineAutostartFinding] {
        after.filter { !before.contains($0) }.sorted().map { path in
            WineAutostartFinding(mechanism: .wineStartupFolder, target: windowsPath(path), value: nil, command: nil, undo: .deleteFile(path))
        }
    }

    /// `drive_c/users/x/…` as Windows names it: `C:\users\x\…`.
    public static func windowsPath(_ prefixRelative: String) -> String {
        var parts = prefixRelative.split(separator: "/").map(String.init)
        if parts.first?.lowercased() == "drive_c" { parts[0] = "C:" }
        return parts.joined(separator: "\\")
    }

    /// True when a folder name matches a pattern component (`*` matches any).
    public static func component(_ name: String, matches pattern: String) -> Bool {
        pattern == "*" || name.lowercased() == pattern.lowercased()
    }
}
