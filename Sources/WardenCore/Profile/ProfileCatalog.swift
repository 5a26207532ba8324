/// A profile file found on the search path.
public struct ProfileSource: Sendable, Equatable {
    public var name: String
    public var path: String
    public var text: String

    public init(name: String, path: String, text: String) {
        self.name = name
        self.path = path
        self.text = text
    }

    /// The path a compiled-in profile goes by in messages: `<built-in>/default.toml`.
    public static let builtInFolder = "<built-in>"
    public var isBuiltIn: Bool { path.hasPrefix(Self.builtInFolder + "/") }

    /// The shipped profiles compiled into ww, searched after every folder.
    public static let builtIn: [ProfileSource] = ShippedProfiles.texts.map {
        ProfileSource(name: $0.name, path: "\(builtInFolder)/\($0.name).toml", text: $0.text)
    }
}

/// The profiles visible to ww, already read: the effect layer lists the search path, earlier
/// folders first (the user's own win over shipped ones of the same name).
public struct ProfileCatalog: Sendable {
    public private(set) var sources: [ProfileSource]
    /// Same-name files hidden by an earlier folder, reported by `ww profile list`.
    public private(set) var shadowed: [ProfileSource] = []

    public init(searchOrder: [ProfileSource]) {
        var seen = Set<String>()
        var out: [ProfileSource] = []
        for s in searchOrder {
            if seen.insert(s.name).inserted { out.append(s) } else { shadowed.append(s) }
        }
        sources = out
    }

    public func source(named name: String) -> ProfileSource? { sources.first { $0.name == name } }
}

/// Resolves `extends`, merges layers base-first, and picks the profile for a game.
public struct ProfileResolver {
    public let catalog: ProfileCatalog
    /// Global config applied between the built-in defaults and the profile (e.g. [network] mode).
    public var globalLayer: ProfileLayer?
    /// Each file is parsed once per resolver: selection reads every profile, loading reads the chosen one again.
    private let parsed = ParsedLayers()

    private final class ParsedLayers: @unchecked Sendable {
        var byPath: [String: ProfileLayer] = [:]
    }

    private func layer(_ source: ProfileSource) throws -> ProfileLayer {
        if let l = parsed.byPath[source.path] { return l }
        let l = try ProfileParser.parse(name: source.name, path: source.path, text: source.text)
        parsed.byPath[source.path] = l
        return l
    }

    public init(catalog: ProfileCatalog, globalLayer: ProfileLayer? = nil) {
        self.catalog = catalog
        self.globalLayer = globalLayer
    }

    /// Loads a profile by name, or a file given as a path by the caller (already read into `source`).
    public func load(_ source: ProfileSource) throws -> Profile {
        var chain: [ProfileLayer] = []
        try collect(source, into: &chain, visiting: [])
        var profile = Profile.builtIn(name: source.name)
        if let g = globalLayer { try apply(g, to: &profile) }
        for layer in chain { try apply(layer, to: &profile) }
        profile.chain = chain.map(\.path)
        profile.match = chain.last?.match ?? ProfileMatch()
        profile.description = chain.last?.description
        return profile
    }

    public func load(named name: String) throws -> Profile {
        guard let s = catalog.source(named: name) else {
            throw WardenError(.profile, "no profile named '\(name)'; `ww profile list` shows the available ones (\(catalog.sources.map(\.name).joined(separator: ", ")))")
        }
        return try load(s)
    }

    private func collect(_ source: ProfileSource, into chain: inout [ProfileLayer], visiting: [String]) throws {
        if visiting.contains(source.name) {
            throw WardenError(.profile, "\(source.path): 'extends' forms a cycle (\((visiting + [source.name]).joined(separator: " → "))); remove one of the links")
        }
        let layer = try layer(source)
        for parent in layer.extends {
            guard let p = catalog.source(named: parent.value) else {
                throw WardenError(.profile, "\(parent.origin): extends unknown profile '\(parent.value)'; known profiles: \(catalog.sources.map(\.name).joined(separator: ", "))")
            }
            if (visiting + [source.name]).contains(p.name) {
                throw WardenError(.profile, "\(parent.origin): 'extends' forms a cycle (\((visiting + [source.name, p.name]).joined(separator: " → "))); remove one of the links")
            }
            if chain.contains(where: { $0.path == p.path }) { continue }
            try collect(p, into: &chain, visiting: visiting + [source.name])
        }
        chain.append(layer)
    }

