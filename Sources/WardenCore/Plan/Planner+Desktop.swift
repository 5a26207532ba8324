// Desktop sockets: X11 (and its authority file), Wayland, PulseAudio, PipeWire; the user's Vulkan layer
// manifests and overlay configs (MangoHud, vkBasalt) in a virtual home.

extension Planner {
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
        if profile.discordIPC.value { addDiscordIPC(&b, runtimeDir: rt) }
    }

    /// Discord's IPC sockets (`discord-ipc-0` … `-9`), the native client's or else the Flatpak's or the
    /// Snap's, each where the game's Discord library looks: `$XDG_RUNTIME_DIR/discord-ipc-N`.
    func addDiscordIPC(_ b: inout Builder, runtimeDir rt: String) {
        let folders = [rt, Paths.join(rt, "app/com.discordapp.Discord"), Paths.join(rt, "snap.discord")]
        for n in 0...9 {
            let name = "discord-ipc-\(n)"
            guard let socket = folders.map({ Paths.join($0, name) }).first(where: { fs.kind($0) == .socket }) else { continue }
            let dest = Paths.join(rt, name)
            b.add(.readOnlyBind, source: socket, dest, reason: "Discord IPC (discord_ipc = true, \(profile.discordIPC.origin))")
            b.discordSockets.append(dest)
        }
        if b.discordSockets.isEmpty {
            b.notes.append("discord_ipc = true (\(profile.discordIPC.origin)) but no Discord IPC socket was found in \(rt): is Discord running?")
        } else {
            b.warnings.append("discord_ipc = true: the game can ask Discord who you are (Rich Presence)")
        }
    }

    /// Where the user keeps Vulkan layer manifests and overlay settings (the system's are in /usr and
    /// /etc, visible already): shown read-only in a virtual home, so MangoHud and vkBasalt find their
    /// layer and settings as on the host. Nothing here is a secret; the game cannot change them.
    static func overlayConfigFolders(configHome: String, dataHome: String) -> [String] {
        [Paths.join(dataHome, "vulkan/implicit_layer.d"), Paths.join(dataHome, "vulkan/explicit_layer.d"),
         Paths.join(configHome, "vulkan/implicit_layer.d"), Paths.join(configHome, "vulkan/explicit_layer.d"),
         Paths.join(configHome, "MangoHud"), Paths.join(configHome, "vkBasalt")]
    }

    func addOverlayConfigs(_ b: inout Builder) {
        guard profile.home.value == .virtual else { return }
        for dir in Self.overlayConfigFolders(configHome: xdg("XDG_CONFIG_HOME", ".config"), dataHome: xdg("XDG_DATA_HOME", ".local/share"))
        where Paths.isWithin(dir, home) && fs.kind(dir) == .directory && !b.isVisible(dir) && !SensitivePaths.isSensitive(dir, home: home) {
            b.add(.readOnlyBind, source: dir, dir, reason: "Vulkan layers and overlay settings (MangoHud, vkBasalt), read-only")
        }
    }
}
