/// A value together with the file and line that set it.
public struct Traced<Value: Sendable & Equatable>: Sendable, Equatable {
    public var value: Value
    public var origin: SourceLocation

    public init(_ value: Value, _ origin: SourceLocation) {
        self.value = value
        self.origin = origin
    }
}

public enum HomeMode: String, CaseIterable, Sendable, Codable {
    case virtual             // a persistent per-game home mounted at the real $HOME path
    case hostReadOnly = "host-ro"
    case host
}

public enum NetworkMode: String, CaseIterable, Sendable, Codable {
    case off, proxy, observe, full
}

public enum NamespaceSharing: String, CaseIterable, Sendable, Codable {
    case `private`, shared
}

public enum LandlockMode: String, CaseIterable, Sendable, Codable {
    /// Refuse to start when Landlock is unavailable.
    case required
    /// Apply the best ABI the kernel has and record exactly what is in force.
    case bestEffort = "best-effort"
    case off
}

public enum DBusMode: String, CaseIterable, Sendable, Codable {
    case none, filtered
}

/// A path entry of a profile list, unexpanded (`~/Games/${GAME_ID}`), with where it was written.
public struct PathRule: Sendable, Equatable {
    public var text: String
    /// read_write only: make the folder when it is missing instead of refusing to start.
    public var create: Bool
    public var origin: SourceLocation

    public init(_ text: String, create: Bool = false, origin: SourceLocation) {
        self.text = text
        self.create = create
        self.origin = origin
    }
}

/// `[match]`: when a profile applies by itself. Never inherited through `extends`.
public struct ProfileMatch: Sendable, Equatable {
    public var steamAppIDs: [UInt64] = []
    public var executables: [String] = []
    public var prefixes: [String] = []

    public var isEmpty: Bool { steamAppIDs.isEmpty && executables.isEmpty && prefixes.isEmpty }
}

/// A profile after `extends` is resolved and every layer merged: each value knows its origin.
public struct Profile: Sendable, Equatable {
    public var name: String
    /// Files merged, base first.
    public var chain: [String]
    public var description: String?
    public var match = ProfileMatch()

    public var home: Traced<HomeMode>
    public var readOnly: [PathRule] = []
    public var readWrite: [PathRule] = []
    public var hidden: [PathRule] = []
    /// Folders the game sees writable while its changes land in a per-game upper layer.
    public var copyOnWrite: [PathRule] = []

    public var gpu: Traced<Bool>
    public var gamepads: Traced<Bool>
    public var sound: Traced<Bool>
    public var ntsync: Traced<Bool>
    public var extraDevices: [PathRule] = []

    public var x11: Traced<Bool>
    public var wayland: Traced<Bool>
    public var pulseaudio: Traced<Bool>
    public var pipewire: Traced<Bool>
    /// Discord's IPC socket (Rich Presence); off unless a profile turns it on: it tells who you are.
    public var discordIPC: Traced<Bool> = Traced(false, SourceLocation.builtIn("defaults"))
    public var dbus: Traced<DBusMode>
    /// `dbus = "filtered"`: names the game may call, and narrower NAME=RULE call rules.
    public var dbusTalk: [Traced<String>] = []
    public var dbusCall: [Traced<String>] = []

    public var pid: Traced<NamespaceSharing>
    public var ipc: Traced<NamespaceSharing>
    public var nestedSandbox: Traced<Bool>
    /// Show the Steam client folder read-only, without its login files and other games' userdata.
    public var steamClient: Traced<Bool>
    /// Hidden secrets that exist appear as decoys (true) or look absent (false).
    public var decoys: Traced<Bool>

    public var network: Traced<NetworkMode>
    public var allowDomains: [Traced<String>] = []
    public var denyDomains: [Traced<String>] = []
    public var denyDestinations: [Traced<String>] = []
    /// Decimal port numbers (kept as text so `-27015` removes an inherited one like any list entry).
    public var inboundPorts: [Traced<String>] = []
    public var rateLimit: Traced<Int>
    public var upstreamDNS: Traced<String>?
    public var upstreamProxy: Traced<String>?
    public var unsafeAllowRemoteProxy: Traced<Bool>
    /// `idle_timeout`: seconds the proxy waits for a connected client's request.
    public var idleTimeout: Traced<Int>
    public var allowLocal: [Traced<String>] = []

    public var seccompAllow: [Traced<String>] = []
    public var seccompDeny: [Traced<String>] = []
    public var landlock: Traced<LandlockMode>

    public var allowedPatterns: [Traced<String>] = []
    public var blockedPatterns: [Traced<String>] = []
    public var allowShellExecution: Traced<Bool>
    public var maxChildProcesses: Traced<Int>
    public var allowAnonymousExec: Traced<Bool>

    public var environmentSet: [String: Traced<String>] = [:]
    public var environmentUnset: [Traced<String>] = []
    /// `[wine] keep_autostart`: leave the autostart entries a session added to the prefix.
    public var keepAutostart = Traced(false, SourceLocation.builtIn("defaults"))
    /// `[trust] tier`: the tier this profile pins (nil: the game's score decides).
    public var trustTier: Traced<TrustTier>?

    /// The built-in values every profile starts from (the strict end of each choice).
    public static func builtIn(name: String = "built-in") -> Profile {
        let here = SourceLocation.builtIn("defaults")
        return Profile(
            name: name, chain: [], description: nil,
            home: Traced(.virtual, here),
            gpu: Traced(true, here), gamepads: Traced(true, here), sound: Traced(false, here), ntsync: Traced(true, here),
            x11: Traced(true, here), wayland: Traced(true, here), pulseaudio: Traced(true, here), pipewire: Traced(true, here),
            dbus: Traced(.none, here),
            pid: Traced(.private, here), ipc: Traced(.private, here), nestedSandbox: Traced(false, here), steamClient: Traced(false, here),
            decoys: Traced(true, here),
            network: Traced(.off, here), rateLimit: Traced(1000, here), unsafeAllowRemoteProxy: Traced(false, here),
            idleTimeout: Traced(30, here),
            landlock: Traced(.bestEffort, here),
            allowShellExecution: Traced(false, here), maxChildProcesses: Traced(0, here), allowAnonymousExec: Traced(false, here))
    }
}
