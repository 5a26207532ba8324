import XCTest
@testable import WardenCore

final class DBusPolicyTests: XCTestCase {
    func testWellFormedNamesPass() {
        for name in ["org.freedesktop.Notifications", "com.feralinteractive.GameMode", "org.example.*", "org.kde.StatusNotifierWatcher", "a_b.c-d"] {
            XCTAssertNil(DBusPolicy.nameProblem(name), name)
        }
    }

    func testMalformedNamesAreRefused() {
        for name in ["", "single", "org..foo", "org.1foo", "bad name", "*", "org.foo.", ".org.foo"] {
            XCTAssertNotNil(DBusPolicy.nameProblem(name), name)
        }
    }

    func testForbiddenNamesAndWildcardsCoveringThemAreRefused() {
        for name in ["org.freedesktop.secrets", "org.freedesktop.systemd1", "org.freedesktop.portal.Flatpak",
                     "org.freedesktop.*", "org.freedesktop.portal.*", "org.*", "org.gnome.*", "ca.desrt.dconf",
                     "org.kde.kwalletd6", "org.freedesktop.impl.portal.Settings", "org.freedesktop.DBus"] {
            XCTAssertTrue(DBusPolicy.nameProblem(name)?.contains("never") == true, name)
        }
        // A name that only starts with the same letters is another name.
        XCTAssertNil(DBusPolicy.nameProblem("org.freedesktop.secretsfoo"))
    }

    func testCallRules() {
        XCTAssertNil(DBusPolicy.callProblem("org.freedesktop.portal.Desktop=org.freedesktop.portal.Settings.*@/org/freedesktop/portal/desktop"))
        XCTAssertNil(DBusPolicy.callProblem("org.freedesktop.ScreenSaver=org.freedesktop.ScreenSaver.Inhibit"))
        XCTAssertNil(DBusPolicy.callProblem("org.example.Game=*@/org/example/*"))
        XCTAssertNotNil(DBusPolicy.callProblem("org.example.Game"))
        XCTAssertNotNil(DBusPolicy.callProblem("org.example.Game="))
        XCTAssertNotNil(DBusPolicy.callProblem("org.example.Game=*@relative"))
        XCTAssertTrue(DBusPolicy.callProblem("org.freedesktop.secrets=*")?.contains("never") == true)
    }

    func testProxyArgumentsFilterAndBroadcastCallNames() {
        XCTAssertEqual(DBusPolicy.proxyArguments(talk: ["org.a.B"], call: ["org.c.D=x.y.Z", "org.c.D=x.y.W@/p"]),
                       ["--filter", "--talk=org.a.B", "--call=org.c.D=x.y.Z", "--call=org.c.D=x.y.W@/p", "--broadcast=org.c.D=*"])
        XCTAssertEqual(DBusPolicy.proxyArguments(talk: [], call: []), ["--filter"])
    }

    func filteredPlan(_ host: HostFacts = Fixture.host(), env: [String: String] = [:]) throws -> SandboxPlan {
        let resolver = ProfileResolver(catalog: try Fixture.catalog(adding: ProfileSource(name: "bus", path: "user/bus.toml", text: "extends = \"default\"\n[desktop]\ndbus = \"filtered\"\n")))
        let base = Fixture.cases[0].context
        let ctx = LaunchContext(command: base.command, environment: base.environment.merging(env) { $1 }, workingDirectory: base.workingDirectory,
                                user: base.user, resolvedCommand: base.resolvedCommand, windowsExecutable: base.windowsExecutable)
        let identity = GameIdentity.resolve(ctx)
        let profile = try resolver.load(try XCTUnwrap(resolver.catalog.source(named: "bus")))
        return try Planner(context: ctx, identity: identity, profile: profile, profileReason: "test", host: host).plan()
    }

    func testFilteredPlanBindsOnlyTheProxySocketAndPointsTheGameAtIt() throws {
        let plan = try filteredPlan()
        let d = try XCTUnwrap(plan.dbus)
        XCTAssertEqual(d.upstream, "unix:path=/run/user/1000/bus")
        XCTAssertEqual(d.hostSocket, "/run/user/1000/winewarden/0123456789abcdef/dbus/bus")
        XCTAssertTrue(d.arguments.contains("--talk=org.freedesktop.Notifications"), "\(d.arguments)")
        XCTAssertTrue(plan.mounts.contains { $0.kind == .readOnlyBind && $0.source == "/run/user/1000/winewarden/0123456789abcdef/dbus" && $0.destination == "/run/winewarden/dbus" })
        XCTAssertFalse(plan.mounts.contains { $0.source == "/run/user/1000/bus" }, "the real bus is never bound")
        XCTAssertEqual(plan.environment.first { $0.name == "DBUS_SESSION_BUS_ADDRESS" }?.value, "unix:path=/run/winewarden/dbus/bus")
        XCTAssertEqual(d.commandLine(readyFD: 3).prefix(4), ["/usr/bin/xdg-dbus-proxy", "--fd=3", "unix:path=/run/user/1000/bus", d.hostSocket])
        let text = PlanText.render(plan, bwrap: BwrapCommand.render(plan))
        XCTAssertTrue(text.contains("d-bus       filtered: xdg-dbus-proxy unix:path=/run/user/1000/bus -> unix:path=/run/winewarden/dbus/bus; --talk=org.freedesktop.Notifications"), text)
    }

    func testFilteredWithoutProxyIsAHostErrorNamingThePackage() throws {
        var host = Fixture.host()
        host.dbusProxyPath = nil
        XCTAssertThrowsError(try filteredPlan(host)) { e in
            let w = e as? WardenError
            XCTAssertEqual(w?.exitStatus, 125)
            XCTAssertTrue(w?.message.contains("xdg-dbus-proxy package") == true, "\(String(describing: w))")
        }
    }

    func testFilteredWithoutASessionBusMeansNoBus() throws {
        var fs = FakeFileSystem.desktop()
        fs.kinds["/run/user/1000/bus"] = nil
        let plan = try filteredPlan(Fixture.host(fs), env: ["DBUS_SESSION_BUS_ADDRESS": ""])
        XCTAssertNil(plan.dbus)
        XCTAssertNil(plan.environment.first { $0.name == "DBUS_SESSION_BUS_ADDRESS" })
        XCTAssertTrue(plan.notes.contains { $0.contains("no session bus") }, "\(plan.notes)")
    }
}
