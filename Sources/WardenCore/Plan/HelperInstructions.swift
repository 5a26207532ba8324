/// What ww tells the inner helper over the control socket (never argv or the environment, which the
/// game could read): the command, the Landlock rules and the notification filter to load.
public struct HelperInstructions: Equatable, Sendable {
    public var command: [String]
    public var landlock: LandlockPlan
    /// Classic BPF of the notification filter; empty: none.
    public var notificationFilter: [UInt8]
    /// socat bridges to start (and see listening) before the game; they end when the game's processes have.
    public var bridges: [NetworkPlan.Bridge]

    public init(command: [String], landlock: LandlockPlan, notificationFilter: [UInt8], bridges: [NetworkPlan.Bridge] = []) {
        self.command = command
        self.landlock = landlock
        self.notificationFilter = notificationFilter
        self.bridges = bridges
    }

    static let modes: [LandlockMode] = [.off, .bestEffort, .required]

    /// Little-endian, length-prefixed fields.
    public func encoded() -> [UInt8] {
        var w = WireWriter()
        w.strings(command)
        w.u32(UInt32(Self.modes.firstIndex(of: landlock.mode)!))
        w.u64(landlock.handledAccess)
        w.u64(landlock.scopes)
        w.u32(landlock.restrictFlags)
        w.u32(UInt32(landlock.rules.count))
        for r in landlock.rules { w.string(r.path); w.u64(r.access) }
        w.bytes(notificationFilter)
        w.u32(UInt32(bridges.count))
        for b in bridges {
            w.string(b.purpose)
            w.strings(b.argv)
            switch b.listener {
            case .tcp(let p): w.u32(0); w.string(String(p))
            case .udp(let p): w.u32(1); w.string(String(p))
            case .unix(let path): w.u32(2); w.string(path)
            }
        }
        return w.data
    }

    public static func decode(_ data: ArraySlice<UInt8>) -> HelperInstructions? {
        var r = WireReader(data)
        guard let command = r.strings(), let mode = r.u32(), Int(mode) < modes.count,
              let handled = r.u64(), let scopes = r.u64(), let flags = r.u32(), let count = r.u32() else { return nil }
        var rules: [LandlockPlan.Rule] = []
        for _ in 0..<count {
            guard let path = r.string(), let access = r.u64() else { return nil }
            rules.append(.init(path: path, access: access, reason: ""))
        }
        guard let filter = r.bytes(), let bridgeCount = r.u32() else { return nil }
        var bridges: [NetworkPlan.Bridge] = []
        for _ in 0..<bridgeCount {
            guard let purpose = r.string(), let argv = r.strings(), let kind = r.u32(), let where_ = r.string() else { return nil }
            let listener: NetworkPlan.Bridge.Listener
            switch (kind, Int(where_)) {
            case (0, let p?): listener = .tcp(p)
            case (1, let p?): listener = .udp(p)
            case (2, _): listener = .unix(where_)
            default: return nil
            }
            bridges.append(.init(purpose: purpose, argv: argv, listener: listener))
        }
        guard r.atEnd else { return nil }
        let plan = LandlockPlan(mode: modes[Int(mode)], handledAccess: handled, scopes: scopes, restrictFlags: flags, rules: rules, explanation: "")
        return HelperInstructions(command: command, landlock: plan, notificationFilter: filter, bridges: bridges)
    }
}

/// What the helper's child reports before it executes the game: the Landlock domain in force and
/// whether the notification filter was loaded (its listener travels with the message).
public struct EnforcementStatus: Equatable, Sendable {
    public var landlockABI: Int32 = 0
    public var landlockHandled: UInt64 = 0
    public var landlockScopes: UInt64 = 0
    public var landlockFlags: UInt32 = 0
    public var rulesAdded: Int32 = 0
    public var rulesMissing: Int32 = 0
    /// 0: Landlock applied (or nothing asked); else the errno of `failedStep`.
    public var landlockErrno: Int32 = 0
    public var failedStep: Int32 = 0
    /// 0: listener loaded; else its errno; -1: no filter asked.
    public var listenerErrno: Int32 = -1
    /// The listener's descriptor number in the reporting process (ww takes it with pidfd_getfd); -1: none.
    public var listenerFD: Int32 = -1

    public init() {}

