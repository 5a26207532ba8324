/// `dbus = "filtered"`: xdg-dbus-proxy on the host, between the session bus and a socket that is the
/// only bus the sandbox sees.
public struct DBusProxyPlan: Codable, Equatable, Sendable {
    /// xdg-dbus-proxy on the host.
    public var program: String
    /// The real session bus (DBUS_SESSION_BUS_ADDRESS).
    public var upstream: String
    /// The proxy's socket, in this session's private folder.
    public var hostSocket: String
    /// What the game gets as DBUS_SESSION_BUS_ADDRESS.
    public var sandboxAddress: String
    /// The filter: --filter, --talk, --call and --broadcast options.
    public var arguments: [String]

    public static let sandboxDirectory = "/run/winewarden/dbus"

    /// The proxy's full command line, with `--fd=FD` for its readiness byte and its life.
    public func commandLine(readyFD: Int32) -> [String] {
        [program, "--fd=\(readyFD)", upstream, hostSocket] + arguments
    }
}
