import XCTest
@testable import WardenCore

/// `[network] idle_timeout` and `allow_local` (issue 17 item 4, issue 19's idle hook): read from the
/// profile, validated at load with file:line, carried into the plan the proxy starts from.
extension NetworkPolicyTests {
    func testIdleTimeoutAndAllowLocalReachThePlan() throws {
        let plan = try planFor("mode = \"proxy\"\nallow_domains = [\"*\"]\nidle_timeout = 5\nallow_local = [\"192.168.1.10:27015\", \"[fd00::5]:443\"]")
        XCTAssertEqual(plan.net.idleTimeout, 5)
        XCTAssertEqual(plan.net.policy.allowLocal, ["192.168.1.10:27015", "[fd00::5]:443"])
        let defaults = try planFor("mode = \"proxy\"")
        XCTAssertEqual(defaults.net.idleTimeout, 30)
        XCTAssertEqual(defaults.net.policy.allowLocal, [])
    }

    func testBadIdleTimeoutAndAllowLocalAreErrorsWithTheirLine() {
        assertProblem("idle_timeout = 0", "from 1 to 3600")
        assertProblem("idle_timeout = \"5\"", "from 1 to 3600")
        assertProblem("allow_local = [\"*:25\"]", "is not an address of this machine or its network")
        assertProblem("allow_local = [\"lan.example:27015\"]", "is not an address of this machine or its network")
        assertProblem("allow_local = [\"192.168.1.10:0\"]", "is not an address of this machine or its network")
    }
}
