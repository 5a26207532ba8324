// What this machine offers the sandbox (`Features`, filled in by WardenLinux's
// FeatureProbe) and the verdicts `ww features` prints about it (`FeatureReport`).
// Pure: no syscalls here, so every verdict can be unit-tested with made-up hosts.

#if canImport(FoundationEssentials)
import FoundationEssentials   // JSONEncoder without the whole of Foundation
#else
import Foundation
#endif

// MARK: - The facts

/// Everything the host probe found. Facts only; judgement lives in `FeatureReport`.
public struct Features: Codable, Sendable, Equatable {
    /// `uname -r`, e.g. "6.18.44-fc-v782".
    public var kernelRelease: String
    /// The probe ran with euid 0; user namespaces and seccomp always look better as root.
    public var probedAsRoot: Bool
    /// false: the quick probe (no trial runs); see `FeatureProbe.probe(thorough:)`.
    public var thorough: Bool
    /// nil when no `bwrap` is on PATH.
    public var bwrap: Bwrap?
    public var userNamespaces: UserNamespaces
    /// Landlock ABI version the kernel reports; 0 = no Landlock.
    public var landlockABI: Int
    /// Landlock errata bitmask (bit0 TCP socket identification, bit1 scoped signals,
    /// bit2 disconnected directories); 0 when none or the kernel cannot say.
    public var landlockErrata: Int
    /// Why `landlockABI` is 0; nil when Landlock works.
    public var landlockUnavailable: LandlockUnavailable?
    public var seccomp: Seccomp
    public var socatPath: String?
    public var xdgDbusProxyPath: String?
    public var desktop: DesktopSockets
    /// Device nodes a game needs for the GPU: /dev/dri/*, /dev/nvidia*.
    public var gpuDevices: [String]
    /// /dev/ntsync exists (Wine's NT synchronisation driver, Linux 6.14+).
    public var ntsync: Bool
    /// ww itself runs inside this container; nil on a plain host.
    public var container: Container?

    public init(
        kernelRelease: String,
        probedAsRoot: Bool = false,
        thorough: Bool = true,
        bwrap: Bwrap? = nil,
        userNamespaces: UserNamespaces = UserNamespaces(),
        landlockABI: Int = 0,
        landlockErrata: Int = 0,
        landlockUnavailable: LandlockUnavailable? = nil,
        seccomp: Seccomp = Seccomp(),
        socatPath: String? = nil,
        xdgDbusProxyPath: String? = nil,
        desktop: DesktopSockets = DesktopSockets(),
        gpuDevices: [String] = [],
        ntsync: Bool = false,
        container: Container? = nil
    ) {
        self.kernelRelease = kernelRelease
        self.probedAsRoot = probedAsRoot
        self.thorough = thorough
        self.bwrap = bwrap
        self.userNamespaces = userNamespaces
        self.landlockABI = landlockABI
        self.landlockErrata = landlockErrata
        self.landlockUnavailable = landlockUnavailable
        self.seccomp = seccomp
        self.socatPath = socatPath
        self.xdgDbusProxyPath = xdgDbusProxyPath
        self.desktop = desktop
        self.gpuDevices = gpuDevices
        self.ntsync = ntsync
        self.container = container
    }

    /// bwrap is installed and, when it was tried, actually started a sandbox.
    public var bwrapUsable: Bool {
        guard let bwrap else { return false }
        return bwrap.trial?.succeeded ?? true
    }

    /// bwrap can get its namespaces: user namespaces work (or were not tried and
    /// nothing forbids them), or bwrap is setuid root and does not need them.
    public var userNamespacesUsable: Bool { userNamespaces.usable }

    /// A sandbox can be started at all: bwrap runs and gets its namespaces (a successful
    /// bwrap trial outranks the userns trial, since bwrap is what ww actually runs).
    public var canSandbox: Bool {
        guard let bwrap, bwrapUsable, seccomp.filterAvailable else { return false }
        return userNamespacesUsable || bwrap.isSetuid || bwrap.trial?.succeeded == true
    }

    /// (major, minor) of `kernelRelease`; (0, 0) when it does not parse.
    public var kernelVersion: KernelVersion { KernelVersion(release: kernelRelease) }
}

/// Major.minor of a kernel release string, comparable.
public struct KernelVersion: Comparable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// "6.18.44-fc-v782" -> 6.18; unparsable -> 0.0.
    public init(release: String) {
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).map { Int($0) ?? 0 }
        self.init(numbers.first ?? 0, numbers.count > 1 ? numbers[1] : 0)
    }

    public static func < (a: KernelVersion, b: KernelVersion) -> Bool {
        (a.major, a.minor) < (b.major, b.minor)
    }

    public var description: String { "\(major).\(minor)" }
}

extension Features {
    // MARK: bwrap

