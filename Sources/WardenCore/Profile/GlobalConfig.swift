/// `~/.config/winewarden/config.toml`: settings that apply to every game.
public struct GlobalConfig: Sendable {
    public var enabled = true
    public var noPromptsDuringGameplay = true
    public var emergencyOnly = true
    /// [trust]: the tier of a game ww has not seen yet, and promotion.
    public var defaultTier: TrustTier = .yellow
    public var trust = TrustSettings()
    /// Applied under every profile: [network] mode and [process].
    public var layer: ProfileLayer?
    public var path: String?

    public init() {}

    static let known: [String: [String]] = [
        "winewarden": ["enabled", "no_prompts_during_gameplay", "emergency_only"],
        "network": ["mode"],
        "trust": ["default_tier", "auto_promote", "promotion_after_runs"],
        "process": ProfileParser.sections["process"]!,
    ]
    /// Sections of SPEC §3 whose enforcement is not in this version: refusing them beats ignoring them.
    static let notYet: [String: String] = [:]

    public static func parse(path: String, text: String) throws -> GlobalConfig {
        let doc = try TOMLDocument(path: path, text: text)
        var config = GlobalConfig()
        config.path = path
        var problems: [String] = []
        for section in doc.root.keys.sorted() {
            if let what = notYet[section] {
                problems.append("\(doc.location([section])): [\(section)] needs \(what), which this version of ww does not enforce yet; remove the section so nothing looks enforced that is not")
                continue
            }
            guard let keys = known[section] else {
                problems.append("\(doc.location([section])): unknown key '\(section)'\(ProfileParser.suggestion(section, Array(known.keys))); known sections: [winewarden], [network], [process], [trust]")
                continue
            }
            guard case .table(let t) = doc.root[section]! else {
                problems.append("\(doc.location([section])): '\(section)' must be a table"); continue
            }
            for k in t.keys.sorted() where !keys.contains(k) {
                problems.append("\(doc.location([section, k])): unknown key '\(k)' in [\(section)]\(ProfileParser.suggestion(k, keys)); known keys: \(keys.joined(separator: ", "))")
            }
            if section == "winewarden" {
                for k in keys {
                    guard let v = t[k] else { continue }
                    guard case .bool(let b) = v else { problems.append("\(doc.location([section, k])): '\(k)' must be true or false, not \(v.typeName)"); continue }
                    switch k {
                    case "enabled": config.enabled = b
                    case "no_prompts_during_gameplay": config.noPromptsDuringGameplay = b
                    default: config.emergencyOnly = b
                    }
                }
            } else if section == "process" {
                var parser = ProfileParser(doc: doc)
                var layer = config.layer ?? ProfileLayer(name: "config", path: path)
                parser.read(section: "process", t, into: &layer)
                problems += parser.problems
                config.layer = layer
            } else if section == "trust" {
                if let v = t["default_tier"] {
                    if case .string(let s) = v, let tier = TrustTier(rawValue: s) { config.defaultTier = tier }
                    else { problems.append("\(doc.location(["trust", "default_tier"])): 'default_tier' must be \"red\", \"yellow\" or \"green\"") }
                }
                if let v = t["auto_promote"] {
                    if case .bool(let b) = v { config.trust.autoPromote = b }
                    else { problems.append("\(doc.location(["trust", "auto_promote"])): 'auto_promote' must be true or false, not \(v.typeName)") }
                }
                if let v = t["promotion_after_runs"] {
                    if case .integer(let n) = v, (1...1000).contains(n) { config.trust.promotionAfterRuns = Int(n) }
                    else { problems.append("\(doc.location(["trust", "promotion_after_runs"])): 'promotion_after_runs' must be a whole number from 1 to 1000") }
                }
            } else if section == "network" {
                if let v = t["mode"] {
                    let allowed = NetworkMode.allCases.map(\.rawValue)
                    if case .string(let s) = v, let m = NetworkMode(rawValue: s) {
                        var layer = config.layer ?? ProfileLayer(name: "config", path: path)
                        layer.network = Traced(m, doc.location(["network", "mode"]))
                        config.layer = layer
                    } else {
                        problems.append("\(doc.location(["network", "mode"])): 'mode' must be one of \(allowed.joined(separator: ", "))")
                    }
                }
            }
        }
        if !problems.isEmpty { throw WardenError(.profile, problems.joined(separator: "\n")) }
        return config
    }
}
