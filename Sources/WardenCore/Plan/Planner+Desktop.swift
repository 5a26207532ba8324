// Desktop sockets: X11 (and its authority file), Wayland, PulseAudio, PipeWire.

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
    }
}
