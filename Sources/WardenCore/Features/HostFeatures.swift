// What this machine offers the sandbox: `Features`, filled in by WardenLinux's FeatureProbe.
// Facts only; the verdicts `ww features` prints are in FeatureVerdicts*.swift, bwrap's own
// facts and the parsing of its --help/--version text in BwrapFeatures.swift.
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
