/// Reads a Steam tree: the host's files for `ww steam`, a dictionary in the unit tests.
public protocol SteamTreeReader {
    func list(_ directory: String) -> [String]
    func text(_ file: String) -> String?
    func isFile(_ path: String) -> Bool
    func isDirectory(_ path: String) -> Bool
    func canonical(_ path: String) -> String?
}

/// A Steam client folder ww can put compatibility tools in, and how it was found.
public struct SteamRoot: Equatable, Sendable {
    public var path: String
    /// Flatpak Steam (`~/.var/app/com.valvesoftware.Steam/…`): ww runs nothing there and writes nothing.
    public var flatpak: Bool
    public var toolsFolder: String { Paths.join(path, "compatibilitytools.d") }

    public init(path: String, flatpak: Bool) {
        self.path = path
        self.flatpak = flatpak
    }

    /// The folders below $HOME where Steam lives (the same ones ww hides the login files of), then Flatpak's.
    public static let candidates = SensitivePaths.steamClientRoots + flatpakCandidates
    public static let flatpakCandidates = [".var/app/com.valvesoftware.Steam/.local/share/Steam", ".var/app/com.valvesoftware.Steam/data/Steam"]

    public static let flatpakAdvice = "ww cannot sandbox games of Flatpak Steam (inside Flatpak bwrap cannot nest, and Flatpak Steam cannot start ww on the host); install Steam's native package (Debian: steam-installer) and run `ww steam install-tool` again"
}

/// What `ww steam install-tool` finds in a Steam tree, without changing anything.
public struct SteamScan {
    public let reader: any SteamTreeReader

    public init(reader: any SteamTreeReader) { self.reader = reader }

    /// Each distinct Steam client folder below `home` (links followed), or just `explicit`.
    public func roots(home: String, explicit: String? = nil) -> [SteamRoot] {
        let paths = explicit.map { [$0] } ?? SteamRoot.candidates.map { Paths.join(home, $0) }
        var seen = Set<String>()
        var out: [SteamRoot] = []
        for p in paths {
            guard let c = reader.canonical(p), reader.isDirectory(Paths.join(c, "steamapps")), seen.insert(c).inserted else { continue }
            out.append(SteamRoot(path: c, flatpak: c.contains("/.var/app/com.valvesoftware.Steam/")))
        }
        return out
    }

    func vdf(_ file: String) throws -> VDF? {
        guard let t = reader.text(file) else { return nil }
        return try VDF.parse(t, file: file)
    }

    /// The client folder first, then every library `steamapps/libraryfolders.vdf` names.
    public func libraries(_ root: SteamRoot) throws -> [String] {
        var out = [root.path]
        if let v = try vdf(Paths.join(root.path, "steamapps/libraryfolders.vdf")) {
            for p in SteamFiles.libraryFolders(v) {
                let c = reader.canonical(p) ?? p
                if !out.contains(c), reader.isDirectory(Paths.join(c, "steamapps")) { out.append(c) }
            }
        }
        return out
    }

    public struct Found: Equatable {
        public var chains: [ProtonChain]
        /// A Proton left out, and why (one sentence with the fix).
        public var skipped: [String]
    }

    /// Every Proton: `steamapps/common/Proton*` in each library, and the tools in `compatibilitytools.d`
    /// that run a `proton` script (not ww's own); each with the runtime layers its manifest requires.
    public func protons(_ root: SteamRoot) throws -> Found {
        let libs = try libraries(root)
        var candidates: [(name: String, folder: String)] = []
        for lib in libs {
            let common = Paths.join(lib, "steamapps/common")
            for name in reader.list(common).sorted() where name.hasPrefix("Proton") {
                candidates.append((name, Paths.join(common, name)))
            }
        }
        for name in reader.list(root.toolsFolder).sorted() where !name.hasPrefix(WardenCompatTool.folderPrefix) {
            let folder = Paths.join(root.toolsFolder, name)
            let declared = try vdf(Paths.join(folder, "compatibilitytool.vdf")).map(CompatToolDeclaration.parse)?.first
            candidates.append((declared?.displayName ?? name, folder))
        }
        var found = Found(chains: [], skipped: [])
        var names = Set<String>()
        for c in candidates where reader.isFile(Paths.join(c.folder, "proton")) {
            let file = Paths.join(c.folder, "toolmanifest.vdf")
            guard let m = try vdf(file) else {
                found.skipped.append("\(c.name) (\(c.folder)) has no toolmanifest.vdf; verify that tool's files in Steam or reinstall it")
                continue
            }
            var layers = [CompatToolLayer(folder: c.folder, manifest: try ToolManifest(m, file: file))]
            var missing: String?
            while let app = layers[0].manifest.requiredToolAppID, missing == nil {
                guard layers.count < 5 else { missing = "its required tools form a chain longer than 4; tell WineWarden's developers"; break }
                if let folder = toolFolder(app: app, libraries: libs), let mv = try vdf(Paths.join(folder, "toolmanifest.vdf")) {
                    layers.insert(CompatToolLayer(folder: folder, manifest: try ToolManifest(mv, file: Paths.join(folder, "toolmanifest.vdf"))), at: 0)
                } else {
                    missing = "it needs Steam app \(app) (the Steam Linux Runtime), which is not installed: play a game with \(c.name) once, or install it from Steam's library (Tools), then run `ww steam install-tool` again"
                }
            }
            if let why = missing { found.skipped.append("\(c.name) is left out: \(why)"); continue }
            guard names.insert(WardenCompatTool.internalName(forProton: c.name)).inserted else {
                found.skipped.append("\(c.name) (\(c.folder)) is left out: another Proton of the same name was found first")
                continue
            }
            found.chains.append(ProtonChain(name: c.name, layers: layers))
        }
        return found
    }

    /// `steamapps/appmanifest_<app>.acf` → `steamapps/common/<installdir>`, in the first library that has it.
    func toolFolder(app: String, libraries: [String]) -> String? {
        for lib in libraries {
            guard let v = try? vdf(Paths.join(lib, "steamapps/appmanifest_\(app).acf")),
                  let dir = SteamFiles.installDirectory(appManifest: v) else { continue }
            let folder = Paths.join(lib, "steamapps/common/\(dir)")
            if reader.isFile(Paths.join(folder, "toolmanifest.vdf")) { return folder }
        }
        return nil
    }

    /// ww's tools in `compatibilitytools.d`: folders named `winewarden-*` whose declaration ww wrote.
    public func installedTools(_ root: SteamRoot) -> [(folder: String, declaration: CompatToolDeclaration?)] {
        reader.list(root.toolsFolder).sorted().filter { $0.hasPrefix(WardenCompatTool.folderPrefix) }.compactMap { name in
            let folder = Paths.join(root.toolsFolder, name)
            guard let t = reader.text(Paths.join(folder, "compatibilitytool.vdf")), WardenCompatTool.isWrittenByWarden(t) else { return nil }
            return (folder, (try? VDF.parse(t, file: folder)).map(CompatToolDeclaration.parse)?.first)
        }
    }

    /// The games (app ids; "0" is every game without its own choice) Steam's config.vdf sets to each tool.
    public func gamesUsing(_ root: SteamRoot) throws -> [String: [String]] {
        guard let v = try vdf(Paths.join(root.path, "config/config.vdf")) else { return [:] }
        var out: [String: [String]] = [:]
        for (app, tool) in SteamFiles.compatToolMapping(v) { out[tool, default: []].append(app) }
        return out
    }
}
