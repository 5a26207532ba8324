import Foundation

/// One compatibility tool layer of the chain Steam would build for a Proton: its folder and manifest.
public struct CompatToolLayer: Equatable, Sendable {
    public var folder: String
    public var manifest: ToolManifest
    public var manifestFile: String { Paths.join(folder, "toolmanifest.vdf") }

    public init(folder: String, manifest: ToolManifest) {
        self.folder = folder
        self.manifest = manifest
    }
}

/// A Proton install ww found, with the layers Steam runs it in, outermost first (the Steam Linux
/// Runtime when Proton's manifest names it in `require_tool_appid`), Proton itself last.
public struct ProtonChain: Equatable, Sendable {
    /// What Steam shows for it: "Proton 9.0", "GE-Proton9-20".
    public var name: String
    public var layers: [CompatToolLayer]

    public init(name: String, layers: [CompatToolLayer]) {
        self.name = name
        self.layers = layers
    }

    public var proton: CompatToolLayer { layers[layers.count - 1] }
}

/// The compatibility tool `ww steam install-tool` writes for one Proton: a folder in
/// `compatibilitytools.d` whose launcher runs ww around exactly the chain Steam would build.
public struct WardenCompatTool: Equatable, Sendable {
    /// The first line of each file ww writes: `remove-tool` removes only files that start with it.
    public static let marker = "# Written by `ww steam install-tool`"
    public static let folderPrefix = "winewarden-"
    public static let launcherName = "winewarden-launch"
    public static let fileNames = ["compatibilitytool.vdf", "toolmanifest.vdf", launcherName]

    public var internalName: String
    public var displayName: String
    public var chain: ProtonChain
    /// name → (text, executable)
    public var files: [(name: String, text: String, executable: Bool)]

    public static func == (a: WardenCompatTool, b: WardenCompatTool) -> Bool {
        a.internalName == b.internalName && a.displayName == b.displayName && a.chain == b.chain
            && a.files.map(\.name) == b.files.map(\.name) && a.files.map(\.text) == b.files.map(\.text)
    }

    /// `winewarden-proton-9.0` for "Proton 9.0": Steam's internal name and the folder's.
    public static func internalName(forProton name: String) -> String {
        folderPrefix + (GameIdentity.slug(name) ?? "proton")
    }

    public init(chain: ProtonChain, ww: String) throws {
        internalName = Self.internalName(forProton: chain.name)
        displayName = "WineWarden (\(chain.name))"
        self.chain = chain
        var words: [String] = []
        for layer in chain.layers {
            words += try layer.manifest.words(inFolder: layer.folder, file: layer.manifestFile)
        }
        let declaration = VDF([.init("compatibilitytools", .block(VDF([.init("compat_tools", .block(VDF([
            .init(internalName, .block(VDF([
                .init("install_path", .text(".")),
                .init("display_name", .text(displayName)),
                .init("from_oslist", .text("windows")),
                .init("to_oslist", .text("linux")),
            ]))),
        ])))])))])
        let manifest = VDF([.init("manifest", .block(VDF([
            .init("version", .text("2")),
            .init("commandline", .text("/\(Self.launcherName) %verb%")),
        ])))])
        let vdfHead = "// " + Self.marker.dropFirst(2) + " for \(chain.name); run it again to update, `ww steam remove-tool` to remove.\n"
        files = [
            ("compatibilitytool.vdf", vdfHead + declaration.rendered(), false),
            ("toolmanifest.vdf", vdfHead + manifest.rendered(), false),
            (Self.launcherName, Self.launcher(chain: chain, words: words, ww: ww), true),
        ]
    }

    /// Whether a file's text is one ww wrote (its first line carries the marker).
    public static func isWrittenByWarden(_ text: String) -> Bool {
        let first = text.prefix { $0 != "\n" }
        return first.hasPrefix(marker) || first.hasPrefix("// " + marker.dropFirst(2)) || (first.hasPrefix("#!") && text.dropFirst(first.count + 1).hasPrefix(marker))
    }

    /// Steam runs `winewarden-launch VERB GAME ARGS…`; the script runs `ww -- <runtime entry point> … proton VERB GAME ARGS…`
    /// with STEAM_COMPAT_TOOL_PATHS naming Proton and the runtime, innermost first, as Steam sets it for that chain.
    static func launcher(chain: ProtonChain, words: [String], ww: String) -> String {
        let toolPaths = chain.layers.reversed().map(\.folder).joined(separator: ":")
        let command = words.map(shellWord).joined(separator: " ")
        return """
            #!/bin/sh
            \(marker) for \(chain.name); run it again to update, `ww steam remove-tool` to remove.
            # Steam runs this with the verb (waitforexitandrun: the game; run: its install scripts) and the
            # game's command. ww sandboxes the chain Steam builds for \(chain.name) itself, the same way as
            # `ww -- %command%`, with the same identity (SteamAppId, STEAM_COMPAT_*) and profile.
            verb="$1"
            shift
            STEAM_COMPAT_TOOL_PATHS=\(ShellQuote.quote(toolPaths))${STEAM_COMPAT_TOOL_PATHS:+:$STEAM_COMPAT_TOOL_PATHS}
            export STEAM_COMPAT_TOOL_PATHS
            exec \(ShellQuote.quote(ww)) -- \(command) "$@"

            """
    }

    /// A word of the command line in shell syntax, with `%verb%` the script's `$verb`.
    static func shellWord(_ word: String) -> String {
        let parts = word.components(separatedBy: "%verb%")
        return parts.enumerated().map { i, p in
            (i > 0 ? "\"$verb\"" : "") + (p.isEmpty ? "" : ShellQuote.quote(p))
        }.joined()
    }
}
