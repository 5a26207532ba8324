// The verdicts of `ww features` for helper programs and the desktop: socat, xdg-dbus-proxy,
// display, sound, GPU, ntsync, and whether ww itself runs in a container.

extension FeatureReport {
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
