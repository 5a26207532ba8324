import Foundation
import XCTest

/// Nothing in a player's environment changes what a release build enforces or audits: every
/// `WW_TEST_` variable ww reads sits inside `#if WW_TEST_HOOKS`, which Package.swift defines for
/// debug builds only.
final class ReleaseBuildTests: XCTestCase {
    func testEveryTestHookIsCompiledIntoDebugBuildsOnly() throws {
        let sources = Sandbox.packageRoot + "/Sources"
        let files = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: sources)).filter { $0.hasSuffix(".swift") || $0.hasSuffix(".c") }
        XCTAssertGreaterThan(files.count, 50, "the scan sees the sources")
        var hooked = 0
        var outside: [String] = []
        for file in files {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            var depth: [Bool] = []   // for each open #if: are we in its WW_TEST_HOOKS branch?
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let t = line.trimmingCharacters(in: .whitespaces)
                if t.hasPrefix("#if") { depth.append(t == "#if WW_TEST_HOOKS"); continue }
                if t.hasPrefix("#else") || t.hasPrefix("#elseif") { if !depth.isEmpty { depth[depth.count - 1] = false }; continue }
                if t.hasPrefix("#endif") { _ = depth.popLast(); continue }
                guard t.contains("WW_TEST_"), !t.hasPrefix("//"), !t.hasPrefix("///") else { continue }
                if depth.contains(true) { hooked += 1 } else { outside.append("\(file):\(n + 1): \(t)") }
            }
        }
        XCTAssertEqual(outside, [], "read in release builds too")
        XCTAssertGreaterThan(hooked, 0, "the hooks the integration tests use are found")
    }

    /// The debug build the tests run has the hooks; `ww features` says whether a binary has them.
    func testFeaturesSaysWhetherTheBinaryHasTestHooks() throws {
        let sb = Sandbox.shared
        let r = try sb.ww(["features"], home: try sb.makeHome())
        XCTAssertTrue(r.stdout.contains("test hooks") && r.stdout.contains("debug build"), r.output)
    }
}
