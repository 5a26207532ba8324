import Foundation
import Glibc
import WardenCore
import WardenLinux

/// The host's files, for `SteamScan`.
public struct HostSteamTree: SteamTreeReader {
    public init() {}
    public func list(_ directory: String) -> [String] { RealFileSystem().list(directory) }
    public func text(_ file: String) -> String? { RealFileSystem.readSmallFile(file, limit: 16 << 20) }
    public func isFile(_ path: String) -> Bool { var st = stat(); return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG }
    public func isDirectory(_ path: String) -> Bool { var st = stat(); return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR }
    public func canonical(_ path: String) -> String? { RealFileSystem().canonical(path) }
}

/// `ww steam install-tool`, `remove-tool` and `status`: writes and removes only ww's own folders in
/// `compatibilitytools.d`; Steam's files are read, never written.
public struct SteamToolInstaller {
    public var home: String
    public var explicitRoot: String?
    public var ww: String
    let scan = SteamScan(reader: HostSteamTree())

    public init(home: String, explicitRoot: String?, ww: String = HostEnvironment.executablePath()) {
        self.home = home
        self.explicitRoot = explicitRoot
        self.ww = ww
    }

    /// The native Steam folders; a Flatpak one is named with what to do instead; none is an error.
    func roots(_ say: (String) -> Void) throws -> [SteamRoot] {
        let all = scan.roots(home: home, explicit: explicitRoot)
        for r in all where r.flatpak { say("\(r.path): Flatpak Steam, left as it is: \(SteamRoot.flatpakAdvice)") }
        let native = all.filter { !$0.flatpak }
        if native.isEmpty {
            if all.isEmpty {
                let searched = explicitRoot.map { [$0] } ?? SteamRoot.candidates.map { "~/" + $0 }
                throw WardenError(.usage, "no Steam client folder found (looked for steamapps/ in \(searched.joined(separator: ", "))); start Steam once, or name its folder with --steam-root")
            }
            throw WardenError(.host, "the only Steam found is a Flatpak: \(SteamRoot.flatpakAdvice)")
        }
        return native
    }

    public func install(_ say: (String) -> Void) throws {
        for root in try roots(say) {
            let found = try scan.protons(root)
            for s in found.skipped { say("\(root.path): \(s)") }
            if found.chains.isEmpty {
                throw WardenError(.host, "no Proton found in \(root.path) (steamapps/common/Proton* in its libraries, or compatibilitytools.d); install Proton from Steam's library (Tools) first")
            }
            let tools = try found.chains.map { try WardenCompatTool(chain: $0, ww: ww) }
            try makeFolder(root.toolsFolder)
            for tool in tools {
                let folder = Paths.join(root.toolsFolder, tool.internalName)
                if let t = HostSteamTree().text(Paths.join(folder, "compatibilitytool.vdf")), !WardenCompatTool.isWrittenByWarden(t) {
                    say("\(folder) holds a tool ww did not write: left as it is, no WineWarden tool for \(tool.chain.name)")
                    continue
                }
                try makeFolder(folder)
                for f in tool.files { try write(f.text, to: Paths.join(folder, f.name), mode: f.executable ? 0o755 : 0o644) }
                say("\(tool.displayName): \(folder) (\(tool.chain.layers.map { Paths.basename($0.folder) }.joined(separator: " → ")))")
            }
            let current = Set(tools.map(\.internalName))
            for old in scan.installedTools(root) where !current.contains(Paths.basename(old.folder)) {
                try removeTool(old.folder, say)
                say("removed \(old.folder): its Proton is gone")
            }
        }
        say("restart Steam, then pick \"WineWarden (…)\" in a game's Properties → Compatibility")
    }

    public func remove(_ say: (String) -> Void) throws {
        for root in try roots(say) {
            let tools = scan.installedTools(root)
            if tools.isEmpty { say("\(root.path): no WineWarden tool to remove") }
            for t in tools { try removeTool(t.folder, say); say("removed \(t.folder)") }
            if !tools.isEmpty, RealFileSystem().list(root.toolsFolder).isEmpty { rmdir(root.toolsFolder) }
        }
    }

    public func status(_ say: (String) -> Void) throws {
        for root in try roots(say) {
            say("Steam: \(root.path)")
            let tools = scan.installedTools(root)
            var games: [String: [String]] = [:]
            do { games = try scan.gamesUsing(root) } catch {
                say("  (which games use them is unknown: \((error as? WardenError)?.message ?? "\(error)"))")
            }
            if tools.isEmpty { say("  no WineWarden tool: `ww steam install-tool` writes one per Proton") }
            for t in tools {
                let name = Paths.basename(t.folder)
                let apps = (games[name] ?? []).map { $0 == "0" ? "every game without its own choice (app 0)" : "app \($0)" }
                say("  \(t.declaration?.displayName ?? name)  \(name)")
                say("    used by: \(apps.isEmpty ? "no game yet (Properties → Compatibility in Steam)" : apps.joined(separator: ", "))")
            }
            for (tool, apps) in games.sorted(by: { $0.key < $1.key })
            where tool.hasPrefix(WardenCompatTool.folderPrefix) && !tools.contains(where: { Paths.basename($0.folder) == tool }) {
                say("  \(tool) is not installed but Steam sets it for app \(apps.joined(separator: ", ")): run `ww steam install-tool`")
            }
        }
    }

    /// Removes the files ww wrote (their first line says so), then the folder when nothing else is in it.
    func removeTool(_ folder: String, _ say: (String) -> Void) throws {
        for name in WardenCompatTool.fileNames {
            let path = Paths.join(folder, name)
            if let t = HostSteamTree().text(path), WardenCompatTool.isWrittenByWarden(t) { unlink(path) }
        }
        if rmdir(folder) != 0, errno != ENOENT {
            say("\(folder) still holds files ww did not write (\(RealFileSystem().list(folder).sorted().joined(separator: ", "))): left there")
        }
    }

    func makeFolder(_ path: String) throws {
        if HostSteamTree().isDirectory(path) { return }
        guard mkdir(path, 0o755) == 0 else {
            throw WardenError(.host, "cannot create \(path): \(String(cString: strerror(errno))); check that Steam's folder is yours and writable")
        }
    }

    /// Written beside, then renamed over: Steam never reads half a file.
    func write(_ text: String, to path: String, mode: mode_t) throws {
        let tmp = path + ".ww-new"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8)), chmod(tmp, mode) == 0, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw WardenError(.host, "cannot write \(path): \(String(cString: strerror(errno))); check that the folder is yours and writable")
        }
    }
}
