// Text on a generated manual page prints as written.

import XCTest
@testable import WardenCore

final class RoffPageTests: XCTestCase {
    func testCodeSpansAreBoldWithMinusSigns() {
        XCTAssertEqual(RoffPage.inline("use `--force` to re-do"), "use \\fB\\-\\-force\\fR to re-do")
    }

    func testBackslashesPrintAsThemselves() {
        XCTAssertEqual(RoffPage.inline(#"C:\Games and `C:\x`"#), #"C:\eGames and \fBC:\ex\fR"#)
    }

    func testALineStartingWithADotIsNotARequest() {
        XCTAssertEqual(RoffPage.inline(".exe names"), "\\&.exe names")
        XCTAssertEqual(RoffPage.inline("'quoted'"), "\\&'quoted'")
    }

    func testMacroArgumentsQuoteTheirQuotes() {
        XCTAssertEqual(RoffPage.argument(#"a "b""#), #""a \(dqb\(dq""#)
    }

    func testNoBlankLineReachesThePage() {
        var page = RoffPage(name: "t", section: 1, source: "s", manual: "m")
        page.paragraph("")
        page.item("`x`", [""])
        page.verbatim(["a", "", "b"])
        XCTAssertFalse(page.text.contains("\n\n"), page.text)
    }
}
