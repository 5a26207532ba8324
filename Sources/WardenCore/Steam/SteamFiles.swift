/// What ww reads from Steam's own files (never writes): the library folders, the compatibility tool
/// each game uses, an app's install folder, a tool's manifest.
public enum SteamFiles {
    /// `steamapps/libraryfolders.vdf`: `"0" { "path" "/…" … }` (current clients) or `"1" "/…"` (old ones).
    public static func libraryFolders(_ vdf: VDF) -> [String] {
        guard let root = vdf.block("libraryfolders") ?? vdf.block("LibraryFolders") else { return [] }
        var out: [String] = []
        for e in root.entries where UInt(e.key) != nil {
            switch e.value {
            case .block(let b): if let p = b.text("path"), p.hasPrefix("/") { out.append(Paths.normalize(p)) }
            case .text(let p): if p.hasPrefix("/") { out.append(Paths.normalize(p)) }
            }
        }
        return out
    }

    /// `config/config.vdf` → `CompatToolMapping`: which tool (internal name) each app id is set to.
    /// App 0 is the default for every Windows game ("Enable Steam Play for all other titles").
    public static func compatToolMapping(_ vdf: VDF) -> [(app: String, tool: String)] {
        guard let map = vdf.path("InstallConfigStore", "Software", "Valve", "Steam", "CompatToolMapping") else { return [] }
        return map.entries.compactMap { e in
            guard case .block(let b) = e.value, let name = b.text("name"), !name.isEmpty else { return nil }
            return (e.key, name)
        }
    }

    /// `steamapps/appmanifest_<id>.acf` → the folder below `steamapps/common/`.
    public static func installDirectory(appManifest vdf: VDF) -> String? {
        guard let dir = vdf.block("AppState")?.text("installdir"), !dir.isEmpty, !dir.contains("/"), dir != ".." else { return nil }
        return dir
    }
}

/// A compatibility tool's `toolmanifest.vdf` (Steam's compat tool interface, version 2).
public struct ToolManifest: Equatable, Sendable {
    /// The command Steam runs, its first word relative to the tool's folder: `/proton %verb%`.
    public var commandLine: String
    /// The tool Steam runs outside this one (Proton: the Steam Linux Runtime, e.g. 1628350 for sniper).
    public var requiredToolAppID: String?
    public var layerName: String?
    public var usesToolSubprocessReaper: Bool

    public init(commandLine: String, requiredToolAppID: String? = nil, layerName: String? = nil, usesToolSubprocessReaper: Bool = false) {
        self.commandLine = commandLine
        self.requiredToolAppID = requiredToolAppID
        self.layerName = layerName
        self.usesToolSubprocessReaper = usesToolSubprocessReaper
    }

    public init(_ vdf: VDF, file: String) throws {
        guard let m = vdf.block("manifest"), let line = m.text("commandline"), !line.isEmpty else {
            throw WardenError(.host, "\(file) has no \"manifest\" block with a \"commandline\", so it is not a Steam compatibility tool; reinstall that tool in Steam")
        }
        self.init(commandLine: line,
                  requiredToolAppID: m.text("require_tool_appid").flatMap { UInt64($0) != nil && $0 != "0" ? $0 : nil },
                  layerName: m.text("compatmanager_layer_name"),
                  usesToolSubprocessReaper: m.text("use_tool_subprocess_reaper") == "1")
    }

    /// The command line's words with the first made absolute below `folder` (Steam splits on spaces).
    public func words(inFolder folder: String, file: String) throws -> [String] {
        let words = commandLine.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = words.first, first.hasPrefix("/"), !words.contains(where: { $0.contains("\"") || $0.contains("'") }) else {
            throw WardenError(.host, "\(file): the commandline \"\(commandLine)\" is not a tool-relative program and plain words, which ww cannot rebuild; tell WineWarden's developers which tool this is")
        }
        return [Paths.normalize(folder + first)] + words.dropFirst()
    }
}

/// A compatibility tool's `compatibilitytool.vdf`: the tools a folder in `compatibilitytools.d` declares.
public struct CompatToolDeclaration: Equatable, Sendable {
    public var internalName: String
    public var displayName: String
    public var installPath: String

    public static func parse(_ vdf: VDF) -> [CompatToolDeclaration] {
        guard let tools = vdf.path("compatibilitytools", "compat_tools") ?? vdf.path("compatibilitytools", "compat tools") else { return [] }
        return tools.entries.compactMap { e in
            guard case .block(let b) = e.value else { return nil }
            return CompatToolDeclaration(internalName: e.key, displayName: b.text("display_name") ?? e.key, installPath: b.text("install_path") ?? ".")
        }
    }
}
