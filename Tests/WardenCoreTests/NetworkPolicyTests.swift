// The [network] policy: patterns, decisions, profile validation, and the network part of plans.

import Foundation
import XCTest
@testable import WardenCore

final class NetworkPolicyTests: XCTestCase {
    func pattern(_ s: String) throws -> DomainPattern { try DomainPattern.parse(s).get() }

    func testDomainPatternsMatchNamesNotSuffixesOrAddresses() throws {
        XCTAssertTrue(try pattern("example.com").matches(host: "EXAMPLE.com."))
        XCTAssertFalse(try pattern("example.com").matches(host: "www.example.com"))
        XCTAssertTrue(try pattern("*.example.com").matches(host: "a.b.example.com"))
        XCTAssertFalse(try pattern("*.example.com").matches(host: "example.com"))
        XCTAssertFalse(try pattern("*.example.com").matches(host: "badexample.com"))
        XCTAssertTrue(try pattern("*").matches(host: "anything.test"))
        XCTAssertFalse(try pattern("*").matches(host: "192.0.2.1"), "names never cover literal addresses")
        XCTAssertTrue(try pattern("10.0.0.0/8").matches(host: "10.20.30.40"))
        XCTAssertFalse(try pattern("10.0.0.0/8").matches(host: "11.0.0.1"))
        XCTAssertTrue(try pattern("2001:db8::/32").matches(host: "2001:db8:1::5"))
        XCTAssertTrue(try pattern("[::1]").matches(host: "::1"))
        XCTAssertFalse(try pattern("10.0.0.0/8").matches(host: "ten.example"))
    }

    func testInvalidPatternsAreRefusedWithAReason() {
        for bad in ["exa*mple.com", "*.*.example.com", "", "ex ample.com", "a..b", "10.0.0.0/33", "-*", "http://example.com"] {
            guard case .failure(let e) = DomainPattern.parse(bad) else { return XCTFail("\(bad) accepted") }
            XCTAssertFalse(e.sentence.isEmpty)
        }
    }

    func testAddressesParseAndPrint() {
        XCTAssertEqual(IPAddress("::ffff:192.0.2.1")?.description, "192.0.2.1")
        XCTAssertEqual(IPAddress("2001:0db8:0:0:0:0:0:1")?.description, "2001:db8::1")
        XCTAssertNil(IPAddress("1.2.3"))
        XCTAssertNil(IPAddress("01.2.3.4"))
        XCTAssertNil(IPAddress("1::2::3"))
        XCTAssertTrue(IPAddress("127.8.9.10")!.isLoopback)
        XCTAssertTrue(IPAddress("::1")!.isLoopback)
        XCTAssertFalse(IPAddress("10.0.0.1")!.isLoopback)
    }

    func testDestinationRules() {
        let smtp = DestinationRule.parse("*:25")!
        XCTAssertTrue(smtp.matches(IPAddress("203.0.113.9")!, port: 25))
        XCTAssertFalse(smtp.matches(IPAddress("203.0.113.9")!, port: 587))
        let lan = DestinationRule.parse("192.168.0.0/16")!
        XCTAssertTrue(lan.matches(IPAddress("192.168.1.1")!, port: 80))
        XCTAssertTrue(DestinationRule.parse("[2001:db8::/32]:443")!.matches(IPAddress("2001:db8::9")!, port: 443))
        for bad in ["*", "192.168.0.0/16:0", "host.example:80", "[::1:443", "1.2.3.4:70000"] { XCTAssertNil(DestinationRule.parse(bad), bad) }
    }

    func testDenyWinsThenAllowThenRefused() {
        let p = NetworkPolicy(allowDomains: ["*.example.com", "198.51.100.0/24"], denyDomains: ["ads.example.com"]).compiled()
        XCTAssertEqual(p.decide(host: "cdn.example.com"), NetworkDecision(allowed: true, rule: "allow_domains *.example.com"))
        XCTAssertEqual(p.decide(host: "ads.example.com"), NetworkDecision(allowed: false, rule: "deny_domains ads.example.com"))
        XCTAssertEqual(p.decide(host: "other.test").rule, "not in allow_domains")
        XCTAssertEqual(p.decide(host: "203.0.113.1"), NetworkDecision(allowed: false, rule: "a literal address no allow_domains entry covers"))
        XCTAssertTrue(p.decide(host: "198.51.100.7").allowed)
    }

    func testObserveDecisionUsesDenyListsAndLookedUpNames() {
        let p = NetworkPolicy(denyDomains: ["*.tracker.test"], denyDestinations: ["*:25"]).compiled()
        XCTAssertTrue(p.decide(address: IPAddress("192.0.2.1")!, port: 443, names: []).allowed)
        XCTAssertEqual(p.decide(address: IPAddress("192.0.2.1")!, port: 25, names: []).rule, "deny_destinations *:25")
        XCTAssertEqual(p.decide(address: IPAddress("192.0.2.1")!, port: 443, names: ["x.tracker.test"]).rule, "deny_domains *.tracker.test (x.tracker.test)")
    }

    // MARK: profile validation

