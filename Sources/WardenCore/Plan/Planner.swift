/// Turns (launch context, merged profile, host facts) into a `SandboxPlan`. Pure: no I/O beyond the
/// questions `HostFacts` answers, so every decision is golden-tested.
public struct Planner {
    public let context: LaunchContext
    public let identity: GameIdentity
    public let profile: Profile
    public let profileReason: String
    public let host: HostFacts

    /// Where the re-executed ww lives inside every sandbox (read-only, outside anything writable).
    public static let helperSandboxPath = "/run/winewarden/ww"
    public static let xauthoritySandboxPath = "/run/winewarden/Xauthority"
    public static let controlFD: Int32 = 3

    public init(context: LaunchContext, identity: GameIdentity, profile: Profile, profileReason: String, host: HostFacts) {
        self.context = context
        self.identity = identity
        self.profile = profile
        self.profileReason = profileReason
        self.host = host
    }

    private var fs: any HostFileSystem { host.fileSystem }
    private var home: String { context.user.home }

    public var virtualRoot: String { Paths.join(host.dataDirectory, "virtual/\(identity.id)") }

    /// Variables profiles may use, for this launch.
    public var variables: [String: String] {
        var v: [String: String] = [
            "HOME": home, "USER": context.user.name, "UID": String(context.user.uid), "GAME_ID": identity.id,
            "XDG_CONFIG_HOME": context.env("XDG_CONFIG_HOME") ?? Paths.join(home, ".config"),
            "XDG_DATA_HOME": context.env("XDG_DATA_HOME") ?? Paths.join(home, ".local/share"),
            "XDG_CACHE_HOME": context.env("XDG_CACHE_HOME") ?? Paths.join(home, ".cache"),
            "XDG_STATE_HOME": context.env("XDG_STATE_HOME") ?? Paths.join(home, ".local/state"),
        ]
        if let d = identity.gameDirectory { v["GAME_DIR"] = d }
        for name in ["WINEPREFIX", "STEAM_COMPAT_DATA_PATH", "STEAM_COMPAT_INSTALL_PATH", "STEAM_COMPAT_CLIENT_INSTALL_PATH",
                     "STEAM_COMPAT_SHADER_PATH", "PROTON_EAC_RUNTIME", "PROTON_BATTLEYE_RUNTIME", "XDG_RUNTIME_DIR"] {
            if let value = context.env(name), value.hasPrefix("/") { v[name] = value }
        }
        return v
    }

    /// Colon-separated lists Steam passes (compatibility tools innermost first, libraries, extra
    /// mounts); a profile path naming one stands for one path per entry.
    public static let listVariableNames = ["STEAM_COMPAT_TOOL_PATHS", "STEAM_COMPAT_LIBRARY_PATHS", "STEAM_COMPAT_MOUNTS"]

    public var listVariables: [String: [String]] {
        var v: [String: [String]] = [:]
        for name in Self.listVariableNames {
            let entries = (context.env(name) ?? "").split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
            if !entries.isEmpty { v[name] = entries }
        }
        return v
    }

    public func plan() throws -> SandboxPlan {
        var b = Builder(emptyFile: Paths.join(host.dataDirectory, "empty"))
        try checkSupported()

        // 1. System folders, read-only; merged-/usr links recreated as links.
        b.add(.readOnlyBind, source: "/usr", "/usr", reason: "system")
        for dir in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
            switch fs.kind(dir) {
            case .symlink?: b.add(.symlink, source: fs.symlinkTarget(dir), dir, reason: "system link")
            case .directory?: b.add(.readOnlyBind, source: dir, dir, reason: "system")
            default: break
            }
        }
        b.add(.readOnlyBind, source: "/etc", "/etc", reason: "system configuration")
        for dir in ["/sys/block", "/sys/bus", "/sys/class", "/sys/dev", "/sys/devices"] where fs.kind(dir) == .directory {
            b.add(.readOnlyBind, source: dir, dir, reason: "hardware discovery (GPU, gamepads)")
        }
        b.add(.proc, "/proc", reason: "processes of this sandbox")
        b.add(.dev, "/dev", reason: "minimal /dev (null, zero, random, tty, pts, shm)")
        addDevices(&b)

        // 2. Home, /tmp, runtime dir.
        let vhome = Paths.join(virtualRoot, "home")
        let vtmp = Paths.join(virtualRoot, "tmp")
        // /tmp first: a home (or anything else) below /tmp is then mounted on top of it, not hidden by it.
        b.add(.bind, source: vtmp, "/tmp", reason: "private /tmp of \(identity.id), stable across runs (wineserver socket)")
        switch profile.home.value {
        case .virtual:
            b.directoriesToCreate += [vhome, vtmp]
            b.add(.bind, source: vhome, home, reason: "virtual home of \(identity.id) (\(profile.home.origin))")
        case .hostReadOnly:
            b.directoriesToCreate.append(vtmp)
            b.add(.readOnlyBind, source: home, home, reason: "real home, read-only (\(profile.home.origin))")
            b.warnings.append("home = host-ro: the game can read your real home folder except the hidden paths")
        case .host:
            b.directoriesToCreate.append(vtmp)
            b.add(.bind, source: home, home, reason: "real home, read-write (\(profile.home.origin))")
            b.warnings.append("home = host: the game can change your real home folder except the hidden and persistence paths")
        }
        let runtimeDir = context.env("XDG_RUNTIME_DIR").flatMap { $0.hasPrefix("/") ? Paths.normalize($0) : nil }
        if let rt = runtimeDir {
            b.add(.tmpfs, rt, permissions: "0700", reason: "empty runtime folder (no D-Bus, no agents)")
        }

