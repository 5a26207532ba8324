// Probes the host for `Features`: kernel, bwrap, user namespaces, Landlock, seccomp,
// helpers on PATH, desktop sockets, GPU devices and the container ww runs in.
// Plain Glibc on purpose: this runs on every launch and must not pull in Foundation.

import CLinux
import Glibc
import WardenCore

public enum FeatureProbe {
    /// Probes this machine.
    ///
    /// - `thorough: false` (every launch, ~3 ms, nearly all of it `bwrap --help`):
    ///   spawns exactly one process, `bwrap --help`, because the plan depends on which
    ///   options bwrap has (cache `Bwrap.options(fromHelp:)` by the binary's inode and
    ///   mtime to save even that). No fork and no trial: user namespaces are judged from
    ///   sysctls alone (`.untested` unless a sysctl forbids them), seccomp flags are
    ///   checked by the kernel with a NULL program (nothing installed), and
    ///   `bwrap --version` is skipped.
    /// - `thorough: true` (`ww features`, ~15 ms): additionally runs `bwrap --version`,
    ///   starts a throwaway sandbox (`bwrap --unshare-user --ro-bind / / true`), clones a
    ///   child into a new user namespace that maps its ids and makes a mount namespace
    ///   the way bwrap does, and forks a child that installs an allow-all filter with
    ///   NEW_LISTENER|WAIT_KILLABLE_RECV.
    public static func probe(thorough: Bool = true) -> Features {
        let asRoot = geteuid() == 0
        let release = kernelRelease()
        let (abi, landlockWhyNot) = landlock()
        return Features(
            kernelRelease: release,
            probedAsRoot: asRoot,
            thorough: thorough,
            bwrap: bwrap(thorough: thorough),
            userNamespaces: userNamespaces(thorough: thorough, asRoot: asRoot),
            landlockABI: abi,
            landlockErrata: abi > 0 ? max(0, Int(ww_landlock_errata())) : 0,
            landlockUnavailable: landlockWhyNot,
            seccomp: seccomp(thorough: thorough, kernel: KernelVersion(release: release)),
            socatPath: findExecutable("socat"),
            xdgDbusProxyPath: findExecutable("xdg-dbus-proxy"),
            desktop: desktopSockets(),
            gpuDevices: gpuDevices(),
            ntsync: isCharacterDevice("/dev/ntsync"),
            container: container()
        )
    }

    // MARK: kernel

    static func kernelRelease() -> String {
        var names = utsname()
        guard uname(&names) == 0 else { return "unknown" }
        return withUnsafeBytes(of: &names.release) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }

    public static func landlock() -> (abi: Int, whyNot: Features.LandlockUnavailable?) {
        let abi = ww_landlock_abi()
        if abi > 0 { return (Int(abi), nil) }
        switch -abi {
        case ENOSYS: return (0, .notInKernel)
        case EOPNOTSUPP: return (0, .disabledAtBoot)
        default: return (0, .blocked)
        }
    }

    // MARK: bwrap

    static func bwrap(thorough: Bool) -> Features.Bwrap? {
        // The bwrap a launch would run (never one from the player's PATH: it is not even asked --help).
        guard let path = try? BwrapLocator.find() else { return nil }
        var info = stat()
        let setuid = stat(path, &info) == 0 && info.st_mode & S_ISUID != 0 && info.st_uid == 0
        let help = run([path, "--help"]).map(\.output)
        var version: String?
        var trial: Features.Bwrap.Trial?
        if thorough {
            version = run([path, "--version"]).flatMap { Features.Bwrap.version(fromVersionOutput: $0.output) }
            trial = bwrapTrial(path)
        }
        return Features.Bwrap(path: path, version: version, isSetuid: setuid,
                              options: help.map(Features.Bwrap.options(fromHelp:)), trial: trial)
    }

    /// Starts the smallest sandbox ww's plans build on; bwrap explains any failure itself.
    static func bwrapTrial(_ path: String) -> Features.Bwrap.Trial {
        let truePath = findExecutable("true") ?? "/bin/true"
        guard let result = run([path, "--unshare-user", "--ro-bind", "/", "/", truePath]) else {
            return Features.Bwrap.Trial(succeeded: false, message: "could not start \(path)")
        }
        if result.status == 0 { return Features.Bwrap.Trial(succeeded: true) }
        let said = result.output.split(whereSeparator: \.isNewline).first.map(String.init)
        return Features.Bwrap.Trial(succeeded: false, message: said ?? "exit status \(result.status)")
    }

    // MARK: user namespaces

