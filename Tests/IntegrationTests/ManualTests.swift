import Foundation
import XCTest

/// The committed manual pages are what the code generates (`make man`).
final class ManualTests: XCTestCase {
    let sb = Sandbox.shared

    func testCommittedProfileManualMatchesTheKeyReference() throws {
        let generated = try Sandbox.run(sb.wwBinary, ["manual", "ww-profile.5"])
        XCTAssertEqual(generated.status, 0, generated.output)
        let committed = try String(contentsOfFile: Sandbox.packageRoot + "/man/ww-profile.5", encoding: .utf8)
        XCTAssertEqual(generated.stdout, committed, "man/ww-profile.5 is stale: run `make man`")
    }
}
