/// The whole sandbox as one value: what `ww plan` prints, what the launcher renders for bwrap.
public struct SandboxPlan: Codable, Equatable, Sendable {
    public var game: GameIdentity
    public var profile: String
    public var profileChain: [String]
    public var profileReason: String
    /// The game's argv, run by the inner helper inside the sandbox.
    public var command: [String]
    public var workingDirectory: String
    public var namespaces: Namespaces
    public var network: NetworkMode
    public var net: NetworkPlan
    /// The filtered session bus (nil: no bus inside).
    public var dbus: DBusProxyPlan? = nil
    /// The Wine autostart check: the prefix it compares before and after (nil: no writable prefix).
    public var wineAutostart: WineAutostartPlan? = nil
    /// Copy-on-write folders: overlays ww mounts before bwrap starts.
    public var copyOnWrite: [CopyOnWriteLayer] = []
    /// Decoys over the hidden secrets that exist.
    public var decoys = DecoyPlan()
    /// Persistence targets of a virtual home, captured and put back at the end.
    public var persistence = PersistencePlan()
    /// `discord_ipc = true`: the Discord IPC sockets shown (where the game sees them); empty when off.
    public var discordSockets: [String] = []
    /// The paths whose names the game may not change (renames, deletes, links), for the supervisor's events.
    public var pathGuard = PathGuard()
    /// Controllers plugged in or out while the game runs (`gamepads = true`).
    public var hotplug = DeviceHotplugPlan()
    public var mounts: [MountStep]
    public var environment: [EnvironmentVariable]
    public var removedEnvironment: [RemovedVariable]
    /// Host folders ww creates (0700) before starting: the virtual home, the game's /tmp, `create = true` paths.
    public var directoriesToCreate: [String]
    /// An empty file with no permissions in ww's data folder, bound read-only over hidden files.
    public var emptyFile: String
    public var seccomp: SeccompPolicy
    public var landlock: LandlockPlan
    public var process: ProcessPolicy
    public var helper: HelperPlacement
    public var dieWithParent: Bool
    public var dropAllCapabilities: Bool
    /// Human explanations: what was skipped and why, what is weaker than it could be.
    public var notes: [String]
    /// One-line warnings printed at launch (unless --quiet).
    public var warnings: [String]
}

public struct Namespaces: Codable, Equatable, Sendable {
    public var user = true
    public var mount = true
    public var pid = true
    public var ipc = true
    public var uts = true
    public var cgroup = true
    public var network = true
    /// `--disable-userns`: the game cannot make user namespaces of its own.
    public var disableNestedUserNamespaces = true

    public var unsharedNames: [String] {
        [("user", user), ("mount", mount), ("pid", pid), ("ipc", ipc), ("uts", uts), ("cgroup", cgroup), ("net", network)]
            .filter(\.1).map(\.0)
    }
}

/// One bwrap mount operation, in order. `source` is a host path; destinations are sandbox paths.
public struct MountStep: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case readOnlyBind = "ro-bind"
        case bind
        case deviceBind = "dev-bind"
        case tmpfs
        case proc
        case dev
        /// /dev without bwrap's `--dev` (whose devpts makes bwrap run the sandbox in a nested user
        /// namespace): a tmpfs with null, zero, full, random, urandom, tty, the fd links, shm; no ptys.
        case devMinimal = "dev-minimal"
        case dir
        case symlink
        case remountReadOnly = "remount-ro"
        /// The empty no-permission file over a file, socket or FIFO: reads and writes both fail.
        case hideFile = "hide-file"
        /// A writable bind, by path, of the overlay ww mounts (before bwrap, in a namespace of its own)
        /// over a copy-on-write folder: `source` is the overlay's mount point, `destination` the folder.
        case overlayBind = "overlay-bind"
        /// A decoy ww wrote into the session folder, bound read-only over a hidden secret (`DecoyPlan`).
        case decoy
        /// A session copy ww made of a persistence target in a real home, bound writable by path over
        /// it (`PersistencePlan.isCopy`): made after the bind sources are opened, inside ww's own folder.
        case sessionCopy = "session-copy"
        /// A folder of a writable real home bound onto itself, right after the bind that shows it: a
        /// mount point, which the kernel refuses to rename or remove (EBUSY), so the hidden paths,
        /// persistence targets and ww's state below it stay where the plan hides them.
        case anchor
        /// The host's device folder (`source`) staged at `destination/dev` for the hotplug service, inside
        /// a tmpfs with no permissions remounted read-only: the game can neither enter nor chmod it;
        /// only ww's own child, which enters the sandbox's namespaces, clones controller nodes from it.
        case deviceStage = "device-stage"
    }

    public var kind: Kind
    public var source: String?
    public var destination: String
    /// Octal permissions for tmpfs/dir (`--perms`).
    public var permissions: String?
    public var reason: String

    public init(_ kind: Kind, source: String? = nil, _ destination: String, permissions: String? = nil, reason: String) {
        self.kind = kind
        self.source = source
        self.destination = destination
        self.permissions = permissions
        self.reason = reason
    }

    /// Binds whose source is opened by ww (without following symlinks) and passed as a descriptor.
    public var bindsHostPath: Bool { kind == .readOnlyBind || kind == .bind || kind == .hideFile || kind == .anchor }
}

public struct EnvironmentVariable: Codable, Equatable, Sendable {
    public var name: String
    public var value: String
}

public struct RemovedVariable: Codable, Equatable, Sendable {
    public var name: String
    public var reason: String
}

public struct HelperPlacement: Codable, Equatable, Sendable {
    public var hostPath: String
    public var sandboxPath: String
    /// Descriptor number of the control socket inside the sandbox.
    public var controlFD: Int32
}

/// One `copy_on_write` folder: the game sees `original` writable; its changes land in `upper`.
public struct CopyOnWriteLayer: Codable, Equatable, Sendable {
    public var original: String
    /// `~/.local/share/winewarden/cow/<game-id>/<hash of original>`: upper/, work/, merged/, origin.
    public var layerDirectory: String
    public var upper: String { Paths.join(layerDirectory, "upper") }
    public var work: String { Paths.join(layerDirectory, "work") }
    public var merged: String { Paths.join(layerDirectory, "merged") }

    public init(original: String, layerDirectory: String) {
        self.original = original
        self.layerDirectory = layerDirectory
    }

    /// The overlay's mount options (`,`, `:` and `\\` in paths escaped as overlayfs wants).
    public var mountOptions: String {
        func esc(_ p: String) -> String {
            var out = ""
            for ch in p { if ch == "," || ch == ":" || ch == "\\" { out.append("\\") }; out.append(ch) }
            return out
        }
        return "lowerdir=\(esc(original)),upperdir=\(esc(upper)),workdir=\(esc(work)),userxattr"
    }
}
