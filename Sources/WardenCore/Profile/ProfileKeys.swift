/// One profile key as `man ww-profile` documents it. Text may mark code with backticks.
public struct ProfileKey: Sendable, Equatable {
    public let name: String
    /// What a value looks like ("true or false", "list of paths", the allowed strings).
    public let type: String
    /// What a profile gets when no file of its chain writes the key, as TOML; nil: not set.
    public let defaultValue: String?
    /// What the default means, when the value alone does not say it.
    public let defaultNote: String?
    public let summary: String
    /// One TOML line that `ProfileParser` accepts inside the key's section.
    public let example: String

    public init(name: String, type: String, defaultValue: String?, defaultNote: String? = nil, summary: String, example: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.defaultNote = defaultNote
        self.summary = summary
        self.example = example
    }

    /// "`[]` (anything not blocked)", "not set (no limit)".
    public var defaultText: String {
        (defaultValue.map { "`\($0)`" } ?? "not set") + (defaultNote.map { " (\($0))" } ?? "")
    }
}

/// A `[section]` of a profile (or the top level, named ""), with its keys in reading order.
public struct ProfileSectionReference: Sendable {
    public let name: String
    public let summary: String
    public let keys: [ProfileKey]
}

/// The reference of every profile key, the single source of the profile manual page. A test checks
/// it against `ProfileParser.sections`, so a key the parser learns cannot go undocumented.
public enum ProfileKeys {
    public static let topLevel = ProfileSectionReference(name: "", summary: "Keys before the first section.", keys: [
        ProfileKey(name: "description", type: "string", defaultValue: nil,
                   summary: "One line that `ww profile list` shows. Not inherited.",
                   example: #"description = "Wine games with a shared saves folder""#),
        ProfileKey(name: "extends", type: "profile name, or list of profile names", defaultValue: nil, defaultNote: "only the built-in defaults",
                   summary: "Profiles this one builds on. They are merged first, in the order given, each file once; "
                       + "a name that is not on the search path, or a cycle, is an error.",
                   example: #"extends = ["wine", "my-common"]"#),
    ])

    public static let sections: [ProfileSectionReference] = {
        let d = Profile.builtIn()
        func toml(_ b: Bool) -> String { String(b) }
        func quoted(_ s: String) -> String { "\"\(s)\"" }
        func choice<E: RawRepresentable & CaseIterable>(_: E.Type) -> String where E.RawValue == String {
            E.allCases.map { quoted($0.rawValue) }.joined(separator: " | ")
        }
        return [
            ProfileSectionReference(name: "match", summary:
                "When the profile applies by itself, without `--profile`. Never inherited through `extends`. "
                + "The first step that finds a profile decides: a profile naming the game's Steam AppId, then one whose `executables` "
                + "pattern matches, then one whose `prefixes` pattern matches `WINEPREFIX`, then the profile named `default`. "
                + "Two profiles found at the same step are an error.", keys: [
                ProfileKey(name: "steam_app_ids", type: "list of positive integers", defaultValue: "[]",
                           summary: "Steam AppIds: from `AppId=N` in Steam's launch line, else `SteamAppId` or `STEAM_COMPAT_APP_ID`.",
                           example: "steam_app_ids = [1245620]"),
                ProfileKey(name: "executables", type: "list of wildcard patterns", defaultValue: "[]",
                           summary: "Matched against the Windows program given to Wine and against the command itself. A pattern without `/` "
                               + "matches the file name; `.exe` names compare case-insensitively.",
                           example: #"executables = ["MyGame.exe", "wine"]"#),
                ProfileKey(name: "prefixes", type: "list of path patterns", defaultValue: "[]",
                           summary: "Wildcard patterns matched against the launch's `WINEPREFIX`; `~` and `$HOME` expand.",
                           example: #"prefixes = ["~/Games/mygame/*"]"#),
            ]),
            ProfileSectionReference(name: "filesystem", summary:
                "What the game sees of your files. System folders (`/usr`, `/etc`) are always read-only and the credential, browser "
                + "and wallet paths of the built-in list are always hidden, whatever a profile says.", keys: [
                ProfileKey(name: "home", type: choice(HomeMode.self), defaultValue: quoted(d.home.value.rawValue),
                           summary: "`virtual`: a persistent home of this game's own (`~/.local/share/winewarden/virtual/<game-id>/home`), "
                               + "mounted at your home's path. `host-ro`: your real home, read-only. `host`: your real home, read-write. "
                               + "Hidden paths stay hidden (or become decoys) in every mode. Your real autostart folders and shell startup "
                               + "files are never writable (with `host`, one that does not exist yet could be created); a virtual home's own "
                               + "are the game's, and each change to them is a `persistence_attempt`, copied, and put back at the end.",
                           example: #"home = "host-ro""#),
                ProfileKey(name: "read_only", type: "list of paths", defaultValue: "[]",
                           summary: "Made visible read-only at the same place. A path that does not exist is skipped.",
                           example: #"read_only = ["~/Music/soundtrack"]"#),
                ProfileKey(name: "read_write", type: "list of paths, each a string or `{ path = \"...\", create = true }`", defaultValue: "[]",
                           summary: "Made visible read-write at the same place. A path that does not exist is an error, unless its entry says "
                               + "`create = true`: then ww creates the folder. Never a system folder, a persistence target "
                               + "(autostart, shell startup files) or a folder that contains your home.",
                           example: #"read_write = ["${GAME_DIR}", { path = "~/Games/saves", create = true }]"#),
                ProfileKey(name: "hidden", type: "list of paths (a wildcard only in the last component)", defaultValue: "[]",
                           summary: "Hidden besides the built-in list: a file becomes a decoy file, a folder a decoy folder (see `decoys`; "
                               + "with `decoys = false` an empty file nobody can open, an empty, unreadable folder). A path that does not "
                               + "exist is fine; a wildcard is matched against one folder listing.",
                           example: #"hidden = ["~/Documents/taxes", "~/Downloads/*.pdf"]"#),
                ProfileKey(name: "decoys", type: "true or false", defaultValue: toml(d.decoys.value),
                           summary: "Where a hidden secret exists (the built-in list, the Steam login files, `hidden`), the game finds a "
                               + "decoy of the same kind at its path: made up by ww for each session (never your data), read-only, with "
                               + "random canary tokens. Opening one for reading is a `secret_touched` event (listing a folder or `stat` is "
                               + "not); removing, renaming or linking over one is refused and is a `decoy_tampered` event; a token sent out through the proxy or the DNS relay is an `exfiltration` event. In a virtual home "
                               + "the decoys appear at your home's paths too. `false`: hidden paths look absent. `ww plan` lists each decoy. "
                               + "Pipes and sockets (`steam.pipe`) and the system files (`/etc/shadow`) are hidden, never decoys.",
                           example: "decoys = false"),
                ProfileKey(name: "copy_on_write", type: "list of paths (existing folders)", defaultValue: "[]",
                           summary: "The game sees each folder writable, but its changes land in a per-game layer "
                               + "(`~/.local/share/winewarden/cow/<game-id>/`) and the folder on disk stays as it is; the next run sees "
                               + "the changes. `ww cow status` lists them, `ww cow reset` discards them. A folder also in `read_write` "
                               + "is copy-on-write. Needs overlayfs in user namespaces (Linux 5.11+) and a layer file system with user "
                               + "extended attributes.",
                           example: #"copy_on_write = ["${GAME_DIR}"]"#),
                ProfileKey(name: "steam_client", type: "true or false", defaultValue: toml(d.steamClient.value),
                           summary: "Show the Steam client folder (`STEAM_COMPAT_CLIENT_INSTALL_PATH`, else where `~/.steam/root` leads) "
                               + "read-only, without its login files, `local.vdf` and browser cookies, with `userdata` reduced to this "
                               + "game's folders; in a virtual home `~/.steam` holds only the `root`, `steam`, `sdk32` and `sdk64` links "
                               + "(no `steam.pipe`). The Steam profiles set it.",
                           example: "steam_client = true"),
            ]),
            ProfileSectionReference(name: "devices", summary:
                "Device nodes in the sandbox's minimal `/dev`. `/dev/uinput`, keyboards and mice are never granted.", keys: [
                ProfileKey(name: "gpu", type: "true or false", defaultValue: toml(d.gpu.value),
                           summary: "GPU nodes: `/dev/dri` and `/dev/nvidia*`.", example: "gpu = true"),
                ProfileKey(name: "gamepads", type: "true or false", defaultValue: toml(d.gamepads.value),
                           summary: "Joystick-class input devices and the hidraw nodes of known controller makers, also those plugged in while the game runs (never keyboards or mice).", example: "gamepads = false"),
                ProfileKey(name: "sound", type: "true or false", defaultValue: toml(d.sound.value),
                           summary: "Raw ALSA devices (`/dev/snd`). PulseAudio and PipeWire are under [desktop].", example: "sound = true"),
                ProfileKey(name: "ntsync", type: "true or false", defaultValue: toml(d.ntsync.value),
                           summary: "`/dev/ntsync` (Wine's NT synchronisation), when present.", example: "ntsync = false"),
                ProfileKey(name: "extra", type: "list of device paths under /dev", defaultValue: "[]",
                           summary: "More device nodes; one that is not present is skipped.", example: #"extra = ["/dev/hidraw7"]"#),
            ]),
            ProfileSectionReference(name: "desktop", summary: "Display, sound and desktop-bus sockets.", keys: [
                ProfileKey(name: "x11", type: "true or false", defaultValue: toml(d.x11.value),
                           summary: "The X11 socket of `$DISPLAY` and its Xauthority. X11 lets any client read the keystrokes of other windows; "
                               + "prefer Wayland where the game supports it.", example: "x11 = false"),
                ProfileKey(name: "wayland", type: "true or false", defaultValue: toml(d.wayland.value),
                           summary: "The `$WAYLAND_DISPLAY` socket.", example: "wayland = true"),
                ProfileKey(name: "pulseaudio", type: "true or false", defaultValue: toml(d.pulseaudio.value),
                           summary: "The PulseAudio socket (`$XDG_RUNTIME_DIR/pulse/native`).", example: "pulseaudio = true"),
                ProfileKey(name: "pipewire", type: "true or false", defaultValue: toml(d.pipewire.value),
                           summary: "The PipeWire socket (`$XDG_RUNTIME_DIR/pipewire-0`).", example: "pipewire = false"),
                ProfileKey(name: "discord_ipc", type: "true or false", defaultValue: toml(d.discordIPC.value),
                           summary: "Discord's IPC sockets (`$XDG_RUNTIME_DIR/discord-ipc-N`, also those of the Flatpak and Snap Discord), "
                               + "for Rich Presence. Off by default: through the socket the game learns who you are on Discord. "
                               + "`ww plan` and `policy_applied` say when it is on.", example: "discord_ipc = true"),
                ProfileKey(name: "dbus", type: choice(DBusMode.self), defaultValue: quoted(d.dbus.value.rawValue),
                           summary: "`none`: no D-Bus. `filtered`: the session bus through xdg-dbus-proxy, started by ww for the session; "
                               + "the game may call only what `dbus_talk` and `dbus_call` allow. Without xdg-dbus-proxy installed the "
                               + "launch stops with exit status 125.", example: #"dbus = "filtered""#),
                ProfileKey(name: "dbus_talk", type: "list of D-Bus names (`org.example.Name` or `org.example.*`)", defaultValue: "[]",
                           summary: "With `dbus = \"filtered\"`: names the game may call. Keyrings (`org.freedesktop.secrets`, KWallet), "
                               + "`org.freedesktop.systemd1`, Flatpak and its portal, `ca.desrt.dconf`, GNOME Shell, KWin, terminals and "
                               + "portal back-ends are refused, also through a wildcard. The default profile lists notifications and GameMode.",
                           example: #"dbus_talk = ["org.freedesktop.Notifications"]"#),
                ProfileKey(name: "dbus_call", type: "list of `NAME=METHOD@PATH` rules", defaultValue: "[]",
                           summary: "With `dbus = \"filtered\"`: narrower rules, as xdg-dbus-proxy's `--call` takes them (METHOD: `*`, an "
                               + "interface, `interface.*` or `interface.Method`; PATH optional, may end in `/*`); broadcast signals of "
                               + "those names are let through. The default profile allows screensaver inhibit and the portal's Inhibit "
                               + "and Settings interfaces.",
                           example: #"dbus_call = ["org.example.Game=org.example.Game.*@/org/example"]"#),
            ]),
            ProfileSectionReference(name: "namespaces", summary: "Which kernel namespaces the game shares with your session.", keys: [
                ProfileKey(name: "pid", type: choice(NamespaceSharing.self), defaultValue: quoted(d.pid.value.rawValue),
                           summary: "`shared`: the game sees your other processes (the Steam overlay, Steam Input and GameMode find it "
                               + "by its pid). Only with Landlock ABI 6 or later, which then becomes required and keeps the game from "
                               + "tracing, reading or signalling them; otherwise the game gets its own PID namespace and ww warns.",
                           example: #"pid = "private""#),
                ProfileKey(name: "ipc", type: choice(NamespaceSharing.self), defaultValue: quoted(d.ipc.value.rawValue),
                           summary: "`shared`: System V IPC and `/dev/shm` are the host's, as the Steam overlay needs.", example: #"ipc = "shared""#),
                ProfileKey(name: "nested_sandbox", type: "true or false", defaultValue: toml(d.nestedSandbox.value),
                           summary: "`true` for launch chains that run their own bwrap (the Steam Linux Runtime's pressure-vessel): "
                               + "the game may create namespaces and mount inside its sandbox, and Landlock keeps only its scopes.",
                           example: "nested_sandbox = true"),
            ]),
            ProfileSectionReference(name: "network", summary:
                "The network the game gets. The global config's [network] `mode` applies to profiles that do not set one; "
                + "`ww run --network` and `--allow-domain` override every profile.", keys: [
                ProfileKey(name: "mode", type: choice(NetworkMode.self), defaultValue: quoted(d.network.value.rawValue),
                           summary: "`off`: an empty network namespace. `proxy`: only the hosts of `allow_domains`, through ww's HTTP/SOCKS5 proxy "
                               + "and DNS relay. `observe`: your network, every destination and DNS question recorded. `full`: your network, "
                               + "nothing observed.", example: #"mode = "proxy""#),
                ProfileKey(name: "allow_domains", type: "list of host patterns", defaultValue: "[]",
                           summary: "With `proxy`: hosts the game may reach: `example.com`, `*.example.com` (the names below it, not itself), "
                               + "`*`, an address or a CIDR range. Empty: everything is refused.",
                           example: #"allow_domains = ["*.example.com", "example.com"]"#),
                ProfileKey(name: "deny_domains", type: "list of host patterns", defaultValue: "[]",
                           summary: "Refused even when `allow_domains` names them (`proxy`), and refused connections in `observe` "
                               + "for addresses looked up under these names.", example: #"deny_domains = ["ads.example.com"]"#),
                ProfileKey(name: "deny_destinations", type: "list of address ranges with an optional port", defaultValue: "[]",
                           summary: "With `observe`: connections refused by address: `10.0.0.0/8`, `192.0.2.1:25`, `[2001:db8::/32]:443`, `*:25`.",
                           example: #"deny_destinations = ["*:25", "10.0.0.0/8"]"#),
                ProfileKey(name: "inbound_ports", type: "list of port numbers (1 to 65535)", defaultValue: "[]",
                           summary: "TCP ports the game listens on, bridged from the host with `off` and `proxy` (with `observe` and `full` "
                               + "the game listens on the host's network itself). A negative number removes an inherited port.",
                           example: "inbound_ports = [27015]"),
                ProfileKey(name: "rate_limit", type: "whole number, 1 to 1000000", defaultValue: String(d.rateLimit.value),
                           summary: "With `observe`: new connections per second per process; more are refused and recorded.",
                           example: "rate_limit = 200"),
                ProfileKey(name: "upstream_dns", type: "address with an optional port", defaultValue: nil, defaultNote: "the first nameserver of /etc/resolv.conf",
                           summary: "With `proxy`: the name server the DNS relay and the proxy ask.", example: #"upstream_dns = "192.0.2.53""#),
                ProfileKey(name: "upstream_proxy", type: "host:port", defaultValue: nil, defaultNote: "ww connects itself",
                           summary: "With `proxy`: an HTTP proxy that accepts CONNECT, to which ww hands the allowed traffic. "
                               + "It must be on this machine unless `unsafe_allow_remote_proxy = true`.",
                           example: #"upstream_proxy = "127.0.0.1:3128""#),
                ProfileKey(name: "unsafe_allow_remote_proxy", type: "true or false", defaultValue: toml(d.unsafeAllowRemoteProxy.value),
                           summary: "Lets `upstream_proxy` name another machine (the game's allowed traffic then leaves through it).",
                           example: "unsafe_allow_remote_proxy = true"),
                ProfileKey(name: "idle_timeout", type: "whole number of seconds, 1 to 3600", defaultValue: String(d.idleTimeout.value),
                           summary: "With `proxy`: how long the proxy waits for a connected client to send its request; then it closes "
                               + "the connection and records `proxy_garbage`.", example: "idle_timeout = 10"),
                ProfileKey(name: "allow_local", type: "list of addresses or ranges with an optional port", defaultValue: "[]",
                           summary: "With `proxy`: local destinations the game may reach. Loopback, `0.0.0.0/8`, link-local, private "
                               + "(RFC 1918), CGNAT, ULA, multicast and this machine's own addresses are refused, whatever name led there, "
                               + "unless listed here (LAN play): `192.168.1.10:27015`, `10.0.0.0/24`, `[fd00::5]:443`.",
                           example: #"allow_local = ["192.168.1.10:27015"]"#),
            ]),
            ProfileSectionReference(name: "environment", summary:
                "The game's environment, after ww removed secrets (`SSH_AUTH_SOCK`, `*_TOKEN`, `AWS_*`, ...) and what the sandbox cannot reach.", keys: [
                ProfileKey(name: "set", type: "table of NAME = \"value\"", defaultValue: "{}",
                           summary: "Variables set for the game; a later profile's value for the same name wins.",
                           example: #"set = { DXVK_HUD = "fps", WINEDEBUG = "-all" }"#),
                ProfileKey(name: "unset", type: "list of variable names", defaultValue: "[]",
                           summary: "Variables removed from the game's environment.", example: #"unset = ["MANGOHUD"]"#),
            ]),
            ProfileSectionReference(name: "seccomp", summary:
                "Changes to the system-call filter, by syscall name (x86_64 or i386) or group: "
                + SyscallGroups.groups.keys.sorted().map { "`\($0)`" }.joined(separator: ", ") + ". "
                + "Always refused, whatever a profile says: " + SyscallGroups.alwaysRefused.map { "`\($0)`" }.joined(separator: ", ") + ".", keys: [
                ProfileKey(name: "allow", type: "list of syscall names and groups", defaultValue: "[]",
                           summary: "Allows what is refused only by default: "
                               + SyscallGroups.refusedUnlessAllowed.map { "`\($0)`" }.joined(separator: ", ")
                               + ". Mount and namespace calls follow [namespaces] `nested_sandbox` instead.",
                           example: #"allow = ["userfaultfd", "@clock"]"#),
                ProfileKey(name: "deny", type: "list of syscall names and groups", defaultValue: "[]",
                           summary: "Refused with `EPERM` as well; not the calls ww needs to start the game.",
                           example: #"deny = ["@obsolete", "ptrace"]"#),
            ]),
            ProfileSectionReference(name: "landlock", summary: "The Landlock layer behind the mounts.", keys: [
                ProfileKey(name: "mode", type: choice(LandlockMode.self), defaultValue: quoted(d.landlock.value.rawValue),
                           summary: "`required`: refuse to start without Landlock. `best-effort`: apply what the kernel offers and record exactly "
                               + "what is in force. `off`: no Landlock.", example: #"mode = "required""#),
            ]),
            ProfileSectionReference(name: "process", summary:
                "Which programs the game may start, decided by ww for every `execve` in the sandbox. Patterns are shell wildcards "
                + "(`*`, `?`, `[...]`) matched against the program's file name, or its full path when the pattern has a `/`, and, when "
                + "Wine is asked to start a Windows program, against that program (`cmd.exe`, `C:\\Games\\setup.exe`, case-insensitive). "
                + "The global config's [process] applies under every profile.", keys: [
                ProfileKey(name: "allowed_patterns", type: "list of wildcard patterns", defaultValue: "[]", defaultNote: "anything not blocked may start",
                           summary: "Not empty: only programs matching one may start (the launch command always may).",
                           example: #"allowed_patterns = ["wine*", "*.exe"]"#),
                ProfileKey(name: "blocked_patterns", type: "list of wildcard patterns", defaultValue: "[]",
                           summary: "Programs matching one never start; checked first.",
                           example: #"blocked_patterns = ["*powershell*", "*cmd.exe*"]"#),
                ProfileKey(name: "allow_shell_execution", type: "true or false", defaultValue: toml(d.allowShellExecution.value),
                           summary: "`true`: Windows programs may start shells and script hosts (`cmd.exe`, `powershell.exe`, `wscript.exe`, "
                               + "`sh`, `python`, `.bat` and `.ps1` files, ...). The launch chain's own scripts are never affected.",
                           example: "allow_shell_execution = true"),
                ProfileKey(name: "allow_anonymous_exec", type: "true or false", defaultValue: toml(d.allowAnonymousExec.value),
                           summary: "`true`: programs with no path may start (a memfd run with `execveat`, a deleted file). "
                               + "No name rule can judge them, so they are refused by default.",
                           example: "allow_anonymous_exec = true"),
                ProfileKey(name: "max_child_processes", type: "whole number, 1 to 100000", defaultValue: nil, defaultNote: "no limit",
                           summary: "Live processes the game may have besides itself; more are refused. Setting it makes ww watch every fork.",
                           example: "max_child_processes = 50"),
            ]),
            ProfileSectionReference(name: "wine", summary:
                "The game's Wine prefix (`WINEPREFIX`, else Proton's `pfx` folder, else `~/.wine`). wineboot starts what its "
                + "`Run`, `RunOnce`, `RunServices` and `RunServicesOnce` keys (HKCU and HKLM, also below `Wow6432Node`), the Winlogon "
                + "`Shell` and `Userinit` values, its services and its Startup folders name at every start of the prefix, so ww "
                + "compares them before and after each session: every entry the session added or changed is a `persistence_attempt` "
                + "event (key, value, command line). A prefix a running wineserver uses is never changed.", keys: [
                ProfileKey(name: "keep_autostart", type: "true or false", defaultValue: toml(d.keepAutostart.value),
                           summary: "`false`: at the session's end ww removes what it added (restores what it changed) in `user.reg`, "
                               + "`system.reg` and the Startup folders, changing only those lines and files; the event keeps what was "
                               + "removed (`removed=true`). `true`: the entries stay, for a game that really installs a service or a "
                               + "start-up helper.",
                           example: "keep_autostart = true"),
            ]),
            ProfileSectionReference(name: "trust", summary:
                "The game's trust tier picks stricter defaults (red: network off and no shells; yellow: `full` network becomes "
                + "`observe`; green: the profile as written). The tier comes from the game's score (`ww trust show`) unless pinned.", keys: [
                ProfileKey(name: "tier", type: #""red", "yellow" or "green""#, defaultValue: nil, defaultNote: "the game's score decides",
                           summary: "Pins the tier for the games this profile applies to. `ww trust set GAME TIER` pins one game and wins over this.",
                           example: #"tier = "green""#),
            ]),
        ]
    }()

    /// Every key, top level first.
    public static var all: [(section: String, key: ProfileKey)] {
        ([topLevel] + sections).flatMap { s in s.keys.map { (s.name, $0) } }
    }

    /// The variables path entries may use (`$NAME` or `${NAME}`), with what each is for a launch.
    public static let variables: [(name: String, meaning: String)] = [
        ("HOME", "your home folder; `~` at the start of a path is the same"),
        ("USER", "your user name"),
        ("UID", "your user number"),
        ("GAME_DIR", "the game's folder: `STEAM_COMPAT_INSTALL_PATH`, else Lutris' `GAME_DIRECTORY`, else the folder of the .exe given to Wine, "
            + "else the command's folder, and for a command found on PATH (`ww -- paplay tone.wav`) the folder it was started from "
            + "(none from `/`, your home or a folder holding a hidden path); when that is a system folder the entry is skipped"),
        ("GAME_ID", "the game's identity, such as `steam:1245620` or `lutris:my-game`"),
        ("WINEPREFIX", "the Wine prefix of the launch"),
        ("STEAM_COMPAT_DATA_PATH", "the Proton prefix folder Steam passes"),
        ("STEAM_COMPAT_INSTALL_PATH", "the game's install folder Steam passes"),
        ("STEAM_COMPAT_CLIENT_INSTALL_PATH", "the Steam client's folder"),
        ("STEAM_COMPAT_SHADER_PATH", "Steam's shader cache folder for the game"),
        ("XDG_CONFIG_HOME", "yours, else `~/.config`"),
        ("XDG_DATA_HOME", "yours, else `~/.local/share`"),
        ("XDG_CACHE_HOME", "yours, else `~/.cache`"),
        ("XDG_STATE_HOME", "yours, else `~/.local/state`"),
        ("XDG_RUNTIME_DIR", "the launch's runtime folder"),
        ("PROTON_EAC_RUNTIME", "the Easy Anti-Cheat runtime folder Proton uses"),
        ("PROTON_BATTLEYE_RUNTIME", "the BattlEye runtime folder Proton uses"),
        ("STEAM_COMPAT_TOOL_PATHS", "a list (colon-separated): the compatibility tools of the launch, Proton and the Steam Linux Runtime; "
            + "an entry naming it stands for one path per tool"),
        ("STEAM_COMPAT_LIBRARY_PATHS", "a list: the Steam library folders of the launch"),
        ("STEAM_COMPAT_MOUNTS", "a list: extra folders the player asked Steam to share with the game"),
    ]
}
