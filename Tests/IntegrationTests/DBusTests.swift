import Foundation
import XCTest

/// `dbus = "filtered"` against a real session bus (dbus-daemon, started by the test as the test user)
/// with real services on it (dbus-test-tool echo owning a name each): an allowed name answers through
/// xdg-dbus-proxy; the Secret Service and systemd do not; with `dbus = "none"` there is no bus at all.
final class DBusTests: XCTestCase {
    let sb = Sandbox.shared

    static let names = ["org.freedesktop.Notifications", "org.freedesktop.secrets", "org.freedesktop.systemd1"]

    func startBus() throws -> TestBus { try TestBus.start(sb, names: Self.names, extraTools: ["/usr/bin/xdg-dbus-proxy"]) }

    func profile(_ dbus: String) throws -> String {
        let path = sb.root + "/dbus-\(UUID().uuidString).toml"
        try "extends = \"default\"\n[desktop]\ndbus = \"\(dbus)\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        return path
    }

    /// `dbus-send` to NAME: without ww (`sandboxed` nil) or under ww with that profile.
    func call(_ name: String, bus: TestBus, sandboxed profile: String?, log: String? = nil) throws -> Sandbox.Result {
        let send = ["/usr/bin/dbus-send", "--session", "--print-reply", "--reply-timeout=5000", "--dest=\(name)", "/", "org.example.Test.Ping"]
        let env = ["DBUS_SESSION_BUS_ADDRESS": bus.address, "XDG_RUNTIME_DIR": bus.runtime]
        guard let profile else { return try bus.call(name) }
        let home = try sb.makeHome()
        return try sb.ww(["--profile", profile] + (log.map { ["--log", $0] } ?? []) + ["--"] + send, home: home, env: env, timeout: 60)
    }

    func testFilteredBusLetsTheGameReachAllowedNamesOnly() throws {
        let bus = try startBus()
        defer { bus.stop() }
        let filtered = try profile("filtered")
        let log = sb.logPath()
        let allowed = try call("org.freedesktop.Notifications", bus: bus, sandboxed: filtered, log: log)
        XCTAssertEqual(allowed.status, 0, "an allowed name answers through the proxy\n\(allowed.output)")
        XCTAssertTrue(allowed.stdout.contains("method return"), allowed.output)
        for name in ["org.freedesktop.secrets", "org.freedesktop.systemd1"] {
            let refused = try call(name, bus: bus, sandboxed: filtered)
            XCTAssertNotEqual(refused.status, 0, "\(name) must not be reachable\n\(refused.output)")
            XCTAssertFalse(refused.stdout.contains("method return"), refused.output)
            XCTAssertTrue(refused.stderr.contains("org.freedesktop.DBus.Error"), "the proxy refused it\n\(refused.output)")
        }
        let event = sb.events(log).first { $0["kind"] as? String == "dbus_filtered" }
        XCTAssertNotNil(event, "the filter is on record")
        XCTAssertTrue((event?["rules"] as? [String] ?? []).contains("--talk=org.freedesktop.Notifications"), "\(String(describing: event))")
        // The proxy went with the session.
        let left = try Sandbox.run("/usr/bin/pgrep", ["-u", "\(sb.uid)", "-f", "xdg-dbus-proxy"])
        XCTAssertEqual(left.stdout, "", "xdg-dbus-proxy outlived ww")
    }

    /// The control: the same calls without ww reach all three services.
    func testWithoutWWEveryNameAnswers() throws {
        let bus = try startBus()
        defer { bus.stop() }
        for name in Self.names {
            let r = try call(name, bus: bus, sandboxed: nil)
            XCTAssertEqual(r.status, 0, "\(name)\n\(r.output)")
        }
    }

    func testNoBusWithDBusNone() throws {
        let bus = try startBus()
        defer { bus.stop() }
        let none = try profile("none")
        let r = try call("org.freedesktop.Notifications", bus: bus, sandboxed: none)
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertFalse(r.stdout.contains("method return"), r.output)
        // Not through the variable, and not through the socket's usual path either.
        let home = try sb.makeHome()
        let direct = try sb.ww(["--profile", none, "--", "/usr/bin/dbus-send", "--bus=\(bus.address)", "--print-reply",
                                "--dest=org.freedesktop.Notifications", "/", "org.example.Test.Ping"],
                               home: home, env: ["XDG_RUNTIME_DIR": bus.runtime])
        XCTAssertNotEqual(direct.status, 0, direct.output)
        XCTAssertFalse(direct.stdout.contains("method return"), direct.output)
    }

    func testMissingProxyStopsTheLaunchWithThePackageName() throws {
        let home = try sb.makeHome()
        let bin = sb.root + "/path-without-proxy"
        try? FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for tool in ["true", "bwrap", "socat"] { try? FileManager.default.createSymbolicLink(atPath: "\(bin)/\(tool)", withDestinationPath: "/usr/bin/\(tool)") }
        let r = try sb.ww(["--profile", try profile("filtered"), "--", "true"], home: home,
                          env: ["PATH": bin, "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"])
        XCTAssertEqual(r.status, 125, r.output)
        XCTAssertTrue(r.stderr.contains("xdg-dbus-proxy package"), r.output)
    }
}
