import Foundation
import XCTest

/// Issue 17 item 4, for real as the test user: the proxy decides on the address a request reaches,
/// not on how it is spelled. Each spelling of the host's loopback through plain HTTP, CONNECT and
/// SOCKS5 is refused with every name allowed, and recorded; `allow_local` lets the same server
/// through; a name that resolves to an address off this machine (a veth peer in a network namespace
/// the test creates as root, TEST-NET-2) still works, and one resolving to the host's own address does not.
final class NetworkAddressTests: XCTestCase {
    let sb = Sandbox.shared
    var pids: [Int32] = []
    var cleanups: [() -> Void] = []

    override func tearDown() {
        for p in pids { kill(p, SIGTERM); var s: Int32 = 0; waitpid(p, &s, 0) }
        for c in cleanups.reversed() { c() }
        super.tearDown()
    }

    static let spellings = ["localhost", "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.0.0.1.",
                            "[::ffff:127.0.0.1]", "0.0.0.0", "[::1]"]

    /// The game's side: raw requests through the in-sandbox proxy ports, exactly as spelled.
    static let probe = """
        import socket, sys
        port, hosts = int(sys.argv[1]), sys.argv[2:]
        def read_all(s):
            data = b""
            while True:
                try: d = s.recv(65536)
                except OSError: break
                if not d: break
                data += d
            return data
        def status(data):
            parts = data.split(b"\\r\\n", 1)[0].split()
            return parts[1].decode() if len(parts) > 1 else "none"
        def body(data): return "body" if b"hello from the host origin" in data else "-"
        for h in hosts:
            s = socket.create_connection(("127.0.0.1", 3128), timeout=15)
            s.sendall(("GET http://%s:%d/ok.txt HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n" % (h, port)).encode())
            d = read_all(s); print("http", h, status(d), body(d), flush=True)
            s = socket.create_connection(("127.0.0.1", 3128), timeout=15)
            s.sendall(("CONNECT %s:%d HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n" % (h, port)).encode())
            head = b""
            while b"\\r\\n\\r\\n" not in head:
                d = s.recv(4096)
                if not d: break
                head += d
            d = head
            if status(head) == "200":
                s.sendall(b"GET /ok.txt HTTP/1.0\\r\\n\\r\\n"); d = head + read_all(s)
            print("connect", h, status(head), body(d), flush=True)
            s = socket.create_connection(("127.0.0.1", 1080), timeout=15)
            s.sendall(b"\\x05\\x01\\x00"); s.recv(2)
            name = h.strip("[]").encode()
            s.sendall(b"\\x05\\x01\\x00\\x03" + bytes([len(name)]) + name + port.to_bytes(2, "big"))
            r = s.recv(10); code = r[1] if len(r) > 1 else 255
            d = b""
            if code == 0:
                s.sendall(b"GET /ok.txt HTTP/1.0\\r\\n\\r\\n"); d = read_all(s)
            print("socks", h, code, body(d), flush=True)
        """

    func probeFolder() throws -> String {
        let dir = sb.root + "/netaddr"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.probe.write(toFile: dir + "/probe.py", atomically: true, encoding: .utf8)
        _ = try Sandbox.run("/bin/chmod", ["-R", "a+rX", dir])
        return dir
    }

    /// An HTTP origin (python3) bound to `address`, optionally inside network namespace `netns`; its port.
    func origin(_ address: String, netns: String? = nil) throws -> Int {
        let dir = sb.root + "/www-addr"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "hello from the host origin\n".write(toFile: dir + "/ok.txt", atomically: true, encoding: .utf8)
        _ = try Sandbox.run("/bin/chmod", ["-R", "a+rX", dir])
        let port = 30000 + Int(getpid() % 10000) + pids.count
        let server = ["/usr/bin/python3", "-m", "http.server", String(port), "--bind", address, "--directory", dir]
        let (program, args) = netns.map { ("/usr/sbin/ip", ["netns", "exec", $0] + server) } ?? (server[0], Array(server.dropFirst()))
        pids.append(try NetworkTests.background(program, args))
        let deadline = Date().addingTimeInterval(20)
        while (try? Sandbox.run("/usr/bin/curl", ["-sf", "-m", "1", "-o", "/dev/null", "http://\(address):\(port)/ok.txt"]))?.status != 0 {
            guard Date() < deadline else { throw Skip.unexpected("the test origin on \(address) did not start") }
            usleep(50_000)
        }
        return port
    }