        // 3. The Steam client (before the profile's paths: the game's folders inside it are bound on
        //    top), then profile paths: read-only first, then read-write (a writable bind on top wins).
        addSteamClient(&b)
        try addProfilePaths(&b)

        // 4. Desktop sockets, the filtered session bus, then the network's sockets and resolv.conf.
        addDesktop(&b, runtimeDir: runtimeDir)
        let dbus = try dbusPlan(&b, runtimeDir: runtimeDir)
        let net = try networkPlan(&b)

        // 5. The inner helper: this very binary, read-only, at a fixed path.
        b.add(.readOnlyBind, source: host.wardenExecutable, Self.helperSandboxPath, reason: "inner helper (ww itself)")
        for dir in host.wardenLibraryDirectories where !b.isVisible(dir) {
            b.add(.readOnlyBind, source: dir, dir, reason: "libraries of the ww binary")
        }

        // 6. Hidden paths and persistence targets, over whatever the binds above exposed.
        addHidden(&b)
        addPersistenceGuards(&b)
        b.add(.remountReadOnly, "/", reason: "the sandbox root itself is read-only")

        var ns = Namespaces()
        ns.pid = profile.pid.value == .private
        var landlockMode = profile.landlock
        if profile.pid.value == .shared {
            // The host's processes are then visible; only a Landlock domain keeps the game from tracing
            // them, reading their /proc files and (ABI 6) signalling them. No Yama needed, none assumed.
            if profile.landlock.value == .off || host.landlockABI < 6 {
                ns.pid = true
                let why = profile.landlock.value == .off ? "landlock = off (\(profile.landlock.origin))" : "this kernel offers Landlock ABI \(host.landlockABI)"
                b.warnings.append("pid = shared (\(profile.pid.origin)) needs Landlock ABI 6 or later to keep the game from tracing, reading or signalling your other processes, and \(why); the game gets its own PID namespace instead, so the Steam overlay, Steam Input and GameMode may not find it")
            } else {
                if let i = b.mounts.firstIndex(where: { $0.kind == .proc }) {
                    b.mounts[i] = MountStep(.bind, source: "/proc", "/proc", reason: "the host's /proc (pid = shared; a nested sandbox writes its uid_map there)")
                }
                landlockMode = Traced(.required, profile.pid.origin)
                b.warnings.append("pid = shared (\(profile.pid.origin)): the game can list your other processes; Landlock (required) keeps it from tracing, reading or signalling them")
            }
        }
        ns.ipc = profile.ipc.value == .private
        ns.network = net.mode == .off || net.mode == .proxy
        ns.disableNestedUserNamespaces = !profile.nestedSandbox.value
        if net.mode == .proxy {
            // bwrap runs the sandbox in a nested user namespace when asked for --disable-userns or
            // for --dev (devpts needs root at mount time); that namespace has no say over the network
            // namespace, so the helper could not open port 53 for the DNS bridge. Proxy mode uses
            // neither: /dev is built without devpts, and the seccomp filter alone refuses new user
            // namespaces (unshare and clone with CLONE_NEWUSER: EPERM, recorded; clone3: ENOSYS).
            if let i = b.mounts.firstIndex(where: { $0.kind == .dev }) {
                b.mounts[i] = MountStep(.devMinimal, "/dev", reason: "minimal /dev without ptys (null, zero, full, random, urandom, tty, shm): network = proxy")
            }
            if ns.disableNestedUserNamespaces {
                ns.disableNestedUserNamespaces = false
                b.notes.append("network = proxy: no ptys in /dev and no bwrap --disable-userns (both would put the sandbox in a nested user namespace that cannot open the DNS port); new user namespaces stay refused by the seccomp filter")
            }
        }
        if profile.ipc.value == .shared {
            b.add(.bind, source: "/dev/shm", "/dev/shm", reason: "shared memory with the host (ipc = shared)")
        }