    /// The bubblewrap binary found on PATH and what it can do.
    public struct Bwrap: Codable, Sendable, Equatable {
        public var path: String
        /// "0.8.0"; nil when `bwrap --version` was not run (quick probe) or said nothing usable.
        public var version: String?
        /// Installed setuid root: works without user namespaces but refuses `--overlay`.
        public var isSetuid: Bool
        /// false when `bwrap --help` could not be read; then every `supports*` is false.
        public var optionsKnown: Bool
        public var supportsBindFd: Bool
        public var supportsOverlay: Bool
        public var supportsDisableUserns: Bool
        public var supportsJsonStatusFd: Bool
        public var supportsClearenv: Bool
        public var supportsChmod: Bool
        public var supportsPerms: Bool
        public var supportsSizeOption: Bool
        /// Result of starting a throwaway sandbox; nil when not tried (quick probe).
        public var trial: Trial?

        public struct Trial: Codable, Sendable, Equatable {
            public var succeeded: Bool
            /// bwrap's own complaint (first line of its output) when it failed.
            public var message: String?

            public init(succeeded: Bool, message: String? = nil) {
                self.succeeded = succeeded
                self.message = message
            }
        }

        public init(
            path: String,
            version: String? = nil,
            isSetuid: Bool = false,
            options: Set<String>?,
            trial: Trial? = nil
        ) {
            let options = options ?? []
            self.path = path
            self.version = version
            self.isSetuid = isSetuid
            self.optionsKnown = !options.isEmpty
            self.supportsBindFd = options.contains("--bind-fd")
            self.supportsOverlay = options.contains("--overlay")
            self.supportsDisableUserns = options.contains("--disable-userns")
            self.supportsJsonStatusFd = options.contains("--json-status-fd")
            self.supportsClearenv = options.contains("--clearenv")
            self.supportsChmod = options.contains("--chmod")
            self.supportsPerms = options.contains("--perms")
            self.supportsSizeOption = options.contains("--size")
            self.trial = trial
        }

        /// `--overlay` is listed and bwrap is not setuid (setuid bwrap refuses overlays).
        public var overlayUsable: Bool { supportsOverlay && !isSetuid }

        /// The option names bwrap lists in `bwrap --help`: the first word of each
        /// indented line that starts with "--" ("--bind-fd FD DEST  Bind open..." -> "--bind-fd").
        public static func options(fromHelp help: String) -> Set<String> {
            var found = Set<String>()
            for line in help.split(whereSeparator: \.isNewline) {
                guard let word = line.split(whereSeparator: \.isWhitespace).first,
                      word.hasPrefix("--"), word.count > 2 else { continue }
                found.insert(String(word))
            }
            return found
        }

        /// "bubblewrap 0.8.0\n" -> "0.8.0"; nil when no version number is present.
        public static func version(fromVersionOutput output: String) -> String? {
            output.split(whereSeparator: \.isWhitespace)
                .first(where: { $0.first?.isNumber == true && $0.contains(".") })
                .map(String.init)
        }

        /// The options ww uses beyond the basics that this bwrap lacks, as they appear on its command line.
        public var missingMinorOptions: [String] {
            [("--json-status-fd", supportsJsonStatusFd), ("--clearenv", supportsClearenv),
             ("--chmod", supportsChmod), ("--perms", supportsPerms), ("--size", supportsSizeOption)]
                .filter { !$0.1 }.map(\.0)
        }
    }

    // MARK: user namespaces

    /// Whether unprivileged user namespaces work, and if not, what stands in the way.
    public struct UserNamespaces: Codable, Sendable, Equatable {
        public enum Status: String, Codable, Sendable {
            /// A trial child created one, mapped its ids and made a mount namespace in it.
            case usable
            /// Tried and refused, or a sysctl forbids them outright.
            case blocked
            /// Not tried (quick probe) and no sysctl forbids them.
            case untested
        }

        public enum Reason: String, Codable, Sendable {
            case none
            /// Ubuntu 23.10+: kernel.apparmor_restrict_unprivileged_userns=1 strips the namespace's capabilities.
            case apparmorRestricted
            /// Debian/Arch patch: kernel.unprivileged_userns_clone=0.
            case unprivilegedCloneDisabled
            /// user.max_user_namespaces=0.
            case maxUserNamespacesZero
            /// The per-user limit of user namespaces is used up (ENOSPC).
            case limitReached
            /// Kernel built without CONFIG_USER_NS.
            case notInKernel
            /// Refused with EPERM by something outside the kernel's sysctls: a container's
            /// seccomp profile, Flatpak, SELinux, or a parent sandbox.
            case deniedBySurroundings
            /// Failed for a reason ww does not recognise; see `error`.
            case unknown
        }

