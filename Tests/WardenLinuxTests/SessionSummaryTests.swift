import Foundation
import WardenCore
import WardenLinux
import XCTest

/// The end-of-session line names what ww saw instead of "nothing refused".
final class SessionSummaryTests: XCTestCase {
    func testTheLineNamesTheSecretsAndTheCapturedPersistenceThenTheTrust() throws {
        let folder = NSTemporaryDirectory() + "ww-summary-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trail = try AuditTrail(path: folder + "/t.jsonl", session: "0123456789abcdef", game: "exe:test")
        trail.record("exec_allowed", [("path", .string("/usr/bin/wine"))])
        XCTAssertEqual(trail.summary(exitStatus: 0, home: "/home/p"), "session 0123456789abcdef: exit 0, nothing refused, 1 exec; audit trail \(folder)/t.jsonl")
        for secret in ["/home/p/.ssh/id_rsa", "/home/p/.aws/credentials", "/home/p/.ssh/id_rsa"] {
            trail.record(VisibilityEvent.secretTouched, [("path", .string(secret)), ("stands_for", .string(secret)), ("decoy", .string("x"))])
        }
        trail.record(VisibilityEvent.persistenceAttempt, [("target", .string("/home/p/.bashrc")), ("mechanism", .string("shell-startup"))])
        XCTAssertEqual(trail.summary(exitStatus: 0, home: "/home/p", trust: "trust 50 → 20 (red), `ww trust show exe:test` says why"),
                       "session 0123456789abcdef: exit 0, 2 secrets touched (~/.ssh/id_rsa, ~/.aws/credentials), 1 persistence attempt captured (~/.bashrc), 1 exec; trust 50 → 20 (red), `ww trust show exe:test` says why; audit trail \(folder)/t.jsonl")
        trail.record("exec_refused", [("path", .string("/bin/sh"))])
        XCTAssertTrue(trail.summary(exitStatus: 0).contains("(~/.bashrc), 1 refused (exec 1), 1 exec") == false, "without a home: full paths")
        XCTAssertTrue(trail.summary(exitStatus: 0, home: "/home/p").contains("(~/.bashrc), 1 refused (exec 1), 1 exec;"), trail.summary(exitStatus: 0, home: "/home/p"))
    }
}