    /// Later layers win for single values; lists gain entries, and `-entry` removes an inherited one.
    func apply(_ l: ProfileLayer, to p: inout Profile) throws {
        if let v = l.home { p.home = v }
        if let v = l.gpu { p.gpu = v }
        if let v = l.gamepads { p.gamepads = v }
        if let v = l.sound { p.sound = v }
        if let v = l.ntsync { p.ntsync = v }
        if let v = l.x11 { p.x11 = v }
        if let v = l.wayland { p.wayland = v }
        if let v = l.pulseaudio { p.pulseaudio = v }
        if let v = l.pipewire { p.pipewire = v }
        if let v = l.discordIPC { p.discordIPC = v }
        if let v = l.dbus { p.dbus = v }
        if let v = l.pid { p.pid = v }
        if let v = l.ipc { p.ipc = v }
        if let v = l.nestedSandbox { p.nestedSandbox = v }
        if let v = l.steamClient { p.steamClient = v }
        if let v = l.decoys { p.decoys = v }
        if let v = l.trustTier { p.trustTier = v }
        if let v = l.keepAutostart { p.keepAutostart = v }
        if let v = l.network { p.network = v }
        if let v = l.rateLimit { p.rateLimit = v }
        if let v = l.upstreamDNS { p.upstreamDNS = v }
        if let v = l.upstreamProxy { p.upstreamProxy = v }
        if let v = l.unsafeAllowRemoteProxy { p.unsafeAllowRemoteProxy = v }
        if let v = l.idleTimeout { p.idleTimeout = v }
        try mergeNames(l.dbusTalk, into: &p.dbusTalk)
        try mergeNames(l.dbusCall, into: &p.dbusCall)
        try mergeNames(l.allowDomains, into: &p.allowDomains)
        try mergeNames(l.denyDomains, into: &p.denyDomains)
        try mergeNames(l.denyDestinations, into: &p.denyDestinations)
        try mergeNames(l.inboundPorts, into: &p.inboundPorts)
        try mergeNames(l.allowLocal, into: &p.allowLocal)
        if let v = l.landlock { p.landlock = v }
        if let v = l.allowShellExecution { p.allowShellExecution = v }
        if let v = l.maxChildProcesses { p.maxChildProcesses = v }
        if let v = l.allowAnonymousExec { p.allowAnonymousExec = v }
        try mergeNames(l.seccompAllow, into: &p.seccompAllow)
        try mergeNames(l.seccompDeny, into: &p.seccompDeny)
        try mergeNames(l.allowedPatterns, into: &p.allowedPatterns)
        try mergeNames(l.blockedPatterns, into: &p.blockedPatterns)
        for (k, v) in l.environmentSet { p.environmentSet[k] = v }
        p.environmentUnset += l.environmentUnset
        try merge(l.readOnly, into: &p.readOnly)
        try merge(l.readWrite, into: &p.readWrite)
        try merge(l.hidden, into: &p.hidden)
        try merge(l.copyOnWrite, into: &p.copyOnWrite)
        try merge(l.extraDevices, into: &p.extraDevices)
    }

    /// A layer's `"-x"` removes the inherited entry `x` (an error when there is none) and `"x"` adds it.
    private func mergeNames(_ edits: [ProfileLayer.ListEdit], into list: inout [Traced<String>]) throws {
        // A name already inherited keeps its first origin.
        try apply(edits, to: &list, key: \.value, replacing: false) { Traced($0.text, $0.origin) }
    }

    private func merge(_ edits: [ProfileLayer.ListEdit], into list: inout [PathRule]) throws {
        // A path already inherited takes this layer's `create` and origin.
        try apply(edits, to: &list, key: \.text, replacing: true) { PathRule($0.text, create: $0.create, origin: $0.origin) }
    }

    private func apply<T>(_ edits: [ProfileLayer.ListEdit], to list: inout [T], key: (T) -> String, replacing: Bool,
                          make: (ProfileLayer.ListEdit) -> T) throws {
        for e in edits {
            if e.remove {
                let before = list.count
                list.removeAll { key($0) == e.text }
                if list.count == before {
                    throw WardenError(.profile, "\(e.origin): \"-\(e.text)\" removes nothing: no inherited entry is \"\(e.text)\"; check the spelling or drop the line")
                }
            } else if let i = list.firstIndex(where: { key($0) == e.text }) {
                if replacing { list[i] = make(e) }
            } else {
                list.append(make(e))
            }
        }
    }

    public enum Selection: Equatable {
        case explicit(String)
        case steamAppID(UInt64)
        case executable(String)
        case prefix(String)
        /// A `reaper SteamLaunch` line no profile names: the shipped Steam profile for it.
        case steamLaunch(app: UInt64, proton: Bool)
        case fallback

