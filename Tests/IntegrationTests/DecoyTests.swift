import XCTest

/// Decoy secrets: a game that reads the player's SSH key or AWS credentials gets a decoy made up by
/// ww for the session (never the real bytes), and each decoy file it opens is a `secret_touched`
/// event naming the path; listing a decoy folder or `stat` is not. In every home mode, as the
/// unprivileged test user against the real bwrap.
final class DecoyTests: XCTestCase {
    let sb = Sandbox.shared

    /// A planted home (an SSH key, AWS credentials, Firefox cookies…) and its AWS credentials file.
    func home() throws -> (FakeHome, aws: String) {
        let home = try sb.makeHome()
        return (home, home.awsCredentials)
    }

    /// The game's trust score as `ww trust show --json` has it.
    func score(_ log: String, home: FakeHome) throws -> Int? {
        let game = try XCTUnwrap(sb.events(log).first?["game"] as? String)
        let r = try sb.ww(["trust", "show", game, "--json"], home: home)
        let line = r.stdout.split(separator: "\n").first.map { String($0) } ?? ""
        let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        return (object?["trust"] as? [String: Any])?["score"] as? Int
    }

    func touched(_ log: String) -> [[String: Any]] { sb.events(log).filter { $0["kind"] as? String == "secret_touched" } }