    func run(_ hosts: [String], port: Int, profile body: String) throws -> (lines: Set<String>, output: String, events: [[String: Any]]) {
        let dir = try probeFolder()
        let profile = try sb.profile("[network]\nmode = \"proxy\"\n\(body)\n")
        let log = sb.logPath()
        let r = try sb.ww(["--log", log, "-p", profile, "--ro", dir, "--", "/usr/bin/python3", dir + "/probe.py", String(port)] + hosts,
                          home: try sb.makeHome(), timeout: 180)
        XCTAssertEqual(r.status, 0, r.output)
        return (Set(r.stdout.split(separator: "\n").map(String.init)), r.output, sb.events(log))
    }

    func testEverySpellingOfLoopbackIsRefusedThroughHTTPConnectAndSOCKSWithEveryNameAllowed() throws {
        let port = try origin("127.0.0.1")
        let r = try run(Self.spellings + ["user@127.1"], port: port, profile: "allow_domains = [\"*\"]")
        for h in Self.spellings {
            XCTAssertTrue(r.lines.contains("http \(h) 403 -"), "plain HTTP \(h): \(r.output)")
            XCTAssertTrue(r.lines.contains("connect \(h) 403 -"), "CONNECT \(h): \(r.output)")
            XCTAssertTrue(r.lines.contains("socks \(h) 2 -"), "SOCKS5 \(h): \(r.output)")
        }
        XCTAssertTrue(r.lines.contains("http user@127.1 403 -"), r.output)
        XCTAssertFalse(r.output.contains(" body"), "the loopback origin answered: \(r.output)")
        let denied = r.events.filter { $0["kind"] as? String == "proxy_deny" }
        for via in ["http", "http-connect", "socks5"] {
            XCTAssertGreaterThanOrEqual(denied.filter { $0["via"] as? String == via }.count, Self.spellings.count, "\(via): \(denied)")
        }
        XCTAssertTrue(denied.allSatisfy { !($0["rule"] as? String ?? "").isEmpty })
        XCTAssertTrue(denied.contains { $0["host"] as? String == "localhost" && ($0["rule"] as? String ?? "").contains("is loopback, not in allow_local") }, "\(denied)")
        XCTAssertTrue(denied.contains { $0["host"] as? String == "0x7f000001" && ($0["rule"] as? String ?? "").contains("literal address") }, "\(denied)")
        // Only the SOCKS name "user@127.1" passes `*` (a name, not an address) and then has no address: allowed, then failed.
        let allowed = r.events.filter { $0["kind"] as? String == "proxy_allow" }
        XCTAssertTrue(allowed.allSatisfy { $0["host"] as? String == "user@127.1" && $0["addresses"] == nil }, "\(allowed)")
    }

    func testTheSameServerIsReachedOnceAllowLocalNamesIt() throws {
        let port = try origin("127.0.0.1")
        let reached = ["localhost", "127.0.0.1", "127.1", "2130706433", "0x7f000001", "[::ffff:127.0.0.1]"]
        let r = try run(reached, port: port, profile: "allow_domains = [\"*\", \"127.0.0.0/8\"]\nallow_local = [\"127.0.0.1:\(port)\"]")
        for h in reached {
            XCTAssertTrue(r.lines.contains("http \(h) 200 body"), "plain HTTP \(h): \(r.output)")
            XCTAssertTrue(r.lines.contains("connect \(h) 200 body"), "CONNECT \(h): \(r.output)")
            XCTAssertTrue(r.lines.contains("socks \(h) 0 body"), "SOCKS5 \(h): \(r.output)")
        }
        let allowed = r.events.filter { $0["kind"] as? String == "proxy_allow" }
        XCTAssertTrue(allowed.contains { ($0["rule"] as? String ?? "").contains("allow_local 127.0.0.1:\(port)") }, "\(allowed)")
        // Another port of the same address is not named: refused.
        let other = try run(["localhost"], port: port + 1, profile: "allow_domains = [\"*\"]\nallow_local = [\"127.0.0.1:\(port)\"]")
        XCTAssertTrue(other.lines.contains("http localhost 403 -"), other.output)
    }

