// The session bus for `dbus = "filtered"`: xdg-dbus-proxy's socket, bound from this session's folder.

extension Planner {
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
}
