/// SPEC §4 path rules: variable expansion and the checks that keep an allow rule from opening too much.
public enum PathPolicy {
    /// Variables a profile may use. Others are a mistake worth an error.
    public static let knownVariables: Set<String> = [
        "HOME", "USER", "UID", "GAME_DIR", "GAME_ID", "WINEPREFIX",
        "STEAM_COMPAT_DATA_PATH", "STEAM_COMPAT_INSTALL_PATH", "STEAM_COMPAT_CLIENT_INSTALL_PATH",
        "STEAM_COMPAT_SHADER_PATH", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
        "XDG_RUNTIME_DIR", "PROTON_EAC_RUNTIME", "PROTON_BATTLEYE_RUNTIME",
        // Colon-separated lists: a path naming one stands for one path per entry.
        "STEAM_COMPAT_TOOL_PATHS", "STEAM_COMPAT_LIBRARY_PATHS", "STEAM_COMPAT_MOUNTS",
    ]

    /// Folders an allow rule may never name itself: binding them would expose or shadow the system.
    static let forbiddenExact: Set<String> = ["/", "/etc", "/usr", "/home", "/tmp", "/var", "/var/tmp", "/run", "/root", "/proc", "/sys", "/dev", "/boot"]
    /// Trees that are never bound read-write.
    static let systemTrees = ["/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/proc", "/sys", "/dev", "/root", "/var/lib", "/var/log", "/var/cache"]

    public enum Problem: Equatable {
        case relative, parentReference, unknownVariable(String), doubleStar, globNotLast, globNotAllowed, globTooShallow
        case forbidden(String), sensitive, system, containsHome, notDevice, forbiddenDevice

        public var sentence: String {
            switch self {
            case .relative: return "is not absolute; start it with /, ~ or a variable such as ${GAME_DIR}"
            case .parentReference: return "contains '..'; name the folder directly"
            case .unknownVariable(let v): return "uses unknown variable $\(v); known: \(PathPolicy.knownVariables.sorted().joined(separator: ", "))"
            case .doubleStar: return "uses '**'; recursive globs are not allowed (they would walk a tree at launch)"
            case .globNotLast: return "has a wildcard before the last component; only the last component may be a glob"
            case .globNotAllowed: return "has a wildcard; name the folder itself (wildcards are for hidden paths and [match])"
            case .globTooShallow: return "is a glob with fewer than two fixed leading folders; name a deeper folder"
            case .forbidden(let p): return "names \(p), which may never be granted; name a folder inside it"
            case .sensitive: return "names a sensitive path (credentials, browser or wallet data) that is always hidden"
            case .system: return "is inside a system folder, which is never writable"
            case .containsHome: return "contains your home folder; grant the folders inside it you need"
            case .notDevice: return "is not under /dev"
            case .forbiddenDevice: return "is an input-injection or keyboard/mouse device (uinput, event, mouse), which is never granted"
            }
        }
    }

    /// Static checks on the written text (before expansion).
    public static func lexicalProblems(_ text: String, allowGlob: Bool) -> [Problem] {
        var problems: [Problem] = []
        if !(text.hasPrefix("/") || text == "~" || text.hasPrefix("~/") || text.hasPrefix("$")) { problems.append(.relative) }
        if Paths.hasParentReference(text) { problems.append(.parentReference) }
        for v in variables(in: text) where !knownVariables.contains(v) { problems.append(.unknownVariable(v)) }
        if text.contains("**") { problems.append(.doubleStar) }
        if Glob.hasWildcards(text) {
            let comps = text.split(separator: "/")
            if comps.dropLast().contains(where: { Glob.hasWildcards(String($0)) }) { problems.append(.globNotLast) }
            else if !allowGlob { problems.append(.globNotAllowed) }
        }
        return problems
    }

    public enum Use { case readOnly, readWrite, hidden, device }

    /// Checks on the expanded absolute path for an allow rule (read_only / read_write / device).
    public static func expandedProblems(_ path: String, use: Use, home: String) -> [Problem] {
        var problems: [Problem] = []
        if Glob.hasWildcards(path) {
            let fixed = path.split(separator: "/").prefix { !Glob.hasWildcards(String($0)) }
            if fixed.count < 2 { problems.append(.globTooShallow) }
        }
        switch use {
        case .hidden:
            return problems
        case .device:
            if !Paths.isWithin(path, "/dev") || path == "/dev" { problems.append(.notDevice) }
            let base = Paths.basename(path)
            if path == "/dev/uinput" || path == "/dev/input" || (Paths.isWithin(path, "/dev/input") &&
                (base.hasPrefix("event") || base.hasPrefix("mouse") || base == "mice" || base.hasPrefix("by-"))) {
                problems.append(.forbiddenDevice)
            }
            return problems
        case .readOnly, .readWrite:
            if forbiddenExact.contains(path) { problems.append(.forbidden(path)) }
            else if path == home { problems.append(.forbidden("$HOME")) }
            else if Paths.isWithin(home, path) { problems.append(.containsHome) }
            if SensitivePaths.isSensitive(path, home: home) { problems.append(.sensitive) }
            if use == .readWrite, systemTrees.contains(where: { Paths.isWithin(path, $0) }) { problems.append(.system) }
            return problems
        }
    }

    /// Pieces of a path text: literal runs and `$NAME` / `${NAME}` references, in order.
    enum Piece: Equatable { case literal(String), variable(String) }

    static func pieces(_ text: String) -> [Piece] {
        var out: [Piece] = []
        var literal = ""
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            guard chars[i] == "$" else { literal.append(chars[i]); i += 1; continue }
            if !literal.isEmpty { out.append(.literal(literal)); literal = "" }
            var j = i + 1
            var name = ""
            if j < chars.count, chars[j] == "{" {
                j += 1
                while j < chars.count, chars[j] != "}" { name.append(chars[j]); j += 1 }
                j += 1
            } else {
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { name.append(chars[j]); j += 1 }
            }
            out.append(.variable(name))
            i = j
        }
        if !literal.isEmpty { out.append(.literal(literal)) }
        return out
    }

    /// `$NAME` and `${NAME}` occurrences.
    public static func variables(in text: String) -> [String] {
        pieces(text).compactMap { if case .variable(let v) = $0 { return v }; return nil }
    }

    public enum Expansion: Equatable {
        case path(String)
        case unset(String)   // names the variable that is not set for this launch
    }

    /// Expands `~`, `$VAR` and `${VAR}` from `variables`; the result is normalised.
    public static func expand(_ text: String, variables vars: [String: String]) -> Expansion {
        var s = text
        if s == "~" || s.hasPrefix("~/") { s = "${HOME}" + s.dropFirst() }
        var out = ""
        for piece in pieces(s) {
            switch piece {
            case .literal(let text): out += text
            case .variable(let name):
                guard let value = vars[name], !value.isEmpty else { return .unset(name) }
                out += value
            }
        }
        return .path(Paths.normalize(out))
    }
}
