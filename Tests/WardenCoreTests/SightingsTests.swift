import XCTest
@testable import WardenCore

/// What the end-of-session line and the monitor say ww saw, and the desktop alerts for it.
final class SightingsTests: XCTestCase {
    func testTheLineNamesEachSecretOnceAndTheTargetsWithTilde() {
        var s = Sightings()
        XCTAssertNil(s.text(home: "/home/p"))
        for path in ["/home/p/.ssh/id_rsa", "/home/p/.ssh/id_rsa", "/home/p/.aws/credentials"] {
            s.note(kind: VisibilityEvent.secretTouched, details: [("path", .string(path)), ("stands_for", .string(path))])
        }
        s.note(kind: VisibilityEvent.persistenceAttempt, details: [("target", .string("/home/p/.bashrc")), ("mechanism", .string("shell-startup"))])
        s.note(kind: "exec_allowed", details: [("path", .string("/usr/bin/wine"))])
        XCTAssertEqual(s.text(home: "/home/p"), "2 secrets touched (~/.ssh/id_rsa, ~/.aws/credentials), 1 persistence attempt captured (~/.bashrc)")
        s.note(kind: VisibilityEvent.exfiltration, details: [("destination", .string("evil.example:80")), ("channel", .string("http"))])
        XCTAssertEqual(s.text(home: nil), "2 secrets touched (/home/p/.ssh/id_rsa, /home/p/.aws/credentials), 1 persistence attempt captured (/home/p/.bashrc), 1 exfiltration caught (evil.example:80)")
    }

    func testLongListsAreCutAndBounded() {
        var s = Sightings()
        for i in 0..<500 { s.note(kind: VisibilityEvent.persistenceAttempt, details: [("target", .string("/h/.local/bin/x\(i)\u{1b}"))]) }
        XCTAssertEqual(s.persistenceAttempts, 500)
        XCTAssertEqual(s.persistenceTargets.count, Sightings.maxNames)
        XCTAssertEqual(s.text(home: "/h", names: 2), "500 persistence attempts captured (~/.local/bin/x0\\u001b, ~/.local/bin/x1\\u001b, 98 more)")
    }

    func testTildeOnlyBelowTheHome() {
        XCTAssertEqual(Paths.tilde("/home/p/.bashrc", home: "/home/p/"), "~/.bashrc")
        XCTAssertEqual(Paths.tilde("/home/p", home: "/home/p"), "~")
        XCTAssertEqual(Paths.tilde("/home/pete/.bashrc", home: "/home/p"), "/home/pete/.bashrc")
        XCTAssertEqual(Paths.tilde("/etc/passwd", home: "/"), "/etc/passwd")
        XCTAssertEqual(Paths.tilde("HKCU\\Run", home: "/home/p"), "HKCU\\Run")
    }

    func testDecoysAndPersistenceAreNoticesAndExfiltrationAnEmergency() {
        let secret = DesktopAlert.classify(kind: VisibilityEvent.secretTouched, details: [("path", .string("/home/p/.ssh/id_rsa")), ("stands_for", .string("/home/p/.ssh/id_rsa"))], home: "/home/p")
        XCTAssertEqual(secret?.category, "secret")
        XCTAssertEqual(secret?.level, .notice)
        XCTAssertTrue(secret?.body.contains("~/.ssh/id_rsa") == true, secret?.body ?? "")
        let persistence = DesktopAlert.classify(kind: VisibilityEvent.persistenceAttempt, details: [("target", .string("/home/p/.bashrc"))], home: "/home/p")
        XCTAssertEqual(persistence?.category, "persistence")
        XCTAssertEqual(persistence?.level, .notice)
        XCTAssertTrue(persistence?.body.contains("~/.bashrc") == true)
        let exfiltration = DesktopAlert.classify(kind: VisibilityEvent.exfiltration, details: [("destination", .string("evil.example:80")), ("closed", .bool(true))])
        XCTAssertEqual(exfiltration?.category, "exfiltration")
        XCTAssertEqual(exfiltration?.level, .emergency)
        XCTAssertEqual(exfiltration?.shown(emergencyOnly: true), true)
        XCTAssertTrue(exfiltration?.body.contains("evil.example:80") == true && exfiltration?.body.contains("closed the connection") == true)
    }
}