        let env = environment(runtimeDir: runtimeDir, b: b, net: net, dbus: dbus)
        let seccomp = SyscallGroups.policy(allow: profile.seccompAllow, deny: profile.seccompDeny, nestedSandbox: profile.nestedSandbox.value)
        let landlock = LandlockPlan.mirroring(b.mounts, mode: landlockMode, nestedSandbox: profile.nestedSandbox)
        let process = ProcessPolicy(allowedPatterns: profile.allowedPatterns.map(\.value), blockedPatterns: profile.blockedPatterns.map(\.value),
                                    allowShellExecution: profile.allowShellExecution.value, maxChildProcesses: profile.maxChildProcesses.value)
        if profile.nestedSandbox.value {
            b.warnings.append("nested_sandbox = true (\(profile.nestedSandbox.origin)): the game may create namespaces and mount inside its sandbox; Landlock keeps only its scopes")
        }
        if profile.landlock.value == .off {
            b.warnings.append("landlock = off (\(profile.landlock.origin)): no Landlock layer behind the mounts")
        }
        return SandboxPlan(
            game: identity, profile: profile.name, profileChain: profile.chain, profileReason: profileReason,
            command: context.command, workingDirectory: workingDirectory(b),
            namespaces: ns, network: profile.network.value, net: net, dbus: dbus, copyOnWrite: b.copyOnWrite, mounts: b.mounts,
            environment: env.env, removedEnvironment: env.removed,
            directoriesToCreate: b.directoriesToCreate, emptyFile: b.emptyFile,
            seccomp: seccomp, landlock: landlock, process: process,
            helper: HelperPlacement(hostPath: host.wardenExecutable, sandboxPath: Self.helperSandboxPath, controlFD: Self.controlFD),
            dieWithParent: true, dropAllCapabilities: true, notes: identity.notes + b.notes, warnings: b.warnings)
    }

    /// Modes this version cannot enforce are refused, never silently weakened.
    func checkSupported() throws {}

    // MARK: D-Bus

    /// `dbus = "filtered"`: xdg-dbus-proxy's socket, in this session's folder, is the only bus inside.
    func dbusPlan(_ b: inout Builder, runtimeDir: String?) throws -> DBusProxyPlan? {
        guard profile.dbus.value == .filtered else { return nil }
        let origin = profile.dbus.origin
        guard let proxy = host.dbusProxyPath else {
            throw WardenError(.host, "\(origin): dbus = \"filtered\" needs xdg-dbus-proxy; install the xdg-dbus-proxy package (Debian/Ubuntu: sudo apt install xdg-dbus-proxy) or set dbus = \"none\"")
        }
        var upstream = context.env("DBUS_SESSION_BUS_ADDRESS").flatMap { $0.isEmpty ? nil : $0 }
        if upstream == nil, let rt = runtimeDir, fs.kind(Paths.join(rt, "bus")) == .socket { upstream = "unix:path=\(Paths.join(rt, "bus"))" }
        guard let address = upstream else {
            b.notes.append("dbus = \"filtered\" (\(origin)) but there is no session bus (DBUS_SESSION_BUS_ADDRESS is not set): no bus inside")
            return nil
        }
        if profile.dbusTalk.isEmpty && profile.dbusCall.isEmpty {
            b.notes.append("dbus = \"filtered\" with empty dbus_talk and dbus_call: the game sees only the bus itself")
        }
        let dir = Paths.join(host.sessionDirectory, "dbus")
        b.add(.readOnlyBind, source: dir, DBusProxyPlan.sandboxDirectory, reason: "the session bus through xdg-dbus-proxy (dbus = filtered, \(origin))")
        return DBusProxyPlan(program: proxy, upstream: address, hostSocket: Paths.join(dir, "bus"),
                             sandboxAddress: "unix:path=\(DBusProxyPlan.sandboxDirectory)/bus",
                             arguments: DBusPolicy.proxyArguments(talk: profile.dbusTalk.map(\.value), call: profile.dbusCall.map(\.value)))
    }

    // MARK: Steam client

    /// STEAM_COMPAT_CLIENT_INSTALL_PATH, else where ~/.steam/root or ~/.steam/steam leads, else ~/.local/share/Steam.
    func steamClientFolder() -> String? {
        var candidates: [String] = []
        if let p = context.env("STEAM_COMPAT_CLIENT_INSTALL_PATH"), p.hasPrefix("/") { candidates.append(p) }
        candidates += [".steam/root", ".steam/steam", ".local/share/Steam"].map { Paths.join(home, $0) }
        for c in candidates {
            if let real = fs.canonical(c), fs.kind(real) == .directory { return real }
        }
        return nil
    }

    /// `steam_client = true`: the Steam client folder read-only (Proton, the runtime and steamclient.so
    /// live there), its login files hidden with the other secrets, `userdata` reduced to this game's
    /// folders, and in a virtual home a `~/.steam` of links only (no steam.pipe, steam.pid, registry.vdf).
    func addSteamClient(_ b: inout Builder) {
        guard profile.steamClient.value else { return }
        let origin = profile.steamClient.origin
        guard let client = steamClientFolder() else {
            b.notes.append("steam_client = true (\(origin)) but no Steam client folder was found (STEAM_COMPAT_CLIENT_INSTALL_PATH is not set and there is no ~/.steam/root): nothing shown")
            return
        }
        let dotSteam = Paths.join(home, ".steam")
        let virtualHome = profile.home.value == .virtual
        if virtualHome {
            b.add(.tmpfs, dotSteam, permissions: "0755", reason: "~/.steam rebuilt with links to the Steam client only (steam_client, \(origin))")
        }
        b.add(.readOnlyBind, source: client, client, reason: "Steam client, read-only (steam_client, \(origin)); its login files are hidden")
        let userdata = Paths.join(client, "userdata")
        if fs.kind(userdata) == .directory {
            b.add(.tmpfs, userdata, permissions: "0755", reason: "Steam userdata of the account and of other games hidden")
            if let app = identity.steamAppID {
                for account in fs.list(userdata).sorted() {
                    let own = Paths.join(userdata, "\(account)/\(app)")
                    if fs.kind(own) == .directory { b.add(.bind, source: own, own, reason: "this game's Steam userdata (Steam Cloud saves)") }
                }
            }
        }
        guard virtualHome else { return }
        for name in ["root", "steam"] where Paths.join(dotSteam, name) != client {
            b.add(.symlink, source: client, Paths.join(dotSteam, name), reason: "~/.steam/\(name): the Steam client")
        }
        for (name, folder) in [("sdk32", "linux32"), ("sdk64", "linux64")] {
            let link = Paths.join(dotSteam, name)
            let target = (fs.kind(link) == .symlink ? fs.symlinkTarget(link) : nil) ?? Paths.join(client, folder)
            b.add(.symlink, source: target, link, reason: "~/.steam/\(name): steamclient.so for Proton's lsteamclient")
        }
    }

    // MARK: network

    func networkPlan(_ b: inout Builder) throws -> NetworkPlan {
        let mode = profile.network.value
        let policy = NetworkPolicy(allowDomains: profile.allowDomains.map(\.value), denyDomains: profile.denyDomains.map(\.value),
                                   denyDestinations: profile.denyDestinations.map(\.value))
        var ports: [Int] = []
        for p in profile.inboundPorts { if let n = Int(p.value), !ports.contains(n) { ports.append(n) } }
        var net = NetworkPlan(mode: mode, policy: policy, rateLimit: profile.rateLimit.value)
        if let dns = profile.upstreamDNS, let e = NetworkEndpoint.parse(dns.value, defaultPort: 53) {
            net.upstreamDNS = e.description
            if mode != .proxy { b.notes.append("upstream_dns (\(dns.origin)) is used only with network = proxy") }
        }
        if let up = profile.upstreamProxy, let e = NetworkEndpoint.parse(up.value, defaultPort: nil) {
            if !e.isLoopback {
                guard profile.unsafeAllowRemoteProxy.value else {
                    throw WardenError(.policy, "\(up.origin): upstream_proxy \(up.value) is not on this machine (loopback); the game's allowed traffic would be handed to another host. Use a proxy on 127.0.0.1, or set unsafe_allow_remote_proxy = true if you mean it")
                }
                b.warnings.append("upstream_proxy \(up.value) is another machine (unsafe_allow_remote_proxy = true, \(profile.unsafeAllowRemoteProxy.origin))")
            }
            net.upstreamProxy = e.description
            if mode != .proxy { b.notes.append("upstream_proxy (\(up.origin)) is used only with network = proxy") }
        }
        let shared = mode == .observe || mode == .full
        if shared && !ports.isEmpty {
            b.notes.append("inbound_ports \(ports.map(String.init).joined(separator: ", ")) need no bridge: with network = \(mode.rawValue) the game listens on the host's network itself")
            ports = []
        }
        if mode != .proxy && !policy.allowDomains.isEmpty {
            b.notes.append("allow_domains applies to network = proxy; with network = \(mode.rawValue) it changes nothing")
        }
        switch mode {
        case .full:
            b.warnings.append("network = full: the game shares your network and nothing it does there is observed")
        case .observe:
            b.notes.append("network = observe: the game shares your network; every destination and DNS question is recorded, \(net.rateLimit) new connections/s per process at most")
        case .proxy:
            if policy.allowDomains.isEmpty {
                b.warnings.append("network = proxy with no allow_domains: every destination is refused (add allow_domains or --allow-domain)")
            }
        case .off:
            break
        }
        guard mode == .proxy || !ports.isEmpty else { return net }

        guard let socat = host.socatPath else {
            throw WardenError(.host, "network = \(mode.rawValue)\(ports.isEmpty ? "" : " with inbound_ports") needs socat (its bridges are the sandbox's only way out); install the socat package (Debian/Ubuntu: sudo apt install socat)")
        }
        guard b.isVisible(socat) else {
            throw WardenError(.host, "socat is at \(socat), a folder the sandbox does not show; install socat from your distribution's package (it goes to /usr/bin)")
        }
        let session = host.sessionDirectory
        net.sessionDirectory = session
        net.inboundPorts = ports
        net.bridges = NetworkPlan.bridges(socat: socat, proxy: mode == .proxy, inbound: ports)
        b.directoriesToCreate.append(session)
        if mode == .proxy {
            net.helperCapabilities = ["CAP_NET_BIND_SERVICE"]
            let sockets = Paths.join(session, "net")
            b.directoriesToCreate.append(sockets)
            b.add(.readOnlyBind, source: sockets, NetworkPlan.sandboxSocketDirectory, reason: "ww's proxy and DNS relay sockets (the bridges connect here)")
            var resolv = "/etc/resolv.conf"
            if fs.kind(resolv) == .symlink, let target = fs.symlinkTarget(resolv).flatMap({ $0.hasPrefix("/") ? Paths.normalize($0) : nil }) ?? fs.canonical(resolv) {
                b.notes.append("/etc/resolv.conf links to \(target); the relay's resolv.conf is bound there")
                resolv = target
            }
            b.add(.readOnlyBind, source: Paths.join(session, "resolv.conf"), resolv, reason: "name server: ww's DNS relay on 127.0.0.1")
        }
        if !ports.isEmpty {
            let inbound = Paths.join(session, "inbound")
            b.directoriesToCreate.append(inbound)
            b.add(.bind, source: inbound, NetworkPlan.sandboxInboundDirectory, reason: "inbound ports \(ports.map(String.init).joined(separator: ", ")): bridges listen here")
        }
        return net
    }

    // MARK: devices

    func addDevices(_ b: inout Builder) {
        if profile.gpu.value {
            if fs.kind("/dev/dri") == .directory { b.add(.deviceBind, source: "/dev/dri", "/dev/dri", reason: "GPU") }
            for name in fs.list("/dev").sorted() where name.hasPrefix("nvidia") {
                b.add(.deviceBind, source: "/dev/\(name)", "/dev/\(name)", reason: "GPU (NVIDIA)")
            }
        }
        if profile.ntsync.value, fs.kind("/dev/ntsync") == .characterDevice {
            b.add(.deviceBind, source: "/dev/ntsync", "/dev/ntsync", reason: "Wine NT synchronisation")
        }
        if profile.gamepads.value {
            for d in host.inputDevices.sorted(by: { $0.path < $1.path }) {
                if d.isGamepad { b.add(.deviceBind, source: d.path, d.path, reason: "gamepad") }
                else { b.notes.append("\(d.path) not granted: it is a keyboard or mouse, or not a joystick") }
            }
            for h in host.hidrawDevices.sorted(by: { $0.path < $1.path }) where HidrawDevice.controllerVendors.contains(h.vendorID) {
                b.add(.deviceBind, source: h.path, h.path, reason: "game controller (hidraw, vendor \(String(h.vendorID, radix: 16)))")
            }
        }
        if profile.sound.value, fs.kind("/dev/snd") == .directory {
            b.add(.deviceBind, source: "/dev/snd", "/dev/snd", reason: "ALSA sound devices")
        }
        for rule in profile.extraDevices {
            if fs.kind(rule.text) == nil { b.notes.append("extra device \(rule.text) (\(rule.origin)) not present: skipped"); continue }
            b.add(.deviceBind, source: rule.text, rule.text, reason: "extra device (\(rule.origin))")
        }
    }

    // MARK: profile paths

    /// The paths a rule names for this launch: none when a variable is unset, one per entry when it
    /// names a list variable (`${STEAM_COMPAT_TOOL_PATHS}/var`).
    func expandForUse(_ rule: PathRule, _ use: PathPolicy.Use, _ b: inout Builder) throws -> [String] {
        let lists = listVariables
        guard let listName = PathPolicy.variables(in: rule.text).first(where: { Self.listVariableNames.contains($0) }) else {
            return try expandOne(rule, use, variables, &b).map { [$0] } ?? []
        }
        guard let entries = lists[listName] else {
            b.notes.append("\(rule.text) (\(rule.origin)) skipped: $\(listName) is not set for this launch")
            return []
        }
        var out: [String] = []
        for entry in entries {
            var vars = variables
            vars[listName] = entry
            if let p = try expandOne(rule, use, vars, &b), !out.contains(p) { out.append(p) }
        }
        return out
    }

    func expandOne(_ rule: PathRule, _ use: PathPolicy.Use, _ vars: [String: String], _ b: inout Builder) throws -> String? {
        switch PathPolicy.expand(rule.text, variables: vars) {
        case .unset(let name):
            b.notes.append("\(rule.text) (\(rule.origin)) skipped: $\(name) is not set for this launch")
            return nil
        case .path(let path):
            let problems = PathPolicy.expandedProblems(path, use: use, home: home)
            let derived = PathPolicy.variables(in: rule.text).contains { $0 != "HOME" }
            if !problems.isEmpty {
                // A folder derived from the launch (the game's folder is /usr/bin for `ww -- true`) is
                // skipped; a path the user wrote is an error.
                if derived {
                    b.notes.append("\(rule.text) = \(path) (\(rule.origin)) not granted: it \(problems[0].sentence)")
                    return nil
                }
                throw WardenError(.policy, "\(rule.origin): \(rule.text) \(problems[0].sentence)")
            }
            if SensitivePaths.persistenceFiles.contains(where: { Paths.isWithin(path, Paths.join(home, $0)) }) ||
                (use == .readWrite && SensitivePaths.persistenceDirectories.contains(where: { Paths.isWithin(path, Paths.join(home, $0)) })) {
                throw WardenError(.policy, "\(rule.origin): \(rule.text) is a place malware uses to start again outside the sandbox (autostart, shell startup files); it is never writable")
            }
            return path
        }
    }

    func addProfilePaths(_ b: inout Builder) throws {
        for rule in profile.readOnly {
            for path in try expandForUse(rule, .readOnly, &b) {
                guard fs.kind(path) != nil else { b.notes.append("read-only \(path) (\(rule.origin)) does not exist: skipped"); continue }
                b.add(.readOnlyBind, source: path, path, reason: "read_only (\(rule.origin))")
            }
        }
        // Copy-on-write folders: ww mounts an overlay (the folder below, a per-game upper layer on top)
        // before bwrap and binds it where the folder is; the folder itself is never written.
        var cow: [String] = []
        for rule in profile.copyOnWrite {
            let derived = PathPolicy.variables(in: rule.text).contains { $0 != "HOME" }
            for path in try expandForUse(rule, .readWrite, &b) where !cow.contains(path) {
                switch fs.kind(path) {
                case .directory?: cow.append(path)
                case .symlink?:
                    throw WardenError(.policy, "\(rule.origin): copy_on_write \(rule.text) = \(path) is a symbolic link; name the real folder (\(fs.canonical(path) ?? "its target"))")
                case nil where derived:
                    b.notes.append("copy_on_write \(path) (\(rule.origin)) does not exist: skipped")
                default:
                    throw WardenError(.policy, "\(rule.origin): copy_on_write \(path) is not an existing folder; copy-on-write works on folders")
                }
            }
        }
        for path in cow {
            let layer = CopyOnWriteLayer(original: path, layerDirectory: Paths.join(host.dataDirectory, "cow/\(identity.id)/\(StableHash.hex(path))"))
            b.copyOnWrite.append(layer)
            b.directoriesToCreate += [layer.upper, layer.work, layer.merged]
            b.add(.overlayBind, source: layer.merged, path, reason: "copy-on-write: changes land in \(layer.upper), \(path) stays as it is")
        }
        var writable: [(path: String, rule: PathRule)] = []
        for rule in profile.readWrite {
            let fromList = PathPolicy.variables(in: rule.text).contains { Self.listVariableNames.contains($0) }
            for path in try expandForUse(rule, .readWrite, &b) {
                if fs.kind(path) == nil {
                    if fromList && !rule.create {
                        // One entry of Steam's list lacks the folder (Proton has no var/, the runtime has).
                        b.notes.append("read-write \(path) (\(rule.origin)) does not exist: skipped")
                        continue
                    }
                    guard rule.create else {
                        throw WardenError(.policy, "\(rule.origin): read-write path \(path) does not exist; create it, or write { path = \"\(rule.text)\", create = true }")
                    }
                    b.directoriesToCreate.append(path)
                }
                if cow.contains(path) {
                    b.notes.append("\(path) (\(rule.origin)) is copy-on-write instead of read-write")
                    continue
                }
                if let outer = cow.first(where: { Paths.isWithin(path, $0) }) {
                    b.notes.append("\(path) (\(rule.origin)) is read-write inside the copy-on-write folder \(outer): writes there reach the real folder")
                }
                writable.append((path, rule))
            }
        }
        // A writable folder inside another writable folder is already granted; binding it again would
        // open its source through a path the game could have swapped for a symlink.
        for (i, entry) in writable.enumerated() {
            if writable.enumerated().contains(where: { $0.offset != i && Paths.isWithin(entry.path, $0.element.path) && ($0.element.path != entry.path || $0.offset < i) }) {
                b.notes.append("\(entry.path) is inside another read-write folder: already granted")
                continue
            }
            b.add(.bind, source: entry.path, entry.path, reason: "read_write (\(entry.rule.text), \(entry.rule.origin))")
        }
    }

    // MARK: desktop

    func addDesktop(_ b: inout Builder, runtimeDir: String?) {
        if profile.x11.value, let display = context.env("DISPLAY") {
            if display.hasPrefix(":") {
                let number = display.dropFirst().prefix { $0.isNumber }
                let socket = "/tmp/.X11-unix/X\(number)"
                if fs.kind(socket) == .socket {
                    b.add(.readOnlyBind, source: socket, socket, reason: "X11 display \(display)")
                    b.warnings.append("X11 is shared: X11 lets any client read keystrokes of other windows; prefer Wayland or a nested X server")
                } else { b.notes.append("X11 socket \(socket) not found: no display") }
                let xauth = context.env("XAUTHORITY") ?? Paths.join(home, ".Xauthority")
                if fs.kind(xauth) == .file { b.add(.readOnlyBind, source: xauth, Self.xauthoritySandboxPath, reason: "X11 authority") }
            } else {
                b.notes.append("DISPLAY=\(display) is a network display: reachable only with network = full")
            }
        }
        guard let rt = runtimeDir else { return }
        if profile.wayland.value {
            let name = context.env("WAYLAND_DISPLAY") ?? "wayland-0"
            let socket = name.hasPrefix("/") ? name : Paths.join(rt, name)
            if fs.kind(socket) == .socket { b.add(.readOnlyBind, source: socket, socket, reason: "Wayland display") }
        }
        if profile.pulseaudio.value {
            let socket = Paths.join(rt, "pulse/native")
            if fs.kind(socket) == .socket { b.add(.readOnlyBind, source: socket, socket, reason: "PulseAudio") }
        }
        if profile.pipewire.value {
            let socket = Paths.join(rt, "pipewire-0")
            if fs.kind(socket) == .socket { b.add(.readOnlyBind, source: socket, socket, reason: "PipeWire") }
        }
    }

    // MARK: hiding

    /// Host paths to hide: the built-in list below $HOME plus the profile's `hidden`, expanded; globs
    /// are matched against one folder listing (never a tree walk).
    func hiddenHostPaths(_ b: inout Builder) -> [(String, String)] {
        var out: [(String, String)] = []
        var rules = SensitivePaths.alwaysHidden.map { (Paths.join(home, $0), "always hidden") }
            + SensitivePaths.systemHidden.map { ($0, "always hidden (system secret)") }
        if let client = context.env("STEAM_COMPAT_CLIENT_INSTALL_PATH"), client.hasPrefix("/") {
            rules += SensitivePaths.steamClientSecrets.map { (Paths.join(Paths.normalize(client), $0), "always hidden (Steam login)") }
        }
        for rule in profile.hidden {
            switch PathPolicy.expand(rule.text, variables: variables) {
            case .path(let p): rules.append((p, "hidden (\(rule.origin))"))
            case .unset(let n): b.notes.append("hidden \(rule.text) (\(rule.origin)) skipped: $\(n) is not set")
            }
        }
        for (path, why) in rules {
            if Glob.hasWildcards(Paths.basename(path)) {
                let dir = Paths.dirname(path)
                let glob = Glob(Paths.basename(path))
                for name in fs.list(dir).sorted() where glob.matches(name) { out.append((Paths.join(dir, name), why)) }
            } else if fs.kind(path) != nil {
                out.append((path, why))
            }
        }
        return out
    }

    func addHidden(_ b: inout Builder) {
        let binds = b.mounts.filter { ($0.kind == .readOnlyBind || $0.kind == .bind || $0.kind == .overlayBind) && $0.source != nil }
        for (path, why) in hiddenHostPaths(&b) {
            let forms = Set([path, fs.canonical(path) ?? path])
            for m in binds {
                // An overlay shows its folder's content (and the changes) where the folder is.
                guard let src = m.kind == .overlayBind ? m.destination : m.source else { continue }
                for form in forms where Paths.isWithin(form, src) && form != src {
                    let dest = Paths.rebase(form, from: src, to: m.destination)
                    b.hide(dest, kind: fs.kind(form), reason: "\(why): \(path)")
                }
            }
        }
    }

    /// Autostart folders and shell startup files stay read-only wherever a writable bind exposes them.
    func addPersistenceGuards(_ b: inout Builder) {
        let writable = b.mounts.filter { $0.kind == .bind && $0.source != nil && $0.destination != "/tmp" && $0.destination != "/dev/shm" }
        for m in writable {
            guard let src = m.source else { continue }
            let homeBind = m.destination == home
            for rel in SensitivePaths.persistenceFiles + SensitivePaths.persistenceDirectories {
                let hostPath = homeBind ? Paths.join(src, rel) : Paths.join(home, rel)
                guard Paths.isWithin(hostPath, src), hostPath != src else { continue }
                let dest = Paths.rebase(hostPath, from: src, to: m.destination)
                let isDir = SensitivePaths.persistenceDirectories.contains(rel)
                switch fs.kind(hostPath) {
                case nil where !isDir && profile.home.value == .host && homeBind:
                    b.notes.append("\(dest) does not exist and could be created by the game (home = host)")
                case nil:
                    if isDir { b.hide(dest, kind: .directory, reason: "persistence target, never writable") }
                    else { b.hide(dest, kind: .file, reason: "persistence target, never writable") }
                case .directory? where profile.home.value == .host && homeBind:
                    b.add(.readOnlyBind, source: hostPath, dest, reason: "persistence target, read-only")
                case .file? where profile.home.value == .host && homeBind:
                    b.add(.readOnlyBind, source: hostPath, dest, reason: "persistence target, read-only")
                case let kind:
                    b.hide(dest, kind: kind, reason: "persistence target, never writable")
                }
            }
        }
    }

    // MARK: process

    func workingDirectory(_ b: Builder) -> String {
        let cwd = Paths.normalize(context.workingDirectory)
        if let visible = b.sandboxPath(forHost: cwd) { return visible }
        if let dir = identity.gameDirectory, let visible = b.sandboxPath(forHost: dir) { return visible }
        return home
    }

    func environment(runtimeDir: String?, b: Builder, net: NetworkPlan, dbus: DBusProxyPlan?) -> (env: [EnvironmentVariable], removed: [RemovedVariable]) {
        var env = context.environment
        var removed: [RemovedVariable] = []
        for name in env.keys.sorted() {
            if let why = EnvironmentPolicy.secretReason(name) {
                env[name] = nil
                removed.append(RemovedVariable(name: name, reason: why))
            }
        }
        // The host's proxy settings mean nothing inside: the proxy's own replace them, or they go.
        let proxyNames = NetworkPlan.proxyEnvironment.map(\.0)
        for name in proxyNames where env[name] != nil && net.mode != .full && net.mode != .observe {
            env[name] = nil
            if net.mode == .off { removed.append(RemovedVariable(name: name, reason: "network = off")) }
        }
        if net.mode == .proxy { for (name, value) in NetworkPlan.proxyEnvironment { env[name] = value } }
        if let d = dbus {
            env["DBUS_SESSION_BUS_ADDRESS"] = d.sandboxAddress
            removed.removeAll { $0.name == "DBUS_SESSION_BUS_ADDRESS" }
        }
        if env["XAUTHORITY"] != nil || b.mounts.contains(where: { $0.destination == Self.xauthoritySandboxPath }) {
            if b.mounts.contains(where: { $0.destination == Self.xauthoritySandboxPath }) { env["XAUTHORITY"] = Self.xauthoritySandboxPath }
            else { env["XAUTHORITY"] = nil; removed.append(RemovedVariable(name: "XAUTHORITY", reason: "not mounted")) }
        }
        if !profile.x11.value, env["DISPLAY"] != nil { env["DISPLAY"] = nil; removed.append(.init(name: "DISPLAY", reason: "x11 = false")) }
        if !profile.wayland.value, env["WAYLAND_DISPLAY"] != nil { env["WAYLAND_DISPLAY"] = nil; removed.append(.init(name: "WAYLAND_DISPLAY", reason: "wayland = false")) }
        if let server = env["PULSE_SERVER"], !(profile.pulseaudio.value && server.hasPrefix("unix:") && b.isVisible(String(server.dropFirst(5)))) {
            env["PULSE_SERVER"] = nil
            removed.append(.init(name: "PULSE_SERVER", reason: "that sound server is not reachable in the sandbox"))
        }
        env["WINEDLLOVERRIDES"] = EnvironmentPolicy.disableMenuBuilder(env["WINEDLLOVERRIDES"])
        for name in profile.environmentUnset.map(\.value) where env[name] != nil {
            env[name] = nil
            removed.append(RemovedVariable(name: name, reason: "environment.unset"))
        }
        for (name, value) in profile.environmentSet { env[name] = value.value }
        return (env.keys.sorted().map { EnvironmentVariable(name: $0, value: env[$0]!) }, removed)
    }

    // MARK: plan under construction

    struct Builder {
        let emptyFile: String
        var mounts: [MountStep] = []
        var notes: [String] = []
        var warnings: [String] = []
        var directoriesToCreate: [String] = []
        var copyOnWrite: [CopyOnWriteLayer] = []

        mutating func add(_ kind: MountStep.Kind, source: String? = nil, _ dest: String, permissions: String? = nil, reason: String) {
            mounts.append(MountStep(kind, source: source, dest, permissions: permissions, reason: reason))
        }

        mutating func hide(_ dest: String, kind: FileKind?, reason: String) {
            if mounts.contains(where: { ($0.kind == .hideFile || $0.kind == .tmpfs) && $0.destination == dest }) { return }
            if kind == .directory {
                add(.tmpfs, dest, permissions: "0000", reason: reason)
                add(.remountReadOnly, dest, reason: reason)
            } else {
                add(.hideFile, source: emptyFile, dest, reason: reason)
            }
        }

        /// Where a host path appears inside, through the last bind that covers it.
        func sandboxPath(forHost path: String) -> String? {
            for m in mounts.reversed() where m.kind == .readOnlyBind || m.kind == .bind || m.kind == .deviceBind || m.kind == .overlayBind {
                if let src = m.kind == .overlayBind ? m.destination : m.source, Paths.isWithin(path, src) { return Paths.rebase(path, from: src, to: m.destination) }
            }
            return nil
        }

        func isVisible(_ path: String) -> Bool {
            mounts.contains { m in
                (m.kind == .readOnlyBind || m.kind == .bind || m.kind == .deviceBind) && m.source.map { Paths.isWithin(path, $0) && m.destination == $0 } == true
                    || m.kind == .overlayBind && Paths.isWithin(path, m.destination)
            }
        }
    }
}
