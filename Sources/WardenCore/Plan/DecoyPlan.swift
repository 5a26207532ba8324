/// The session's decoys (SPEC §5): where a hidden secret exists on the host, the game finds a decoy
/// of the same kind at the same path, read-only. ww writes the decoys for each session into the
/// session folder (with that session's canary tokens) and watches them: opening one for reading is
/// a `secret_touched` event. Planned here, written and watched by the supervisor's decoy service.
public struct DecoyPlan: Codable, Equatable, Sendable {
    public struct Item: Codable, Equatable, Sendable {
        /// The host path of the real secret (never opened for its content).
        public var standsFor: String
        public var kind: DecoyKind
        public var isDirectory: Bool
        /// Where ww writes this decoy (inside `folder`).
        public var source: String
        /// Where the game sees it (a secret reachable through two binds appears at both).
        public var destinations: [String]

        public init(standsFor: String, kind: DecoyKind, isDirectory: Bool, source: String, destinations: [String]) {
            self.standsFor = standsFor
            self.kind = kind
            self.isDirectory = isDirectory
            self.source = source
            self.destinations = destinations
        }
    }

    /// False when the profile turned decoys off (`[filesystem] decoys = false`): hidden paths look absent.
    public var enabled: Bool
    /// `<session folder>/decoys`, private to the player, removed at exit.
    public var folder: String
    public var items: [Item]

    public init(enabled: Bool = false, folder: String = "", items: [Item] = []) {
        self.enabled = enabled
        self.folder = folder
        self.items = items
    }

    /// The decoy a path inside the sandbox belongs to (itself or a file inside a decoy folder).
    public func item(forSandboxPath path: String) -> Item? {
        items.first { item in item.destinations.contains { Paths.isWithin(path, $0) } }
    }
}