        public var reason: String {
            switch self {
            case .explicit(let s): return "chosen with --profile \(s)"
            case .steamAppID(let id): return "its [match] names Steam AppId \(id)"
            case .executable(let g): return "its [match] executable pattern \(g) matches"
            case .prefix(let g): return "its [match] prefix pattern \(g) matches WINEPREFIX"
            case .steamLaunch(let app, let proton):
                return "a Steam launch\(proton ? " through Proton" : "") and no profile names AppId \(app)"
            case .fallback: return "no profile matches this game, so the default applies"
            }
        }
    }

    /// SPEC §4 selection: a profile naming the AppId, then an executable glob, then a prefix glob (where two
    /// match, one that extends the other wins), then
    /// for a `reaper SteamLaunch` line (or a compatibility tool's chain) `steam-proton` or `steam-native`, then `default`.
    public func select(for ctx: LaunchContext, identity: GameIdentity) throws -> (ProfileSource, Selection) {
        var layers: [(ProfileSource, ProfileLayer)] = []
        for s in catalog.sources {
            layers.append((s, try layer(s)))
        }
        // The profiles a profile extends, directly or through others: a matching profile refines them.
        func ancestors(_ name: String) -> Set<String> {
            var out = Set<String>()
            var todo = [name]
            while let n = todo.popLast(), out.count < 64 {
                for parent in layers.first(where: { $0.0.name == n })?.1.extends ?? [] where out.insert(parent.value).inserted {
                    todo.append(parent.value)
                }
            }
            return out
        }
        func pick(_ all: [(ProfileSource, Selection)], _ what: String) throws -> (ProfileSource, Selection)? {
            // `mygame` (extends "wine", matches Game.exe) wins over `wine` (matches the wine command).
            let refined = Set(all.flatMap { ancestors($0.0.name) })
            let found = all.filter { !refined.contains($0.0.name) }
            if found.count > 1 {
                throw WardenError(.profile, "profiles \(found.map { "'\($0.0.name)' (\($0.0.path))" }.joined(separator: " and ")) both match \(what); keep one of the [match] entries or choose with --profile")
            }
            return found.first
        }
        if let app = identity.steamAppID,
           let hit = try pick(layers.filter { $0.1.match.steamAppIDs.contains(app) }.map { ($0.0, .steamAppID(app)) }, "Steam AppId \(app)") {
            return hit
        }
        let candidates = [ctx.windowsExecutable, ctx.resolvedCommand].compactMap { $0 }
        var exeHits: [(ProfileSource, Selection)] = []
        for (s, l) in layers {
            if let g = l.match.executables.first(where: { g in candidates.contains { Self.executableMatches(g, $0) } }) {
                exeHits.append((s, .executable(g)))
            }
        }
        if let hit = try pick(exeHits, "this executable") { return hit }
        if let prefix = ctx.env("WINEPREFIX") {
            let vars = ["HOME": ctx.user.home]
            var prefixHits: [(ProfileSource, Selection)] = []
            for (s, l) in layers {
                if let g = l.match.prefixes.first(where: { g in
                    if case .path(let pat) = PathPolicy.expand(g, variables: vars) { return Glob(pat).matches(Paths.normalize(prefix)) }
                    return false
                }) { prefixHits.append((s, .prefix(g))) }
            }
            if let hit = try pick(prefixHits, "WINEPREFIX \(prefix)") { return hit }
        }
        // Under a compatibility tool ww sees the chain below reaper and Steam's variables: the same game, the same profile.
        let steamChain = identity.source == .steamLaunch || (identity.source == .steamEnvironment && SteamLaunchLine.isCompatToolChain(ctx.command))
        if steamChain, let app = identity.steamAppID {
            let proton = SteamLaunchLine.runsProton(ctx.command) || ctx.command.first.map { Paths.basename($0) == "proton" } == true
            if let s = catalog.source(named: proton ? "steam-proton" : "steam-native") { return (s, .steamLaunch(app: app, proton: proton)) }
        }
        guard let d = catalog.source(named: "default") else {
            throw WardenError(.profile, "no profile matches this game and there is no 'default' profile on the search path; reinstall ww's profiles or pass --profile")
        }
        return (d, .fallback)
    }

    /// A pattern without `/` matches the file name; `.exe` names compare case-insensitively as Windows does.
    static func executableMatches(_ pattern: String, _ path: String) -> Bool {
        let target = pattern.contains("/") ? path : Paths.basename(path)
        return Glob(pattern).matches(target, caseInsensitive: path.lowercased().hasSuffix(".exe"))
    }
}
