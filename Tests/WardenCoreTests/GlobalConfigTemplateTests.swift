// `ww init` writes GlobalConfig.commentedDefault: it must load without errors and change nothing.

import XCTest
@testable import WardenCore

final class GlobalConfigTemplateTests: XCTestCase {
    func testTheCommentedDefaultLoadsToTheDefaults() throws {
        let config = try GlobalConfig.parse(path: "config.toml", text: GlobalConfig.commentedDefault)
        let defaults = GlobalConfig()
        XCTAssertEqual(config.enabled, defaults.enabled)
        XCTAssertEqual(config.noPromptsDuringGameplay, defaults.noPromptsDuringGameplay)
        XCTAssertEqual(config.emergencyOnly, defaults.emergencyOnly)
        // [network] and [process] apply under every profile: each shipped one must load exactly as without a config.
        let catalog = try Fixture.shippedCatalog()
        for source in catalog.sources {
            XCTAssertEqual(try ProfileResolver(catalog: catalog, globalLayer: config.layer).load(source),
                           try ProfileResolver(catalog: catalog).load(source), "the written config changes profile \(source.name)")
        }
    }

    func testTheCommentedDefaultNamesEveryKeyTheParserKnows() {
        let text = GlobalConfig.commentedDefault
        for (section, keys) in GlobalConfig.known {
            XCTAssertTrue(text.contains("\n[\(section)]\n"), "[\(section)] is not in the written config")
            for key in keys {
                XCTAssertTrue(text.contains("\n\(key) = ") || text.contains("\n# \(key) = "), "\(section).\(key) is not in the written config")
            }
        }
    }

    /// Every commented-out key line, uncommented, still loads: the documented values are valid.
    func testEachCommentedKeyLoadsWhenUncommented() throws {
        var lines = GlobalConfig.commentedDefault.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for i in lines.indices where lines[i].range(of: #"^# [a-z_]+ = "#, options: .regularExpression) != nil {
            lines[i].removeFirst(2)
        }
        XCTAssertNoThrow(try GlobalConfig.parse(path: "config.toml", text: lines.joined(separator: "\n")))
    }
}