    func testANameResolvingOffThisMachineWorksAndOneResolvingToTheHostsOwnAddressDoesNot() throws {
        guard getuid() == 0 else { throw Skip.allowed(.needsRootForSetUp, "a network namespace with its own name server") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip"), FileManager.default.isExecutableFile(atPath: "/usr/sbin/dnsmasq") else {
            throw Skip.unexpected("needs ip and dnsmasq (make deps)")
        }
        let tag = String(getpid() % 100000)
        let netns = "ww-net-\(tag)", hostSide = "wwh\(tag)", peerSide = "wwp\(tag)"
        func ip(_ args: [String]) throws {
            let r = try Sandbox.run("/usr/sbin/ip", args)
            guard r.status == 0 else { throw Skip.unexpected("cannot set up the test network (ip \(args.joined(separator: " "))): \(r.output)") }
        }
        try ip(["netns", "add", netns])
        cleanups.append { _ = try? Sandbox.run("/usr/sbin/ip", ["netns", "del", netns]) }
        try ip(["link", "add", hostSide, "type", "veth", "peer", "name", peerSide])
        cleanups.append { _ = try? Sandbox.run("/usr/sbin/ip", ["link", "del", hostSide]) }
        try ip(["link", "set", peerSide, "netns", netns])
        try ip(["addr", "add", "198.51.100.1/24", "dev", hostSide])
        try ip(["link", "set", hostSide, "up"])
        try ip(["netns", "exec", netns, "ip", "addr", "add", "198.51.100.2/24", "dev", peerSide])
        try ip(["netns", "exec", netns, "ip", "link", "set", peerSide, "up"])
        let remote = try origin("198.51.100.2", netns: netns)
        let own = try origin("198.51.100.1")
        let dnsPort = 40000 + Int(getpid() % 10000)
        pids.append(try NetworkTests.background("/usr/sbin/dnsmasq", ["--no-daemon", "--port=\(dnsPort)", "--listen-address=127.0.0.1", "--bind-interfaces",
                                                                     "--no-resolv", "--no-hosts", "--conf-file=/dev/null",
                                                                     "--host-record=remote.ww-net.test,198.51.100.2",
                                                                     "--host-record=own.ww-net.test,198.51.100.1"]))
        let deadline = Date().addingTimeInterval(20)
        while (try? Sandbox.run("/usr/bin/dig", ["+short", "+time=1", "+tries=1", "@127.0.0.1", "-p", String(dnsPort), "remote.ww-net.test"]))?.stdout.contains("198.51.100.2") != true {
            guard Date() < deadline else { throw Skip.unexpected("the test name server did not start") }
            usleep(50_000)
        }
        let profile = "allow_domains = [\"*.ww-net.test\"]\nupstream_dns = \"127.0.0.1:\(dnsPort)\""
        let r = try run(["remote.ww-net.test"], port: remote, profile: profile)
        XCTAssertTrue(r.lines.contains("http remote.ww-net.test 200 body"), r.output)
        XCTAssertTrue(r.lines.contains("connect remote.ww-net.test 200 body"), r.output)
        XCTAssertTrue(r.lines.contains("socks remote.ww-net.test 0 body"), r.output)
        let allowed = r.events.filter { $0["kind"] as? String == "proxy_allow" }
        XCTAssertTrue(allowed.count >= 3 && allowed.allSatisfy { ($0["addresses"] as? [String]) == ["198.51.100.2"] }, "\(allowed)")

        let o = try run(["own.ww-net.test"], port: own, profile: profile)
        XCTAssertTrue(o.lines.contains("http own.ww-net.test 403 -"), o.output)
        XCTAssertTrue(o.lines.contains("connect own.ww-net.test 403 -"), o.output)
        XCTAssertTrue(o.lines.contains("socks own.ww-net.test 2 -"), o.output)
        let denied = o.events.filter { $0["kind"] as? String == "proxy_deny" }
        XCTAssertEqual(denied.count, 3, "\(denied)")
        XCTAssertTrue(denied.allSatisfy { ($0["rule"] as? String ?? "").contains("198.51.100.1:\(own) is an address of this machine") }, "\(denied)")
    }
}