    static func userNamespaces(thorough: Bool, asRoot: Bool) -> Features.UserNamespaces {
        var u = Features.UserNamespaces(
            testedAsRoot: asRoot && thorough,
            insideUserNamespace: insideUserNamespace(),
            unprivilegedUsernsClone: readInt("/proc/sys/kernel/unprivileged_userns_clone"),
            maxUserNamespaces: readInt("/proc/sys/user/max_user_namespaces"),
            apparmorRestrictUnprivileged: readInt("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"))
        guard thorough else {
            if let block = u.sysctlBlock(asRoot: asRoot) {
                u.status = .blocked
                u.reason = block
            }
            return u
        }
        var error: Int32 = 0
        let failed = ww_userns_trial(&error)
        guard failed != 0 else {
            u.status = .usable
            return u
        }
        let step: Features.UserNamespaces.Step
        switch Int(failed) {
        case WW_USERNS_STEP_CLONE: step = .clone
        case WW_USERNS_STEP_SETGROUPS: step = .setgroups
        case WW_USERNS_STEP_UID_MAP: step = .uidMap
        case WW_USERNS_STEP_GID_MAP: step = .gidMap
        case WW_USERNS_STEP_MOUNT_NS: step = .mountNamespace
        default: step = .fork
        }
        u.status = .blocked
        u.failedStep = step.rawValue
        u.error = errnoName(error)
        u.reason = u.reasonForFailure(step: step, error: errnoName(error))
        return u
    }

    /// The initial namespace maps every id to itself: "0 0 4294967295".
    static func insideUserNamespace() -> Bool {
        guard let map = readFile("/proc/self/uid_map") else { return false }
        let fields = map.split(whereSeparator: \.isWhitespace)
        return fields != ["0", "0", "4294967295"]
    }

    // MARK: seccomp

    static let newListener: UInt32 = 1 << 3          // SECCOMP_FILTER_FLAG_NEW_LISTENER
    static let waitKillableRecv: UInt32 = 1 << 5     // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
    static let userNotifAction: UInt32 = 0x7fc0_0000 // SECCOMP_RET_USER_NOTIF

    static func seccomp(thorough: Bool, kernel: KernelVersion) -> Features.Seccomp {
        let actions = (readFile("/proc/sys/kernel/seccomp/actions_avail") ?? "")
            .split(whereSeparator: \.isWhitespace).map(String.init)
        let plainFilter = ww_seccomp_flags_accepted(0)
        let notifyAction = ww_seccomp_action_available(userNotifAction)
        var s = Features.Seccomp(
            filterAvailable: plainFilter == 1 || (plainFilter < 0 && !actions.isEmpty),
            actionsAvailable: actions,
            userNotification: notifyAction == 1 || (notifyAction < 0 && actions.contains("user_notif")),
            alreadyFiltered: (statusField("Seccomp").flatMap { Int($0) } ?? 0) != 0)

        // Strongest evidence first; fall back when the kernel cannot be asked.
        if thorough, case let both = ww_seccomp_listener_trial(newListener | waitKillableRecv), both >= 0 {
            s.flagEvidence = .childInstalledFilter
            s.waitKillableRecvFlag = both == 1
            s.newListenerFlag = both == 1 || ww_seccomp_listener_trial(newListener) == 1
        } else if case let listener = ww_seccomp_flags_accepted(newListener), listener >= 0 {
            s.flagEvidence = .kernelFlagCheck
            s.newListenerFlag = listener == 1
            s.waitKillableRecvFlag = ww_seccomp_flags_accepted(newListener | waitKillableRecv) == 1
        } else {
            s.flagEvidence = .kernelVersion
            s.newListenerFlag = kernel >= KernelVersion(5, 0)
            s.waitKillableRecvFlag = kernel >= KernelVersion(5, 19)
        }
        return s
    }

    // MARK: desktop, devices, container

    static func desktopSockets() -> Features.DesktopSockets {
        let runtime = env("XDG_RUNTIME_DIR") ?? "/run/user/\(getuid())"
        func inRuntime(_ name: String) -> String { name.hasPrefix("/") ? name : "\(runtime)/\(name)" }
        func socket(_ path: String) -> String? { isSocket(path) ? path : nil }

        let x11 = listDirectory("/tmp/.X11-unix")
            .filter { $0.hasPrefix("X") && $0.dropFirst().allSatisfy(\.isNumber) && $0.count > 1 }
            .map { "/tmp/.X11-unix/\($0)" }
            .filter(isSocket)
            .sorted()
        var pulse = inRuntime("pulse/native")
        if let server = env("PULSE_SERVER"), server.hasPrefix("unix:") { pulse = String(server.dropFirst(5)) }
        var bus = inRuntime("bus")
        if let address = env("DBUS_SESSION_BUS_ADDRESS"),
           let path = address.split(separator: ",").first(where: { $0.hasPrefix("unix:path=") }) {
            bus = String(path.dropFirst("unix:path=".count))
        }
        return Features.DesktopSockets(
            x11Display: env("DISPLAY"),
            x11Sockets: x11,
            wayland: socket(inRuntime(env("WAYLAND_DISPLAY") ?? "wayland-0")),
            pulseaudio: socket(pulse),
            pipewire: socket(inRuntime(env("PIPEWIRE_REMOTE") ?? "pipewire-0")),
            sessionBus: socket(bus))
    }