    public func encoded() -> [UInt8] {
        var w = WireWriter()
        w.u32(UInt32(bitPattern: landlockABI)); w.u64(landlockHandled); w.u64(landlockScopes); w.u32(landlockFlags)
        w.u32(UInt32(bitPattern: rulesAdded)); w.u32(UInt32(bitPattern: rulesMissing))
        w.u32(UInt32(bitPattern: landlockErrno)); w.u32(UInt32(bitPattern: failedStep)); w.u32(UInt32(bitPattern: listenerErrno))
        w.u32(UInt32(bitPattern: listenerFD))
        return w.data
    }

    public static func decode(_ data: ArraySlice<UInt8>) -> EnforcementStatus? {
        var r = WireReader(data)
        var s = EnforcementStatus()
        guard let abi = r.u32(), let h = r.u64(), let sc = r.u64(), let f = r.u32(), let a = r.u32(), let m = r.u32(),
              let e = r.u32(), let st = r.u32(), let l = r.u32(), let fd = r.u32(), r.atEnd else { return nil }
        s.listenerFD = Int32(bitPattern: fd)
        s.landlockABI = Int32(bitPattern: abi); s.landlockHandled = h; s.landlockScopes = sc; s.landlockFlags = f
        s.rulesAdded = Int32(bitPattern: a); s.rulesMissing = Int32(bitPattern: m)
        s.landlockErrno = Int32(bitPattern: e); s.failedStep = Int32(bitPattern: st); s.listenerErrno = Int32(bitPattern: l)
        return s
    }
}

/// A process the inner helper reaped, as the helper tells ww: pid inside the sandbox, how it ended.
public struct ExitReport: Equatable, Sendable {
    public var sandboxPID: Int32
    public var isGame: Bool
    /// true: `status` is the signal that killed it; false: its exit status.
    public var killed: Bool
    public var status: Int32
    public var name: String

    public init(sandboxPID: Int32, isGame: Bool, killed: Bool, status: Int32, name: String) {
        self.sandboxPID = sandboxPID
        self.isGame = isGame
        self.killed = killed
        self.status = status
        self.name = name
    }

    public func encoded() -> [UInt8] {
        var w = WireWriter()
        w.u32(UInt32(bitPattern: sandboxPID)); w.u32((isGame ? 1 : 0) | (killed ? 2 : 0)); w.u32(UInt32(bitPattern: status)); w.string(name)
        return w.data
    }

    public static func decode(_ data: ArraySlice<UInt8>) -> ExitReport? {
        var r = WireReader(data)
        guard let pid = r.u32(), let flags = r.u32(), let status = r.u32(), let name = r.string(), r.atEnd else { return nil }
        return ExitReport(sandboxPID: Int32(bitPattern: pid), isGame: flags & 1 != 0, killed: flags & 2 != 0,
                          status: Int32(bitPattern: status), name: name)
    }
}

/// Signal names for the trail (x86_64 Linux numbering).
public enum SignalNames {
    static let names = [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
                        9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
                        16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU",
                        23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ", 26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO",
                        30: "SIGPWR", 31: "SIGSYS"]

    public static func name(_ signal: Int32) -> String { names[Int(signal)] ?? "signal \(signal)" }
}

struct WireWriter {
    var data: [UInt8] = []
    mutating func u32(_ v: UInt32) { for i in 0..<4 { data.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { data.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    mutating func bytes(_ b: [UInt8]) { u32(UInt32(b.count)); data += b }
    mutating func string(_ s: String) { bytes(Array(s.utf8)) }
    mutating func strings(_ list: [String]) { u32(UInt32(list.count)); for s in list { string(s) } }
}

struct WireReader {
    var data: ArraySlice<UInt8>
    init(_ data: ArraySlice<UInt8>) { self.data = data }
    var atEnd: Bool { data.isEmpty }
    mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, data.count >= n else { return nil }
        let out = data.prefix(n)
        data = data.dropFirst(n)
        return out
    }
    mutating func u32() -> UInt32? { take(4).map { $0.reversed().reduce(0) { $0 << 8 | UInt32($1) } } }
    mutating func u64() -> UInt64? { take(8).map { $0.reversed().reduce(0) { $0 << 8 | UInt64($1) } } }
    mutating func bytes() -> [UInt8]? { u32().flatMap { take(Int($0)) }.map(Array.init) }
    mutating func string() -> String? {
        guard let b = bytes(), !b.contains(0) else { return nil }
        return String(decoding: b, as: UTF8.self)
    }
    mutating func strings() -> [String]? {
        guard let n = u32(), n <= 1 << 20 else { return nil }
        var out: [String] = []
        for _ in 0..<n { guard let s = string() else { return nil }; out.append(s) }
        return out
    }
}