        public var status: Status
        public var reason: Reason
        /// Trial step that failed ("clone(CLONE_NEWUSER)", "write /proc/self/uid_map", …); nil when none failed.
        public var failedStep: String?
        /// errno name of the failure, e.g. "EPERM".
        public var error: String?
        /// The trial ran as root, which user namespaces never refuse for lack of privilege.
        public var testedAsRoot: Bool
        /// ww already runs inside a user namespace (/proc/self/uid_map is not the identity map):
        /// a parent sandbox or container, whose limits apply to any namespace ww makes.
        public var insideUserNamespace: Bool
        /// /proc/sys/kernel/unprivileged_userns_clone; nil when this kernel has no such sysctl.
        public var unprivilegedUsernsClone: Int?
        /// /proc/sys/user/max_user_namespaces.
        public var maxUserNamespaces: Int?
        /// /proc/sys/kernel/apparmor_restrict_unprivileged_userns; nil without Ubuntu's AppArmor patch.
        public var apparmorRestrictUnprivileged: Int?

        public init(
            status: Status = .untested,
            reason: Reason = .none,
            failedStep: String? = nil,
            error: String? = nil,
            testedAsRoot: Bool = false,
            insideUserNamespace: Bool = false,
            unprivilegedUsernsClone: Int? = nil,
            maxUserNamespaces: Int? = nil,
            apparmorRestrictUnprivileged: Int? = nil
        ) {
            self.status = status
            self.reason = reason
            self.failedStep = failedStep
            self.error = error
            self.testedAsRoot = testedAsRoot
            self.insideUserNamespace = insideUserNamespace
            self.unprivilegedUsernsClone = unprivilegedUsernsClone
            self.maxUserNamespaces = maxUserNamespaces
            self.apparmorRestrictUnprivileged = apparmorRestrictUnprivileged
        }

        /// Usable when proven, or when untried and no sysctl forbids them.
        public var usable: Bool { status == .usable || (status == .untested && reason == .none) }

        /// The sysctl that forbids user namespaces before anything is tried; nil when none does.
        /// AppArmor's restriction does not count here: it spares root and profiled programs.
        public func sysctlBlock(asRoot: Bool) -> Reason? {
            if maxUserNamespaces == 0 { return .maxUserNamespacesZero }
            if unprivilegedUsernsClone == 0 && !asRoot { return .unprivilegedCloneDisabled }
            return nil
        }

        /// Why a trial failed at `step` with errno name `error`, using the sysctls as evidence.
        public func reasonForFailure(step: Step, error: String) -> Reason {
            switch (step, error) {
            case (.clone, "EINVAL"), (.clone, "ENOSYS"):
                return .notInKernel
            case (.clone, "ENOSPC"), (.clone, "EUSERS"):
                if maxUserNamespaces == 0 { return .maxUserNamespacesZero }
                // A parent sandbox (bwrap --disable-userns, Flatpak) sets its own limit to zero.
                return insideUserNamespace ? .deniedBySurroundings : .limitReached
            case (.clone, "EPERM"):
                if unprivilegedUsernsClone == 0 && !testedAsRoot { return .unprivilegedCloneDisabled }
                return .deniedBySurroundings
            case (.setgroups, "EPERM"), (.uidMap, "EPERM"), (.gidMap, "EPERM"), (.mountNamespace, "EPERM"),
                 (.setgroups, "EACCES"), (.uidMap, "EACCES"), (.gidMap, "EACCES"), (.mountNamespace, "EACCES"):
                // Ubuntu's AppArmor lets the namespace be created, then denies every capability inside
                // (bwrap then says "setting up uid map: Permission denied").
                if (apparmorRestrictUnprivileged ?? 0) != 0 && !testedAsRoot { return .apparmorRestricted }
                return .deniedBySurroundings
            default:
                return .unknown
            }
        }

        /// Trial steps, in the order bwrap performs them.
        public enum Step: String, Codable, Sendable {
            case fork = "fork"
            case clone = "clone(CLONE_NEWUSER)"
            case setgroups = "write /proc/self/setgroups"
            case uidMap = "write /proc/self/uid_map"
            case gidMap = "write /proc/self/gid_map"
            case mountNamespace = "unshare(CLONE_NEWNS) inside it"
        }
    }

    // MARK: Landlock, seccomp

    /// Why Landlock reports no ABI.
    public enum LandlockUnavailable: String, Codable, Sendable {
        /// ENOSYS: kernel older than 5.13 or built without CONFIG_SECURITY_LANDLOCK.
        case notInKernel
        /// EOPNOTSUPP: built in but not in the boot-time `lsm=` list.
        case disabledAtBoot
        /// Any other error, e.g. a container's seccomp profile returning EPERM.
        case blocked
    }

    /// seccomp as the sandbox will use it: bwrap's filter plus the helper's user-notification filter.
    public struct Seccomp: Codable, Sendable, Equatable {
        /// SECCOMP_SET_MODE_FILTER exists.
        public var filterAvailable: Bool
        /// /proc/sys/kernel/seccomp/actions_avail, e.g. ["kill_process", …, "user_notif", …, "allow"].
        public var actionsAvailable: [String]
        /// SECCOMP_RET_USER_NOTIF is available (Linux 5.0+).
        public var userNotification: Bool
        /// SECCOMP_FILTER_FLAG_NEW_LISTENER is accepted (Linux 5.0+).
        public var newListenerFlag: Bool
        /// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is accepted (Linux 5.19+).
        public var waitKillableRecvFlag: Bool
        /// How the two flags were established.
        public var flagEvidence: FlagEvidence
        /// ww itself already runs under a seccomp filter (a container or a parent sandbox).
        public var alreadyFiltered: Bool