    static func gpuDevices() -> [String] {
        let dri = listDirectory("/dev/dri")
            .filter { $0.hasPrefix("card") || $0.hasPrefix("renderD") }
            .map { "/dev/dri/\($0)" }
        let nvidia = listDirectory("/dev")
            .filter { $0.hasPrefix("nvidia") }
            .map { "/dev/\($0)" }
            .filter(isCharacterDevice)
        return dri.sorted() + nvidia.sorted()
    }

    static func container() -> Features.Container? {
        if exists("/.flatpak-info") { return Features.Container(kind: .flatpak, evidence: "/.flatpak-info") }
        if exists("/run/.containerenv") { return Features.Container(kind: .podman, evidence: "/run/.containerenv") }
        if exists("/.dockerenv") { return Features.Container(kind: .docker, evidence: "/.dockerenv") }
        let named: (String, String)? =
            (readFile("/run/systemd/container").map { ($0, "/run/systemd/container") })
            ?? env("container").map { ($0, "$container") }
        guard let (raw, evidence) = named else { return nil }
        let name = trimmed(raw)
        guard !name.isEmpty else { return nil }
        let kind: Features.Container.Kind = switch name {
        case "flatpak": .flatpak
        case "podman", "oci": .podman
        case "docker": .docker
        default: .other
        }
        return Features.Container(kind: kind, evidence: "\(evidence)=\(name)")
    }
}

// MARK: - Small Glibc helpers (internal so tests and other probes can share them)

extension FeatureProbe {
    static func env(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let s = String(cString: value)
        return s.isEmpty ? nil : s
    }

    /// First `limit` bytes of a file as text; nil when it cannot be read.
    static func readFile(_ path: String, limit: Int = 65536) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: limit)
        var used = 0
        while used < limit {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + used, limit - used) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            used += n
        }
        return String(decoding: bytes[..<used], as: UTF8.self)
    }

    static func readInt(_ path: String) -> Int? {
        readFile(path).flatMap { Int(trimmed($0)) }
    }

    /// A field of /proc/self/status, e.g. "Seccomp" -> "0".
    static func statusField(_ name: String) -> String? {
        guard let status = readFile("/proc/self/status") else { return nil }
        for line in status.split(whereSeparator: \.isNewline) where line.hasPrefix(name + ":") {
            return trimmed(line.dropFirst(name.count + 1))
        }
        return nil
    }

    static func trimmed<S: StringProtocol>(_ s: S) -> String {
        String(s.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    static func fileType(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
    static func isSocket(_ path: String) -> Bool { fileType(path) == S_IFSOCK }
    static func isCharacterDevice(_ path: String) -> Bool { fileType(path) == S_IFCHR }

    static func listDirectory(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) {
                String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The first executable regular file called `name` on $PATH.
    public static func findExecutable(_ name: String) -> String? {
        let path = env("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if fileType(candidate) == S_IFREG && access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Runs argv with output captured; nil when it could not be started.
    static func run(_ argv: [String], timeoutMilliseconds: Int32 = 3000) -> (status: Int32, output: String)? {
        let cArgs = argv.map { strdup($0) }
        defer { cArgs.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = cArgs.map { UnsafePointer($0) } + [nil]
        var buffer = [CChar](repeating: 0, count: 65536)
        let status = pointers.withUnsafeMutableBufferPointer { args in
            buffer.withUnsafeMutableBufferPointer { out in
                ww_probe_run_capture(args.baseAddress, out.baseAddress, out.count, timeoutMilliseconds)
            }
        }
        guard status >= 0 else { return nil }
        let output = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        // Exit code when it exited, 128+signal when killed, as a shell would say it.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, output)
    }

    static func errnoName(_ code: Int32) -> String {
        let names: [Int32: String] = [
            EPERM: "EPERM", ENOENT: "ENOENT", EINTR: "EINTR", EIO: "EIO", ECHILD: "ECHILD",
            EAGAIN: "EAGAIN", ENOMEM: "ENOMEM", EACCES: "EACCES", EFAULT: "EFAULT", EBUSY: "EBUSY",
            EINVAL: "EINVAL", ENOSPC: "ENOSPC", ENOSYS: "ENOSYS", EUSERS: "EUSERS", EOPNOTSUPP: "EOPNOTSUPP",
        ]
        return names[code] ?? "errno \(code)"
    }
}
