/// Landlock rules the inner helper applies to the game (SPEC §5): the filesystem rights mirror the
/// plan's mounts (read-only binds readable and executable, writable binds writable, devices usable),
/// and from ABI 6 abstract unix sockets and signals are scoped to the sandbox.
public struct LandlockPlan: Codable, Equatable, Sendable {
    public struct Rule: Codable, Equatable, Sendable {
        public var path: String
        public var access: UInt64
        public var reason: String
    }

    public var mode: LandlockMode
    /// Filesystem rights handled (refused unless a rule grants them). 0: filesystem left to the mounts.
    public var handledAccess: UInt64
    public var scopes: UInt64
    public var restrictFlags: UInt32
    public var rules: [Rule]
    public var explanation: String

    public var isOff: Bool { mode == .off }
}

/// Landlock access rights and scopes, as in `include/uapi/linux/landlock.h`.
public enum LandlockAccess {
    public static let execute: UInt64 = 1 << 0
    public static let writeFile: UInt64 = 1 << 1
    public static let readFile: UInt64 = 1 << 2
    public static let readDir: UInt64 = 1 << 3
    public static let removeDir: UInt64 = 1 << 4
    public static let removeFile: UInt64 = 1 << 5
    public static let makeChar: UInt64 = 1 << 6
    public static let makeDir: UInt64 = 1 << 7
    public static let makeReg: UInt64 = 1 << 8
    public static let makeSock: UInt64 = 1 << 9
    public static let makeFifo: UInt64 = 1 << 10
    public static let makeBlock: UInt64 = 1 << 11
    public static let makeSym: UInt64 = 1 << 12
    public static let refer: UInt64 = 1 << 13      // ABI 2
    public static let truncate: UInt64 = 1 << 14   // ABI 3
    public static let ioctlDev: UInt64 = 1 << 15   // ABI 5
    public static let all: UInt64 = (1 << 16) - 1

    public static let scopeAbstractUnixSocket: UInt64 = 1 << 0   // ABI 6
    public static let scopeSignal: UInt64 = 1 << 1               // ABI 6
    public static let logNewExecOn: UInt32 = 1 << 1             // ABI 7

    public static let readOnly = readFile | readDir | execute
    /// Everything but making device nodes, which nothing inside may do.
    public static let readWrite = all & ~(makeChar | makeBlock)
    public static let device = readFile | writeFile | readDir | ioctlDev
    public static let procfs = readFile | writeFile | readDir

    static let names: [(UInt64, String)] = [
        (execute, "execute"), (writeFile, "write_file"), (readFile, "read_file"), (readDir, "read_dir"),
        (removeDir, "remove_dir"), (removeFile, "remove_file"), (makeChar, "make_char"), (makeDir, "make_dir"),
        (makeReg, "make_reg"), (makeSock, "make_sock"), (makeFifo, "make_fifo"), (makeBlock, "make_block"),
        (makeSym, "make_sym"), (refer, "refer"), (truncate, "truncate"), (ioctlDev, "ioctl_dev"),
    ]

    /// `read_file,read_dir,execute`-style text; `read-write` etc. for the usual sets.
    public static func describe(_ access: UInt64) -> String {
        switch access {
        case readOnly: return "read+execute"
        case readWrite: return "read-write"
        case device: return "device"
        case procfs: return "read-write (no execute)"
        default: return names.filter { access & $0.0 != 0 }.map(\.1).joined(separator: ",")
        }
    }

    public static func describeScopes(_ scopes: UInt64) -> String {
        var out: [String] = []
        if scopes & scopeAbstractUnixSocket != 0 { out.append("abstract unix sockets") }
        if scopes & scopeSignal != 0 { out.append("signals") }
        return out.isEmpty ? "none" : out.joined(separator: ", ")
    }
}

extension LandlockPlan {
    /// Rules mirroring the mounts. With `nestedSandbox` the launch chain mounts its own container,
    /// which a Landlock domain handling any filesystem right forbids: only the scopes are kept and
    /// the filesystem is confined by the mounts alone (DESIGN lesson 1).
    public static func mirroring(_ mounts: [MountStep], mode: Traced<LandlockMode>, nestedSandbox: Traced<Bool>) -> LandlockPlan {
        let scopes = LandlockAccess.scopeAbstractUnixSocket | LandlockAccess.scopeSignal
        if mode.value == .off {
            return LandlockPlan(mode: .off, handledAccess: 0, scopes: 0, restrictFlags: 0, rules: [],
                                explanation: "off (\(mode.origin)): only the mounts and seccomp confine the game")
        }
        if nestedSandbox.value {
            return LandlockPlan(mode: mode.value, handledAccess: 0, scopes: scopes, restrictFlags: LandlockAccess.logNewExecOn, rules: [],
                                explanation: "scoping only (nested_sandbox, \(nestedSandbox.origin)): a domain with filesystem rights would forbid the launch chain's own bwrap")
        }
        var rules: [Rule] = [Rule(path: "/", access: LandlockAccess.readDir, reason: "list folders (what exists is decided by the mounts)")]
        func grant(_ path: String, _ access: UInt64, _ reason: String) {
            if let i = rules.firstIndex(where: { $0.path == path }) { rules[i].access |= access; return }
            rules.append(Rule(path: path, access: access, reason: reason))
        }
        for m in mounts {
            switch m.kind {
            case .readOnlyBind: grant(m.destination, LandlockAccess.readOnly, m.reason)
            case .bind, .overlayBind, .sessionCopy: grant(m.destination, LandlockAccess.readWrite, m.reason)
            case .deviceBind: grant(m.destination, LandlockAccess.device, m.reason)
            case .proc: grant(m.destination, LandlockAccess.procfs, m.reason)
            case .dev, .devMinimal:
                grant(m.destination, LandlockAccess.device, m.reason)
                grant(Paths.join(m.destination, "shm"), LandlockAccess.readWrite & ~LandlockAccess.execute, "shared memory (shm_open)")
            case .tmpfs where m.permissions != "0000": grant(m.destination, LandlockAccess.readWrite, m.reason)
            // A decoy lies inside what a bind above already granted (the home, the Steam client).
            // An anchor is a folder of the bind above, bound onto itself: that bind's grant covers it.
            // The device stage is no one's to use: only ww's child reaches it, outside the domain.
            case .tmpfs, .dir, .symlink, .remountReadOnly, .hideFile, .decoy, .anchor, .deviceStage: break
            }
        }
        return LandlockPlan(mode: mode.value, handledAccess: LandlockAccess.all, scopes: scopes,
                            restrictFlags: LandlockAccess.logNewExecOn, rules: rules,
                            explanation: "\(mode.value.rawValue) (\(mode.origin)): filesystem rights mirror the mounts; abstract unix sockets and signals scoped")
    }
}