        public enum FlagEvidence: String, Codable, Sendable {
            /// A forked child installed an allow-all filter with the flags and got a listener back.
            case childInstalledFilter
            /// seccomp() with the flags and a NULL program: EFAULT means the flags passed validation.
            case kernelFlagCheck
            /// seccomp() itself was refused, so the flags are inferred from the kernel version.
            case kernelVersion
        }

        public init(
            filterAvailable: Bool = false,
            actionsAvailable: [String] = [],
            userNotification: Bool = false,
            newListenerFlag: Bool = false,
            waitKillableRecvFlag: Bool = false,
            flagEvidence: FlagEvidence = .kernelVersion,
            alreadyFiltered: Bool = false
        ) {
            self.filterAvailable = filterAvailable
            self.actionsAvailable = actionsAvailable
            self.userNotification = userNotification
            self.newListenerFlag = newListenerFlag
            self.waitKillableRecvFlag = waitKillableRecvFlag
            self.flagEvidence = flagEvidence
            self.alreadyFiltered = alreadyFiltered
        }
    }

    // MARK: desktop, container

    /// Sockets of the player's desktop session that a game would be given.
    public struct DesktopSockets: Codable, Sendable, Equatable {
        /// $DISPLAY, e.g. ":0".
        public var x11Display: String?
        /// /tmp/.X11-unix/X* sockets.
        public var x11Sockets: [String]
        /// $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY when it is a socket.
        public var wayland: String?
        /// $PULSE_SERVER or $XDG_RUNTIME_DIR/pulse/native when it is a socket.
        public var pulseaudio: String?
        /// $XDG_RUNTIME_DIR/pipewire-0 (or $PIPEWIRE_REMOTE) when it is a socket.
        public var pipewire: String?
        /// The session bus socket from $DBUS_SESSION_BUS_ADDRESS (unix:path=…) or $XDG_RUNTIME_DIR/bus.
        public var sessionBus: String?

        public init(
            x11Display: String? = nil,
            x11Sockets: [String] = [],
            wayland: String? = nil,
            pulseaudio: String? = nil,
            pipewire: String? = nil,
            sessionBus: String? = nil
        ) {
            self.x11Display = x11Display
            self.x11Sockets = x11Sockets
            self.wayland = wayland
            self.pulseaudio = pulseaudio
            self.pipewire = pipewire
            self.sessionBus = sessionBus
        }
    }

    /// The container ww itself runs in.
    public struct Container: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable {
            case flatpak   // /.flatpak-info
            case podman    // /run/.containerenv
            case docker    // /.dockerenv
            case other     // /run/systemd/container or $container names something else
        }

        public var kind: Kind
        /// The file or variable that gave it away, e.g. "/.dockerenv".
        public var evidence: String

        public init(kind: Kind, evidence: String) {
            self.kind = kind
            self.evidence = evidence
        }
    }
}

// MARK: - The verdicts

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

// MARK: judging each feature

extension FeatureReport {
    static func upgradeBwrap(to version: String) -> String {
        "Upgrade bubblewrap to \(version) or later (from your distribution's backports or a newer release)."
    }

    static func checks(for f: Features) -> [FeatureCheck] {
        [kernel(f), bwrap(f)] + bwrapOptions(f)
            + [userNamespaces(f), landlock(f), seccompFilter(f), seccompNotify(f),
               socat(f), dbusProxy(f), display(f), sound(f), gpu(f), ntsync(f), container(f)]
    }

    static func kernel(_ f: Features) -> FeatureCheck {
        let version = f.kernelVersion
        if version < KernelVersion(5, 13) {
            return FeatureCheck(
                name: "kernel", verdict: .degraded, detail: "Linux \(f.kernelRelease)",
                cost: "Kernels before 5.13 lack Landlock and before 5.0 lack seccomp user notification.",
                fix: "Upgrade to a current kernel (6.12 or later gives every protection ww uses).")
        }
        return FeatureCheck(name: "kernel", verdict: .ok,
                            detail: "Linux \(f.kernelRelease)\(f.probedAsRoot ? " (probed as root)" : "")")
    }

    static let installBwrap = "Install bubblewrap: `sudo apt install bubblewrap`, `sudo dnf install bubblewrap` or `sudo pacman -S bubblewrap`."

