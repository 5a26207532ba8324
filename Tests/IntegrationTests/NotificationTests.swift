import Foundation
import XCTest

/// Desktop notifications from the host side: a real session bus, a stand-in notification daemon
/// (dbus-test-tool owning org.freedesktop.Notifications), the real notify-send, and dbus-monitor
/// recording every Notify call ww makes.
final class NotificationTests: XCTestCase {
    let sb = Sandbox.shared

    struct Setup {
        var bus: TestBus
        let calls: String
        let home: FakeHome
        let profile: String
    }

    func setUp(blocked: String, config: String? = nil) throws -> Setup {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/notify-send") else { throw Skip.unexpected("notify-send is missing (apt-get install libnotify-bin)") }
        var bus = try TestBus.start(sb, names: ["org.freedesktop.Notifications"], extraTools: ["/usr/bin/dbus-monitor"])
        let calls = bus.runtime + "/notify-calls.txt"
        try bus.startBackground(["/usr/bin/dbus-monitor", "--session", "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"], output: calls)
        try TestBus.wait { ((try? String(contentsOfFile: calls, encoding: .utf8)) ?? "").contains("NameAcquired") }
        let home = try sb.makeHome()
        if let config {
            let dir = home.path + "/.config/winewarden"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try config.write(toFile: dir + "/config.toml", atomically: true, encoding: .utf8)
            sb.chownTree(home.path + "/.config")
        }
        let profile = sb.root + "/notify-\(UUID().uuidString).toml"
        try "extends = \"default\"\n[process]\nblocked_patterns = [\"\(blocked)\"]\n".write(toFile: profile, atomically: true, encoding: .utf8)
        chmod(profile, 0o644)
        return Setup(bus: bus, calls: calls, home: home, profile: profile)
    }

    func run(_ s: Setup, _ script: String) throws -> Sandbox.Result {
        try sb.ww(["--profile", s.profile, "--", "/bin/sh", "-c", script], home: s.home,
                  env: ["DBUS_SESSION_BUS_ADDRESS": s.bus.address, "XDG_RUNTIME_DIR": s.bus.runtime])
    }

    /// The Notify calls dbus-monitor saw (each starts with a "method call" header line).
    /// No sleeping: a sentinel notification is sent after ww's, and once dbus-monitor (which records
    /// in bus order) shows it, every call before it is in the file.
    func notifications(_ s: Setup) -> [String] {
        let sentinel = "ww-test-sentinel-\(UUID().uuidString)"
        let sent = try? sb.asUser("/usr/bin/dbus-send", ["--session", "--type=method_call", "--dest=org.freedesktop.Notifications",
                                                         "/org/freedesktop/Notifications", "org.freedesktop.Notifications.Notify", "string:\(sentinel)"],
                                  env: ["DBUS_SESSION_BUS_ADDRESS": s.bus.address, "XDG_RUNTIME_DIR": s.bus.runtime, "PATH": "/usr/bin:/bin"], cwd: "/")
        XCTAssertEqual(sent?.status, 0, "dbus-send could not send the sentinel: \(sent?.output ?? "not run")")
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        repeat {
            text = (try? String(contentsOfFile: s.calls, encoding: .utf8)) ?? ""
            if text.contains(sentinel) { break }
            usleep(20_000)
        } while Date() < deadline
        XCTAssertTrue(text.contains(sentinel), "dbus-monitor never saw the sentinel notification")
        return text.components(separatedBy: "method call ").dropFirst().filter { $0.contains("member=Notify") && !$0.contains(sentinel) }
    }

    func testARefusedShellShowsOneNotification() throws {
        let s = try setUp(blocked: "bash")
        defer { s.bus.stop() }
        let r = try run(s, "/bin/bash -c true; /bin/bash -c true; /bin/bash -c true; echo game-went-on")
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("game-went-on"), r.output)
        let shown = notifications(s)
        XCTAssertEqual(shown.count, 1, "one notification for three refusals\n\(shown)")
        XCTAssertTrue(shown.first?.contains("tried to start a shell, bash") == true, "\(shown)")
        XCTAssertTrue(shown.first?.contains("WineWarden") == true, "\(shown)")
        // Notify's signature (susssasa{sv}i), so a real daemon accepts it; normal urgency by default.
        for part in ["uint32 0", "int32 -1", "string \"urgency\"", "byte 1"] {
            XCTAssertTrue(shown.first?.contains(part) == true, "\(part)\n\(shown)")
        }
    }

    /// `no_prompts_during_gameplay = false`: an emergency is sent as critical (shown over fullscreen).
    func testEmergenciesAreCriticalWhenPromptsAreAllowed() throws {
        let s = try setUp(blocked: "bash", config: "[winewarden]\nno_prompts_during_gameplay = false\n")
        defer { s.bus.stop() }
        _ = try run(s, "/bin/bash -c true")
        let shown = notifications(s)
        XCTAssertEqual(shown.count, 1, "\(shown)")
        XCTAssertTrue(shown.first?.contains("byte 2") == true, "\(shown)")
    }

    /// `emergency_only = true` (the default): a refused program that is not a shell stays quiet;
    /// with `emergency_only = false` it is shown.
    func testNoticesFollowEmergencyOnly() throws {
        var s = try setUp(blocked: "*true*")
        let quiet = try run(s, "/bin/true; echo done")
        XCTAssertEqual(quiet.status, 0, quiet.output)
        XCTAssertEqual(notifications(s).count, 0, "\(notifications(s))")
        s.bus.stop()

        s = try setUp(blocked: "*true*", config: "[winewarden]\nemergency_only = false\n")
        defer { s.bus.stop() }
        let loud = try run(s, "/bin/true; echo done")
        XCTAssertEqual(loud.status, 0, loud.output)
        let shown = notifications(s)
        XCTAssertEqual(shown.count, 1, "\(shown)")
        XCTAssertTrue(shown.first?.contains("tried to run true") == true, "\(shown)")
    }
}
