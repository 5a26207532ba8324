import XCTest
@testable import WardenCore

final class DesktopAlertTests: XCTestCase {
    func testShellRefusalIsAnEmergency() {
        let a = DesktopAlert.classify(kind: "exec_refused", details: [("path", .string("/usr/bin/bash")), ("windows_program", .string("C:\\x\\game.exe")), ("shell", .bool(true))])
        XCTAssertEqual(a?.level, .emergency)
        XCTAssertEqual(a?.category, "shell")
        XCTAssertTrue(a?.body.contains("bash") == true)
        XCTAssertTrue(a?.shown(emergencyOnly: true) == true)
    }

    func testOtherRefusalsAreNoticesHeldBackByEmergencyOnly() {
        let a = DesktopAlert.classify(kind: "exec_refused", details: [("path", .string("/usr/bin/nc"))])
        XCTAssertEqual(a?.level, .notice)
        XCTAssertEqual(a?.shown(emergencyOnly: true), false)
        XCTAssertEqual(a?.shown(emergencyOnly: false), true)
        XCTAssertEqual(DesktopAlert.classify(kind: "proxy_deny", details: [("host", .string("evil.example"))])?.level, .notice)
    }

    func testRateLimitIsAnEmergency() {
        XCTAssertEqual(DesktopAlert.classify(kind: "rate_limited", details: [])?.level, .emergency)
    }

    func testOrdinaryEventsAreNotAlerts() {
        for kind in ["exec_allowed", "net_connect", "dns_query", "policy_applied", "process_exit", "syscall_refused"] {
            XCTAssertNil(DesktopAlert.classify(kind: kind, details: []), kind)
        }
    }
}