    static func bwrap(_ f: Features) -> FeatureCheck {
        guard let b = f.bwrap else {
            return FeatureCheck(
                name: "bwrap", verdict: .missing, detail: "no bwrap on PATH",
                cost: "Nothing can be sandboxed: `ww run` stops with exit status 125.",
                fix: installBwrap)
        }
        var facts = ["\(b.version.map { "bubblewrap \($0)" } ?? "bubblewrap") at \(b.path)"]
        if b.isSetuid { facts.append("setuid root") }
        if let trial = b.trial {
            if !trial.succeeded {
                let said = trial.message.map { ": \($0)" } ?? ""
                let fix = f.userNamespacesUsable
                    ? "Run `\(b.path) --unshare-user --ro-bind / / true` to see the error, and reinstall bubblewrap or allow it in your AppArmor/SELinux policy."
                    : "Make user namespaces work (see \"user namespaces\" below) or install bwrap setuid root (`sudo chmod u+s \(b.path)`)."
                return FeatureCheck(
                    name: "bwrap", verdict: .missing,
                    detail: (facts + ["a test sandbox failed\(said)"]).joined(separator: "; "),
                    cost: "Nothing can be sandboxed: bwrap cannot start a sandbox here.", fix: fix)
            }
            facts.append("a test sandbox started")
        }
        if !b.optionsKnown {
            return FeatureCheck(
                name: "bwrap", verdict: .degraded,
                detail: (facts + ["`bwrap --help` could not be read"]).joined(separator: "; "),
                cost: "ww cannot tell which options this bwrap has and uses only the oldest ones.",
                fix: "Check that `\(b.path) --help` runs; reinstall bubblewrap if it does not.")
        }
        let lacking = b.missingMinorOptions
        if !lacking.isEmpty {
            return FeatureCheck(
                name: "bwrap", verdict: .degraded,
                detail: (facts + ["lacks \(lacking.joined(separator: " "))"]).joined(separator: "; "),
                cost: "This bwrap is too old for parts of the plan (exact environment, file modes, sandbox status reports).",
                fix: upgradeBwrap(to: "0.8.0"))
        }
        return FeatureCheck(name: "bwrap", verdict: .ok, detail: facts.joined(separator: "; "))
    }

    static func bwrapOptions(_ f: Features) -> [FeatureCheck] {
        let version = f.bwrap?.version.map { "bubblewrap \($0)" } ?? "this bwrap"
        func option(_ name: String, has: (Features.Bwrap) -> Bool, since: String, cost: String) -> FeatureCheck {
            guard let b = f.bwrap else {
                return FeatureCheck(name: "bwrap \(name)", verdict: .missing, detail: "no bwrap",
                                    cost: cost, fix: installBwrap)
            }
            if has(b) { return FeatureCheck(name: "bwrap \(name)", verdict: .ok, detail: "supported") }
            return FeatureCheck(name: "bwrap \(name)", verdict: .missing,
                                detail: "\(version) has no \(name) (added in \(since))",
                                cost: cost, fix: upgradeBwrap(to: since))
        }
        var overlay = option(
            "--overlay", has: \.supportsOverlay, since: "0.11.0",
            cost: "Copy-on-write game folders (`copy_on_write`) are unavailable; such folders must be bound read-write or read-only instead.")
        if let b = f.bwrap, b.supportsOverlay, b.isSetuid {
            overlay = FeatureCheck(
                name: "bwrap --overlay", verdict: .missing, detail: "bwrap is setuid root, which refuses overlays",
                cost: overlay.cost,
                fix: "Make user namespaces work and remove the setuid bit (`sudo chmod u-s \(b.path)`).")
        }
        return [
            option("--bind-fd", has: \.supportsBindFd, since: "0.7.0",
                   cost: "Folders are bound by path, which leaves a window for symlink swaps between check and mount (CVE-2024-42472 class)."),
            option("--disable-userns", has: \.supportsDisableUserns, since: "0.8.0",
                   cost: "Nested user namespaces are refused only by ww's seccomp rule, not also by bwrap's own lock."),
            overlay,
        ]
    }

    static func userNamespaces(_ f: Features) -> FeatureCheck {
        let u = f.userNamespaces
        let asRoot = u.testedAsRoot ? " (tested as root; an ordinary user may be refused)" : ""
        switch u.status {
        case .usable:
            return FeatureCheck(
                name: "user namespaces", verdict: .ok,
                detail: "a test child created one, mapped its ids and made a mount namespace\(asRoot)")
        case .untested where u.reason == .none:
            return FeatureCheck(
                name: "user namespaces", verdict: .ok,
                detail: "not tried (quick probe); no sysctl forbids them")
        default:
            break
        }
        var detail: String
        if let step = u.failedStep {
            detail = "refused at \(step)" + (u.error.map { " with \($0)" } ?? "") + asRoot
            if u.insideUserNamespace { detail += "; ww already runs inside a user namespace" }
        } else {
            detail = "forbidden by sysctl"
        }
        detail += "; " + sysctlSummary(u)
        let cost: String
        if f.bwrap?.isSetuid == true {
            cost = "bwrap falls back to setuid root: overlays are refused and a bug in bwrap would run as root."
        } else if f.bwrap?.trial?.succeeded == true {
            cost = "bwrap's own test sandbox started, so ww works; launchers that build namespaces inside it (Steam's pressure-vessel) may fail."
        } else {
            return FeatureCheck(
                name: "user namespaces", verdict: .missing, detail: detail,
                cost: "bwrap cannot build a sandbox, so nothing can be sandboxed.",
                fix: userNamespaceFix(u.reason))
        }
        return FeatureCheck(name: "user namespaces", verdict: .degraded, detail: detail,
                            cost: cost, fix: userNamespaceFix(u.reason))
    }

