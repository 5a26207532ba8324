import XCTest
@testable import WardenCore
final class SmokeTests: XCTestCase { func testShellQuote() { XCTAssertEqual(ShellQuote.quote("a b"), "'a b'") } }
