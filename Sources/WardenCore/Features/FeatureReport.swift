// The host capability report `ww features` prints: the facts plus one `FeatureCheck` per
// feature. The judges are in FeatureVerdicts*.swift, the text rendering in FeatureTable.swift.

#if canImport(FoundationEssentials)
import FoundationEssentials   // JSONEncoder without the whole of Foundation
#else
import Foundation
#endif

/// One line of `ww features`.
public struct FeatureCheck: Codable, Sendable, Equatable {
    public enum Verdict: String, Codable, Sendable {
        case ok, degraded, missing
    }

    public var name: String
    public var verdict: Verdict
    /// What was found.
    public var detail: String
    /// What the player loses; nil when ok.
    public var cost: String?
    /// One sentence saying how to fix it; nil when ok or nothing can be done.
    public var fix: String?

    public init(name: String, verdict: Verdict, detail: String, cost: String? = nil, fix: String? = nil) {
        self.name = name
        self.verdict = verdict
        self.detail = detail
        self.cost = cost
        self.fix = fix
    }
}

/// The host capability report: the facts plus one verdict per feature.
public struct FeatureReport: Codable, Sendable, Equatable {
    public var features: Features
    public var checks: [FeatureCheck]
    /// A sandbox can be started on this machine (bwrap runs, namespaces and seccomp work).
    public var canSandbox: Bool
    /// Copies of `Features.bwrapUsable` / `userNamespacesUsable`, so JSON readers need not re-derive them.
    public var bwrapUsable: Bool
    public var userNamespacesUsable: Bool

    public init(_ features: Features) {
        self.features = features
        self.checks = FeatureReport.checks(for: features)
        self.canSandbox = features.canSandbox
        self.bwrapUsable = features.bwrapUsable
        self.userNamespacesUsable = features.userNamespacesUsable
    }

    /// The check called `name`, e.g. "landlock".
    public func check(_ name: String) -> FeatureCheck? {
        checks.first { $0.name == name }
    }

    /// Stable JSON: sorted keys, so diffs and golden files stay readable.
    public func json(pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public static func decode(json: String) throws -> FeatureReport {
        try JSONDecoder().decode(FeatureReport.self, from: Data(json.utf8))
    }
}