    static func sysctlSummary(_ u: Features.UserNamespaces) -> String {
        var parts: [String] = []
        if let v = u.unprivilegedUsernsClone { parts.append("kernel.unprivileged_userns_clone=\(v)") }
        if let v = u.maxUserNamespaces { parts.append("user.max_user_namespaces=\(v)") }
        if let v = u.apparmorRestrictUnprivileged { parts.append("kernel.apparmor_restrict_unprivileged_userns=\(v)") }
        return parts.isEmpty ? "no userns sysctls present" : parts.joined(separator: ", ")
    }

    static func userNamespaceFix(_ reason: Features.UserNamespaces.Reason) -> String {
        switch reason {
        case .apparmorRestricted:
            return "Give bwrap an AppArmor profile that allows userns (`sudo cp /usr/share/apparmor/extra-profiles/bwrap-userns-restrict /etc/apparmor.d/ && sudo systemctl reload apparmor`), or turn the restriction off with `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0` (persist it in /etc/sysctl.d/)."
        case .unprivilegedCloneDisabled:
            return "Run `sudo sysctl kernel.unprivileged_userns_clone=1` and persist it in /etc/sysctl.d/99-userns.conf."
        case .maxUserNamespacesZero:
            return "Run `sudo sysctl user.max_user_namespaces=15000` and persist it in /etc/sysctl.d/99-userns.conf."
        case .limitReached:
            return "Close other sandboxes or raise `user.max_user_namespaces` with sysctl."
        case .notInKernel:
            return "Use a kernel built with CONFIG_USER_NS=y (every mainstream distribution kernel is)."
        case .deniedBySurroundings:
            return "Run ww on the host rather than inside another sandbox, container or Flatpak, or allow clone/unshare(CLONE_NEWUSER) in the container's seccomp profile."
        case .unknown, .none:
            return "Run `unshare --user --map-root-user true` to see the error, and check SELinux or AppArmor denials in the journal."
        }
    }

    /// What each Landlock ABI adds, for saying what an older one costs.
    static let landlockAdds: [(abi: Int, what: String)] = [
        (2, "renames and links across folders (REFER)"),
        (3, "truncation control"),
        (4, "TCP port rules"),
        (5, "device ioctl control"),
        (6, "scoping of abstract unix sockets (X11 @/tmp/.X11-unix) and signals"),
        (7, "audit records of denials"),
    ]

    static let landlockErrataNames: [(bit: Int, name: String)] = [
        (0, "TCP socket identification"), (1, "scoped signals"), (2, "disconnected directories"),
    ]

    static func landlock(_ f: Features) -> FeatureCheck {
        let abi = f.landlockABI
        guard abi > 0 else {
            let (detail, fix): (String, String)
            switch f.landlockUnavailable {
            case .disabledAtBoot?:
                detail = "built into the kernel but disabled at boot"
                fix = "Add landlock to the kernel's `lsm=` boot parameter (e.g. lsm=landlock,lockdown,yama,apparmor,bpf) and reboot."
            case .blocked?:
                detail = "the kernel refused the Landlock probe (container seccomp profile?)"
                fix = "Run ww on the host, or allow the landlock_* syscalls in the container's seccomp profile."
            case .notInKernel? where f.seccomp.alreadyFiltered:
                detail = "ENOSYS: not in this kernel, or hidden by the seccomp filter ww already runs under"
                fix = "Run ww on the host, or use Linux 6.12 or later built with CONFIG_SECURITY_LANDLOCK=y."
            case .notInKernel?, nil:
                detail = "not in this kernel"
                fix = "Use Linux 6.12 or later built with CONFIG_SECURITY_LANDLOCK=y."
            }
            return FeatureCheck(
                name: "landlock", verdict: .missing, detail: detail,
                cost: "No second barrier behind the mount namespace: a mistake in the mounts is not caught, and abstract unix sockets and signals are not scoped.",
                fix: fix)
        }
        var detail = "ABI \(abi)"
        let errata = landlockErrataNames.filter { f.landlockErrata & (1 << $0.bit) != 0 }.map(\.name)
        detail += errata.isEmpty ? ", no errata reported" : ", errata fixed: \(errata.joined(separator: ", "))"
        if abi > 7 { detail += " (ww uses ABI 7 features)" }
        let lacking = landlockAdds.filter { $0.abi > abi && $0.abi <= 6 }.map(\.what)
        if !lacking.isEmpty {
            return FeatureCheck(
                name: "landlock", verdict: .degraded, detail: detail,
                cost: "Without ABI 6 there is no " + lacking.joined(separator: ", ") + ".",
                fix: "Upgrade to Linux 6.12 or later for Landlock ABI 6.")
        }
        if abi < 7 { detail += "; no audit records (ABI 7, Linux 6.15)" }
        return FeatureCheck(name: "landlock", verdict: .ok, detail: detail)
    }

