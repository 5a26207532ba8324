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

    var fs: any HostFileSystem { host.fileSystem }
    var home: String { context.user.home }

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

        // 1. System folders, read-only; merged-/usr links recreated as links; /proc, /dev, devices.
        addSystemFolders(&b)
        addDevices(&b)

        // 2. Home, /tmp, runtime dir.
        let runtimeDir = addHome(&b)

        // 3. The Steam client (before the profile's paths: the game's folders inside it are bound on
        //    top), then profile paths: read-only first, then read-write (a writable bind on top wins).
        addSteamClient(&b)
        try addProfilePaths(&b)

        // 4. Desktop sockets, the filtered session bus, then the network's sockets and resolv.conf.
        addDesktop(&b, runtimeDir: runtimeDir)
        addOverlayConfigs(&b)
        let dbus = try dbusPlan(&b, runtimeDir: runtimeDir)
        let net = try networkPlan(&b)

        // 5. The inner helper: this very binary, read-only, at a fixed path.
        addInnerHelper(&b)

        // 6. ww's own state, hidden paths and persistence targets, over whatever the binds above
        //    exposed; then the folders holding them in a writable real home become mount points.
        addWardenState(&b)
        addHidden(&b)
        let persistence = addPersistenceGuards(&b)
        let pathGuard = addAnchors(&b)
        let decoys = DecoyPlan(enabled: profile.decoys.value, folder: Paths.join(host.sessionDirectory, "decoys"), items: b.decoys)
        b.add(.remountReadOnly, "/", reason: "the sandbox root itself is read-only")

        // 7. Namespaces (pid = shared needs Landlock), then the kernel policies mirroring the mounts.
        let (ns, landlockMode) = namespaces(&b, net: net)

        let env = environment(runtimeDir: runtimeDir, b: b, net: net, dbus: dbus)
        let (seccomp, landlock, process) = kernelPolicies(&b, landlockMode: landlockMode)
        let wine = wineAutostart(&b, environment: env.env)
        return SandboxPlan(
            game: identity, profile: profile.name, profileChain: profile.chain, profileReason: profileReason,
            command: context.command, workingDirectory: workingDirectory(b),
            namespaces: ns, network: profile.network.value, net: net, dbus: dbus, wineAutostart: wine, copyOnWrite: b.copyOnWrite, decoys: decoys, persistence: persistence, discordSockets: b.discordSockets, pathGuard: pathGuard, hotplug: b.hotplug, mounts: b.mounts,
            environment: env.env, removedEnvironment: env.removed,
            directoriesToCreate: b.directoriesToCreate, emptyFile: b.emptyFile,
            seccomp: seccomp, landlock: landlock, process: process,
            helper: HelperPlacement(hostPath: host.wardenExecutable, sandboxPath: Self.helperSandboxPath, controlFD: Self.controlFD),
            dieWithParent: true, dropAllCapabilities: true, notes: identity.notes + b.notes, warnings: b.warnings)
    }
}