    func resolver(_ text: String) -> ProfileResolver {
        ProfileResolver(catalog: ProfileCatalog(searchOrder: [ProfileSource(name: "t", path: "t.toml", text: text)]))
    }

    func assertProblem(_ network: String, _ phrase: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try resolver("[network]\n\(network)\n").load(named: "t")
            XCTFail("accepted: \(network)", file: file, line: line)
        } catch let e as WardenError {
            XCTAssertEqual(e.kind, .profile, file: file, line: line)
            XCTAssertTrue(e.message.hasPrefix("t.toml:2"), e.message, file: file, line: line)
            XCTAssertTrue(e.message.contains(phrase), "expected «\(phrase)» in \(e.message)", file: file, line: line)
        } catch { XCTFail("\(error)", file: file, line: line) }
    }

    func testBadNetworkEntriesAreErrorsWithTheirLine() {
        assertProblem("mode = \"vpn\"", "must be one of")
        assertProblem("allow_domains = [\"ex*ample.com\"]", "uses * inside a name")
        assertProblem("deny_domains = [\"bad name\"]", "characters a host name cannot have")
        assertProblem("inbound_ports = [70000]", "port numbers from 1 to 65535")
        assertProblem("inbound_ports = [\"27015\"]", "port numbers")
        assertProblem("rate_limit = 0", "from 1 to 1000000")
        assertProblem("upstream_dns = \"dns.example\"", "an address with an optional port")
        assertProblem("upstream_proxy = \"127.0.0.1\"", "host:port")
        assertProblem("deny_destinations = [\"example.com:25\"]", "address range")
        assertProblem("allow_domain = [\"x\"]", "did you mean 'allow_domains'")
    }

    // MARK: plans

    func planFor(_ network: String, command: [String] = ["wine", "/home/player/Games/foo/Foo.exe"], fs: FakeFileSystem = .desktop()) throws -> SandboxPlan {
        let shipped = try Fixture.shippedCatalog()
        let extra = ProfileSource(name: "net", path: "net.toml", text: "extends = \"wine\"\n[network]\n\(network)\n")
        let c = Fixture.Case(name: "net", context: Fixture.context(command, env: ["WINEPREFIX": "/home/player/Prefixes/foo", "http_proxy": "http://corp:3128"],
                                                                     cwd: "/home/player/Games/foo", resolved: "/usr/bin/wine"), profile: "net")
        return try Fixture.plan(c, fs: fs, catalog: ProfileCatalog(searchOrder: shipped.sources + [extra]))
    }

    static let proxyProfile = """
        mode = "proxy"
        allow_domains = ["*.example.com", "api.game.test"]
        deny_domains = ["ads.example.com"]
        inbound_ports = [27015]
        upstream_dns = "192.0.2.53"
        """

    func testProxyPlanMatchesGolden() throws {
        try GoldenPlanTests.checkPlan(try planFor(Self.proxyProfile), name: "proxy")
    }

    func testProxyPlanIsAnEmptyNamespaceWithBridgesProxyVariablesAndTheRelay() throws {
        let plan = try planFor(Self.proxyProfile)
        let argv = BwrapCommand.render(plan).arguments
        XCTAssertTrue(argv.contains("--unshare-net"))
        XCTAssertEqual(plan.net.bridges.map(\.listener), [.tcp(3128), .tcp(1080), .udp(53), .tcp(53), .unix("/run/winewarden/inbound/27015.sock")])
        XCTAssertEqual(plan.net.helperCapabilities, ["CAP_NET_BIND_SERVICE"])
        XCTAssertFalse(argv.contains("--disable-userns"), "the nested user namespace could not open port 53")
        XCTAssertTrue(plan.notes.contains { $0.contains("no bwrap --disable-userns") })
        XCTAssertEqual(plan.mounts.first { $0.destination == "/dev" }?.kind, .devMinimal, "bwrap's --dev would nest a user namespace")
        XCTAssertFalse(argv.contains("--dev"))
        let env = Dictionary(uniqueKeysWithValues: plan.environment.map { ($0.name, $0.value) })
        XCTAssertEqual(env["http_proxy"], "http://127.0.0.1:3128", "the host's proxy is replaced")
        XCTAssertEqual(env["HTTPS_PROXY"], "http://127.0.0.1:3128")
        XCTAssertEqual(env["ALL_PROXY"], "socks5h://127.0.0.1:1080")
        XCTAssertEqual(plan.net.upstreamDNS, "192.0.2.53:53")
        let resolv = try XCTUnwrap(plan.mounts.first { $0.destination == "/etc/resolv.conf" })
        XCTAssertEqual(resolv.kind, .readOnlyBind)
        XCTAssertEqual(resolv.source, "/run/user/1000/winewarden/0123456789abcdef/resolv.conf")
        let sockets = try XCTUnwrap(plan.mounts.first { $0.destination == NetworkPlan.sandboxSocketDirectory })
        XCTAssertEqual(sockets.kind, .readOnlyBind)
        XCTAssertFalse(plan.mounts.contains { $0.source == "/run/user/1000/winewarden" || $0.source == "/run/user/1000" }, "only this session's folder is shown")
    }

    func testProxyWithoutSocatFailsClosed() throws {
        let shipped = try Fixture.shippedCatalog()
        let extra = ProfileSource(name: "net", path: "net.toml", text: "[network]\nmode = \"proxy\"\n")
        let c = Fixture.Case(name: "net", context: Fixture.context(["/usr/bin/wine"], env: [:], cwd: "/home/player", resolved: "/usr/bin/wine"), profile: "net")
        let catalog = ProfileCatalog(searchOrder: shipped.sources + [extra])
        var host = Fixture.host()
        host.socatPath = nil
        let profile = try ProfileResolver(catalog: catalog).load(named: "net")
        XCTAssertThrowsError(try Planner(context: c.context, identity: GameIdentity.resolve(c.context), profile: profile, profileReason: "", host: host).plan()) { e in
            XCTAssertTrue("\(e)".contains("install the socat package"), "\(e)")
        }
    }

    func testRemoteUpstreamProxyNeedsTheUnsafeSwitch() throws {
        XCTAssertThrowsError(try planFor("mode = \"proxy\"\nupstream_proxy = \"proxy.corp.example:3128\"")) { e in
            XCTAssertTrue("\(e)".contains("net.toml:4"), "\(e)")
            XCTAssertTrue("\(e)".contains("unsafe_allow_remote_proxy"), "\(e)")
        }
        let plan = try planFor("mode = \"proxy\"\nupstream_proxy = \"proxy.corp.example:3128\"\nunsafe_allow_remote_proxy = true")
        XCTAssertEqual(plan.net.upstreamProxy, "proxy.corp.example:3128")
        XCTAssertTrue(plan.warnings.contains { $0.contains("another machine") })
        XCTAssertEqual(try planFor("mode = \"proxy\"\nupstream_proxy = \"127.0.0.1:8080\"").net.upstreamProxy, "127.0.0.1:8080")
    }

    func testOffRemovesProxyVariablesAndBridgesOnlyInboundPorts() throws {
        let plan = try planFor("mode = \"off\"\ninbound_ports = [7777, 7777]")
        XCTAssertNil(plan.environment.first { $0.name == "http_proxy" })
        XCTAssertTrue(plan.removedEnvironment.contains { $0.name == "http_proxy" && $0.reason == "network = off" })
        XCTAssertEqual(plan.net.bridges.map(\.listener), [.unix("/run/winewarden/inbound/7777.sock")])
        XCTAssertEqual(plan.net.helperCapabilities, [])
        XCTAssertTrue(BwrapCommand.render(plan).arguments.contains("--disable-userns"))
        XCTAssertEqual(plan.mounts.first { $0.destination == NetworkPlan.sandboxInboundDirectory }?.kind, .bind)
    }

    func testObserveAndFullShareTheHostNetworkWithoutBridges() throws {
        for mode in ["observe", "full"] {
            let plan = try planFor("mode = \"\(mode)\"\ninbound_ports = [27015]")
            XCTAssertFalse(BwrapCommand.render(plan).arguments.contains("--unshare-net"), mode)
            XCTAssertEqual(plan.net.bridges, [], mode)
            XCTAssertNil(plan.net.sessionDirectory, mode)
            XCTAssertTrue(plan.notes.contains { $0.contains("need no bridge") }, mode)
            XCTAssertEqual(plan.environment.first { $0.name == "http_proxy" }?.value, "http://corp:3128", "the host's own proxy setting stays with the host network")
        }
        XCTAssertTrue(try planFor("mode = \"full\"").warnings.contains { $0.contains("nothing it does there is observed") })
    }

    func testAllowDomainOnTheCommandLineAddsToTheProfile() throws {
        let l = try CommandLineOverrides(network: "proxy", allowDomains: ["cdn.example.net"]).layer()
        XCTAssertEqual(l.allowDomains.map(\.text), ["cdn.example.net"])
        XCTAssertThrowsError(try CommandLineOverrides(allowDomains: ["bad*name"]).layer())
    }

    func testResolvConfThatIsALinkIsReplacedAtItsTarget() throws {
        var fs = FakeFileSystem.desktop()
        fs.add("/run/systemd/resolve/stub-resolv.conf", .file)
        fs.link("/etc/resolv.conf", "/run/systemd/resolve/stub-resolv.conf")
        let plan = try planFor("mode = \"proxy\"", fs: fs)
        XCTAssertNotNil(plan.mounts.first { $0.destination == "/run/systemd/resolve/stub-resolv.conf" && $0.source?.hasSuffix("resolv.conf") == true })
    }

    func testHelperInstructionsCarryTheBridges() throws {
        let plan = try planFor(Self.proxyProfile)
        let i = HelperInstructions(command: ["a"], landlock: plan.landlock, notificationFilter: [1, 2], bridges: plan.net.bridges)
        let back = try XCTUnwrap(HelperInstructions.decode(i.encoded()[...]))
        XCTAssertEqual(back.bridges, plan.net.bridges)
    }
}