    static func seccompFilter(_ f: Features) -> FeatureCheck {
        let s = f.seccomp
        let nested = s.alreadyFiltered ? "; ww already runs under a seccomp filter" : ""
        guard s.filterAvailable else {
            return FeatureCheck(
                name: "seccomp filter", verdict: .missing, detail: "SECCOMP_SET_MODE_FILTER unavailable\(nested)",
                cost: "Dangerous syscalls (TIOCSTI, io_uring, the mount API, nested namespaces) cannot be blocked, so ww refuses to start sandboxes.",
                fix: "Use a kernel built with CONFIG_SECCOMP_FILTER=y, or run ww outside the container that blocks seccomp().")
        }
        let actions = s.actionsAvailable.isEmpty ? "actions unknown" : "actions: " + s.actionsAvailable.joined(separator: " ")
        return FeatureCheck(name: "seccomp filter", verdict: .ok, detail: actions + nested)
    }

    static func seccompNotify(_ f: Features) -> FeatureCheck {
        let s = f.seccomp
        let how: String
        switch s.flagEvidence {
        case .childInstalledFilter: how = "a test child got a listener"
        case .kernelFlagCheck: how = "flags checked by the kernel, nothing installed"
        case .kernelVersion: how = "inferred from the kernel version; seccomp() could not be asked"
        }
        guard s.filterAvailable, s.userNotification, s.newListenerFlag else {
            return FeatureCheck(
                name: "seccomp user notification", verdict: .missing,
                detail: "user_notif \(s.userNotification ? "available" : "unavailable"), NEW_LISTENER \(s.newListenerFlag ? "accepted" : "refused") (\(how))",
                cost: "exec and connect are not watched: no live process policy and no per-connection records; only seccomp errno rules and Landlock enforce.",
                fix: "Upgrade to Linux 5.19 or later.")
        }
        if !s.waitKillableRecvFlag {
            return FeatureCheck(
                name: "seccomp user notification", verdict: .degraded,
                detail: "NEW_LISTENER accepted, WAIT_KILLABLE_RECV refused (\(how))",
                cost: "A signal during a watched exec or connect makes the game repeat the call, so notifications may repeat.",
                fix: "Upgrade to Linux 5.19 or later.")
        }
        return FeatureCheck(name: "seccomp user notification", verdict: .ok,
                            detail: "NEW_LISTENER and WAIT_KILLABLE_RECV accepted (\(how))")
    }

    static func socat(_ f: Features) -> FeatureCheck {
        if let path = f.socatPath { return FeatureCheck(name: "socat", verdict: .ok, detail: path) }
        return FeatureCheck(
            name: "socat", verdict: .missing, detail: "no socat on PATH",
            cost: "Network mode `proxy` cannot start (socat bridges are its only way out); `off`, `observe` and `full` still work.",
            fix: "Install socat (`sudo apt install socat`, `sudo dnf install socat`, `sudo pacman -S socat`).")
    }

    static func dbusProxy(_ f: Features) -> FeatureCheck {
        if let path = f.xdgDbusProxyPath { return FeatureCheck(name: "xdg-dbus-proxy", verdict: .ok, detail: path) }
        return FeatureCheck(
            name: "xdg-dbus-proxy", verdict: .missing, detail: "no xdg-dbus-proxy on PATH",
            cost: "`dbus = \"filtered\"` cannot work, so games get no D-Bus (no notifications, screensaver inhibit or GameMode).",
            fix: "Install xdg-dbus-proxy (`sudo apt install xdg-dbus-proxy`; Flatpak users already have it).")
    }

    static func display(_ f: Features) -> FeatureCheck {
        let d = f.desktop
        var found: [String] = []
        if !d.x11Sockets.isEmpty {
            found.append("X11 " + (d.x11Display.map { "DISPLAY=\($0), " } ?? "") + d.x11Sockets.joined(separator: " "))
        }
        if let w = d.wayland { found.append("Wayland \(w)") }
        if found.isEmpty {
            return FeatureCheck(
                name: "display", verdict: .missing,
                detail: "no X11 or Wayland socket" + (d.x11Display.map { " (DISPLAY=\($0) but no socket in /tmp/.X11-unix)" } ?? ""),
                cost: "Games cannot open a window (fine for headless tests).",
                fix: "Run ww from inside your desktop session, where DISPLAY or WAYLAND_DISPLAY is set.")
        }
        if d.x11Sockets.isEmpty {
            return FeatureCheck(
                name: "display", verdict: .degraded, detail: found.joined(separator: "; "),
                cost: "No X11: Wine needs XWayland unless the game uses Wine's Wayland driver.",
                fix: "Enable XWayland in your compositor.")
        }
        return FeatureCheck(name: "display", verdict: .ok, detail: found.joined(separator: "; "))
    }

