// The game's environment and working directory: secrets removed, proxy and bus addresses replaced,
// display and sound variables kept only when their sockets are shown, winemenubuilder disabled.

extension Planner {
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
}
