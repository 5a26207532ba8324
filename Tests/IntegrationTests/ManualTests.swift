import Foundation
import XCTest

/// The committed manual pages are what the code generates (`make man`), and groff reads them
/// without a warning.
final class ManualTests: XCTestCase {
    let sb = Sandbox.shared
    static let pages = ["ww.1", "ww-profile.5"]

    /// ww.1 comes from the command definitions (the same ones --help and the completions use),
    /// ww-profile.5 from the profile key reference.
    func testCommittedManualPagesMatchWhatTheCodeGenerates() throws {
        for page in Self.pages {
            let generated = try Sandbox.run(sb.wwBinary, ["manual", page])
            XCTAssertEqual(generated.status, 0, generated.output)
            let committed = try String(contentsOfFile: Sandbox.packageRoot + "/man/" + page, encoding: .utf8)
            if let d = Self.firstDifference(committed, generated.stdout) {
                XCTFail("man/\(page) is stale: run `make man` (line \(d.line): committed \(d.committed.debugDescription), generated \(d.generated.debugDescription))")
            }
        }
    }

    static func firstDifference(_ a: String, _ b: String) -> (line: Int, committed: String, generated: String)? {
        let la = a.components(separatedBy: "\n"), lb = b.components(separatedBy: "\n")
        for i in 0..<max(la.count, lb.count) {
            let x = i < la.count ? la[i] : "<end of file>", y = i < lb.count ? lb[i] : "<end of file>"
            if x != y { return (i + 1, x, y) }
        }
        return nil
    }

    func testTheCommandPageNamesEveryCommandAndOption() throws {
        let page = try String(contentsOfFile: Sandbox.packageRoot + "/man/ww.1", encoding: .utf8)
        for text in [".SS \"ww run (the default command)\"", ".SS \"ww init\"", ".SS \"ww profile check\"",
                     "\\fB\\-p\\fR, \\fB\\-\\-profile\\fR", "\\fB\\-\\-network\\fR", "\\fB\\-\\-force\\fR"] {
            XCTAssertTrue(page.contains(text), "man/ww.1 lacks \(text)")
        }
        XCTAssertFalse(page.contains("ww manual"), "the hidden manual command is on the page")
    }

    /// All of groff's warnings, for the typesetter and for the terminal (where man shows the page).
    func testGroffRendersBothPagesWithoutWarnings() throws {
        for page in Self.pages {
            for device in ["ps", "utf8"] {
                let r = try Sandbox.run("/usr/bin/groff", ["-ww", "-z", "-man", "-T", device, Sandbox.packageRoot + "/man/" + page])
                XCTAssertEqual(r.status, 0, r.output)
                XCTAssertEqual(r.stderr, "", "groff -ww -man -T \(device) man/\(page) warns")
            }
            let man = try Sandbox.run("/usr/bin/env", ["MANWIDTH=80", "man", "--warnings=w", "-l", Sandbox.packageRoot + "/man/" + page])
            XCTAssertEqual(man.status, 0, man.stderr)
            XCTAssertEqual(man.stderr, "", "man -l --warnings man/\(page) warns")
            XCTAssertTrue(man.stdout.contains("NAME"), man.stdout)
        }
    }
}