    static func sound(_ f: Features) -> FeatureCheck {
        let d = f.desktop
        let found = [d.pipewire.map { "PipeWire \($0)" }, d.pulseaudio.map { "PulseAudio \($0)" }].compactMap { $0 }
        if found.isEmpty {
            return FeatureCheck(
                name: "sound", verdict: .missing, detail: "no PipeWire or PulseAudio socket",
                cost: "Games play no sound.",
                fix: "Run ww from inside your desktop session with PipeWire (pipewire-pulse) or PulseAudio running.")
        }
        if d.pulseaudio == nil {
            return FeatureCheck(
                name: "sound", verdict: .degraded, detail: found.joined(separator: "; "),
                cost: "Wine talks PulseAudio, so games stay silent without pipewire-pulse.",
                fix: "Install and start pipewire-pulse.")
        }
        return FeatureCheck(name: "sound", verdict: .ok, detail: found.joined(separator: "; "))
    }

    static func gpu(_ f: Features) -> FeatureCheck {
        if f.gpuDevices.isEmpty {
            return FeatureCheck(
                name: "gpu", verdict: .missing, detail: "no /dev/dri or /dev/nvidia* devices",
                cost: "No GPU acceleration: games fall back to software rendering (llvmpipe) or refuse to start.",
                fix: "Install your GPU driver and check that /dev/dri exists and your user is in the video and render groups.")
        }
        return FeatureCheck(name: "gpu", verdict: .ok, detail: f.gpuDevices.joined(separator: " "))
    }

    static func ntsync(_ f: Features) -> FeatureCheck {
        if f.ntsync { return FeatureCheck(name: "ntsync", verdict: .ok, detail: "/dev/ntsync") }
        return FeatureCheck(
            name: "ntsync", verdict: .missing, detail: "no /dev/ntsync",
            cost: "Wine uses esync/fsync instead; most games lose nothing.",
            fix: f.kernelVersion < KernelVersion(6, 14)
                ? "Upgrade to Linux 6.14 or later and load the driver with `sudo modprobe ntsync`."
                : "Load the driver with `sudo modprobe ntsync`.")
    }

    static func container(_ f: Features) -> FeatureCheck {
        guard let c = f.container else {
            return FeatureCheck(name: "container", verdict: .ok, detail: "ww runs on the host")
        }
        switch c.kind {
        case .flatpak:
            return FeatureCheck(
                name: "container", verdict: .degraded, detail: "ww runs inside Flatpak (\(c.evidence))",
                cost: "Flatpak forbids new user namespaces inside it, and the report describes the Flatpak, not your machine.",
                fix: "Install ww on the host, or call it through `flatpak-spawn --host ww …`.")
        case .podman, .docker, .other:
            return FeatureCheck(
                name: "container", verdict: .degraded, detail: "ww runs inside a \(c.kind.rawValue) container (\(c.evidence))",
                cost: "The report describes the container: its seccomp and mount limits apply on top, and display, sound and GPU are often absent.",
                fix: "Run ww on the machine where the games run.")
        }
    }
}

// MARK: - The table

extension FeatureReport {
    /// Aligned plain-text table: CHECK, VERDICT, DETAIL, with cost and fix lines under
    /// each line that is not ok. Wraps at `width` columns; no colour, no box characters.
    public func renderTable(width: Int = 100) -> String {
        let nameWidth = max(5, checks.map(\.name.count).max() ?? 0)
        let verdictWidth = 8
        let indent = nameWidth + 2 + verdictWidth + 2
        let textWidth = max(30, width - indent)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }

        var out = [pad("CHECK", nameWidth) + "  " + pad("VERDICT", verdictWidth) + "  DETAIL"]
        for check in checks {
            var first = true
            func emit(_ text: String, prefix: String) {
                let lines = FeatureReport.wrap(text, width: textWidth - prefix.count)
                for (i, line) in lines.enumerated() {
                    let lead = first
                        ? pad(check.name, nameWidth) + "  " + pad(check.verdict.rawValue, verdictWidth) + "  "
                        : String(repeating: " ", count: indent)
                    let label = i == 0 ? prefix : String(repeating: " ", count: prefix.count)
                    out.append(lead + label + line)
                    first = false
                }
            }
            emit(check.detail, prefix: "")
            if let cost = check.cost, check.verdict != .ok { emit(cost, prefix: "cost: ") }
            if let fix = check.fix, check.verdict != .ok { emit(fix, prefix: "fix:  ") }
        }
        let degraded = checks.filter { $0.verdict == .degraded }.count
        let missing = checks.filter { $0.verdict == .missing }.count
        out.append("")
        out.append((canSandbox ? "ww can sandbox games on this machine" : "ww CANNOT sandbox games on this machine")
                   + " (\(checks.count - degraded - missing) ok, \(degraded) degraded, \(missing) missing)"
                   + (features.thorough ? "" : "; quick probe, run `ww features` for trial runs") + ".")
        return out.joined(separator: "\n") + "\n"
    }

    /// Greedy word wrap; a word longer than `width` gets a line of its own.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        lines.append(current)
        return lines
    }
}