    func assertDecoys(mode: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (home, aws) = try home()
        let before = home.snapshot()
        let realAWS = try String(contentsOfFile: aws, encoding: .utf8)
        let log = sb.logPath()
        let r = try sb.ww(["--log", log, "--home", mode, "--", "sh", "-c", """
            cat ~/.ssh/id_rsa ~/.aws/credentials
            ls -la ~/.ssh ~/.aws >/dev/null; stat ~/.ssh/known_hosts ~/.ssh/config >/dev/null
            cat ~/.ssh/id_rsa >/dev/null
            """], home: home)
        XCTAssertEqual(r.status, 0, r.output, file: file, line: line)
        XCTAssertTrue(r.stdout.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----\n"), "\(mode): \(r.output)", file: file, line: line)
        XCTAssertTrue(r.stdout.contains("aws_secret_access_key = ww"), "\(mode): \(r.output)", file: file, line: line)
        XCTAssertFalse(r.output.contains("PLANTED"), "\(mode): the real bytes: \(r.output)", file: file, line: line)
        let events = touched(log)
        XCTAssertEqual(events.compactMap { $0["path"] as? String }.sorted(), [aws, home.sshKey].sorted(), "\(mode): \(events)", file: file, line: line)
        XCTAssertEqual(events.compactMap { $0["stands_for"] as? String }.sorted(), [aws, home.sshKey].sorted(), "\(mode): \(events)", file: file, line: line)
        XCTAssertEqual(Set(events.compactMap { $0["decoy"] as? String }), ["ssh-folder", "aws-folder"], "\(events)", file: file, line: line)
        // The second read of the key is counted, not a second event.
        let repeats = sb.events(log).filter { $0["kind"] as? String == "decoy_opens" }
        XCTAssertEqual(repeats.first?["path"] as? String, home.sshKey, "\(repeats)", file: file, line: line)
        XCTAssertEqual(home.snapshot(), before, "\(mode): the real files changed", file: file, line: line)
        // The player sees it: the end line names both, and the trust drops by 20 (10 per secret) from 50.
        XCTAssertTrue(r.stderr.contains("2 secrets touched (~/.ssh/id_rsa, ~/.aws/credentials)") || r.stderr.contains("2 secrets touched (~/.aws/credentials, ~/.ssh/id_rsa)"), r.stderr, file: file, line: line)
        XCTAssertEqual(try score(log, home: home), 30, "\(mode)", file: file, line: line)
        XCTAssertEqual(try String(contentsOfFile: aws, encoding: .utf8), realAWS, file: file, line: line)
    }

    /// The event names the process (and its chain) that still holds the decoy open when ww looks.
    func testTheEventNamesTheProcessThatHoldsTheDecoyOpen() throws {
        let (home, _) = try home()
        let log = sb.logPath()
        let r = try sb.ww(["--log", log, "--", "sh", "-c", "exec 3< ~/.ssh/id_rsa; read -r line <&3; echo $$; sleep 1; exec 3<&-"], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        let event = try XCTUnwrap(touched(log).first, "\(sb.events(log))")
        XCTAssertEqual(event["path"] as? String, home.sshKey)
        let pid = try XCTUnwrap(event["pid"] as? Int, "no process in \(event)")
        XCTAssertGreaterThan(pid, 1)
        let chain = try XCTUnwrap(event["chain"] as? [[String: Any]], "\(event)")
        XCTAssertEqual(chain.first?["name"] as? String, "sh", "\(chain)")
        XCTAssertEqual(chain.first?["pid"] as? Int, pid, "\(chain)")
    }

    func testReadingTheKeyAndCredentialsInAVirtualHomeGivesDecoysAndTwoEvents() throws { try assertDecoys(mode: "virtual") }
    func testTheSameWithTheRealHomeReadOnly() throws { try assertDecoys(mode: "host-ro") }
    func testTheSameWithTheRealHomeWritable() throws { try assertDecoys(mode: "host") }

    func testEachSessionHasItsOwnTokens() throws {
        let (home, _) = try home()
        let a = try sb.ww(["--", "cat", home.path + "/.aws/credentials"], home: home)
        let b = try sb.ww(["--", "cat", home.path + "/.aws/credentials"], home: home)
        let secret = { (r: Sandbox.Result) in r.stdout.split(separator: "\n").first { $0.hasPrefix("aws_secret_access_key") }.map(String.init) }
        XCTAssertNotNil(secret(a), a.output)
        XCTAssertNotEqual(secret(a), secret(b), "two sessions, one token")
    }

    /// The game cannot replace, remove or redirect a decoy; the real secret stays as it was.
    func testADecoyCannotBeChangedRemovedOrRedirected() throws {
        let (home, aws) = try home()
        let before = home.snapshot()
        let r = try sb.ww(["--home", "host", "--", "sh", "-c", """
            echo x > ~/.ssh/id_rsa && echo WROTE
            rm -f ~/.ssh/id_rsa 2>/dev/null && [ ! -e ~/.ssh/id_rsa ] && echo REMOVED
            ln -sf /etc/passwd ~/.aws/credentials 2>/dev/null && echo LINKED
            mv ~/.ssh ~/.ssh-moved 2>/dev/null && echo MOVED
            rm -rf ~/.aws 2>/dev/null; [ -e ~/.aws/credentials ] && echo STILL-THERE
            exit 0
            """], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        for word in ["WROTE", "REMOVED", "LINKED", "MOVED"] { XCTAssertFalse(r.stdout.contains(word), "\(word): \(r.output)") }
        XCTAssertTrue(r.stdout.contains("STILL-THERE"), r.output)
        XCTAssertEqual(home.snapshot(), before, "the real files changed")
        XCTAssertTrue(try String(contentsOfFile: aws, encoding: .utf8).contains("PLANTED-AWS-SECRET"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: home.path + "/.ssh-moved"))
    }

    /// `decoys = false`: hidden paths look as before (absent in a virtual home, unreadable over the
    /// real one), no event; `ww plan` says so, and lists each decoy otherwise.
    func testDecoysCanBeTurnedOffAndThePlanShowsThem() throws {
        let (home, _) = try home()
        let off = try sb.profile("[filesystem]\ndecoys = false\n")
        let log = sb.logPath()
        let r = try sb.ww(["--log", log, "--profile", off, "--", "sh", "-c", "cat ~/.ssh/id_rsa; cat ~/.aws/credentials; exit 0"], home: home)
        XCTAssertFalse(r.stdout.contains("OPENSSH"), r.output)
        XCTAssertFalse(r.output.contains("PLANTED"), r.output)
        XCTAssertEqual(touched(log).count, 0)
        let offPlan = try sb.ww(["plan", "--profile", off, "--", "true"], home: home)
        XCTAssertTrue(offPlan.stdout.contains("decoys      off (decoys = false)"), offPlan.output)
        let plan = try sb.ww(["plan", "--", "true"], home: home)
        XCTAssertTrue(plan.stdout.contains("decoy       \(home.path)/.ssh: ssh-folder"), plan.output)
        XCTAssertTrue(plan.stdout.contains("decoy       \(home.path)/.aws: aws-folder"), plan.output)
    }

    /// A thousand opens of one decoy: one event, the rest counted.
    func testManyOpensAreOneEventAndACount() throws {
        let (home, _) = try home()
        let log = sb.logPath()
        let r = try sb.ww(["--log", log, "--", "sh", "-c", "i=0; while [ $i -lt 1000 ]; do : < ~/.ssh/id_rsa; i=$((i+1)); done"], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(touched(log).count, 1)
        let count = sb.events(log).first { $0["kind"] as? String == "decoy_opens" }?["opens"] as? Int ?? 0
        // inotify merges an open into an identical one not yet read: the count is at most the opens.
        XCTAssertTrue(count > 1 && count <= 1000, "\(count)")
    }
}
