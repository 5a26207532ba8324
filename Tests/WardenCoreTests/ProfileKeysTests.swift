// The key reference behind `man ww-profile` documents exactly what the parser reads, and its
// examples are profiles the parser accepts.

import XCTest
@testable import WardenCore

final class ProfileKeysTests: XCTestCase {
    func testEverySectionTheParserReadsIsDocumentedAndNoOther() {
        XCTAssertEqual(Set(ProfileKeys.sections.map(\.name)), Set(ProfileParser.sections.keys))
        XCTAssertEqual(ProfileKeys.sections.count, ProfileParser.sections.count, "a section is documented twice")
    }

    func testEveryKeyTheParserReadsIsDocumentedAndNoOther() {
        for section in ProfileKeys.sections {
            let documented = section.keys.map(\.name)
            XCTAssertEqual(Set(documented), Set(ProfileParser.sections[section.name] ?? []), "[\(section.name)]: keys the parser reads ≠ keys the manual documents")
            XCTAssertEqual(documented.count, Set(documented).count, "[\(section.name)]: a key is documented twice")
        }
        XCTAssertEqual(ProfileKeys.topLevel.keys.map(\.name).sorted(), ProfileParser.topLevel.sorted())
    }

    func testEveryExampleIsALineTheParserAccepts() {
        for (section, key) in ProfileKeys.all {
            let text = section.isEmpty ? key.example + "\n" : "[\(section)]\n\(key.example)\n"
            XCTAssertNoThrow(try ProfileParser.parse(name: "example", path: "example.toml", text: text), "\(section).\(key.name): \(key.example)")
            XCTAssertTrue(key.example.hasPrefix(key.name + " = "), "the example of \(section).\(key.name) sets another key: \(key.example)")
        }
    }

    func testEveryDocumentedDefaultThatIsAValueIsALineTheParserAccepts() {
        for (section, key) in ProfileKeys.all {
            guard let value = key.defaultValue else { continue }
            let text = section.isEmpty ? "\(key.name) = \(value)\n" : "[\(section)]\n\(key.name) = \(value)\n"
            XCTAssertNoThrow(try ProfileParser.parse(name: "default", path: "default.toml", text: text), "\(section).\(key.name) = \(value)")
        }
    }

    /// Defaults of single values come from `Profile.builtIn()`; lists and unset values are written as text, pinned here.
    func testTheDefaultsWrittenAsTextAreTheBuiltInOnes() {
        let d = Profile.builtIn()
        let lists: [Int] = [d.readOnly.count, d.readWrite.count, d.hidden.count, d.extraDevices.count, d.allowDomains.count,
                            d.denyDomains.count, d.denyDestinations.count, d.inboundPorts.count, d.seccompAllow.count, d.seccompDeny.count,
                            d.allowedPatterns.count, d.blockedPatterns.count, d.environmentSet.count, d.environmentUnset.count]
        XCTAssertEqual(lists, Array(repeating: 0, count: lists.count), "a built-in list is not empty, but the manual says [] or {}")
        XCTAssertNil(d.upstreamDNS)
        XCTAssertNil(d.upstreamProxy)
        XCTAssertEqual(d.maxChildProcesses.value, 0, "max_child_processes is documented as not set (no limit)")
        XCTAssertNil(d.description)
        XCTAssertTrue(d.match.isEmpty)
    }

    func testTheVariablesListedAreExactlyThosePathsMayUse() {
        XCTAssertEqual(Set(ProfileKeys.variables.map(\.name)), PathPolicy.knownVariables)
        XCTAssertEqual(ProfileKeys.variables.count, PathPolicy.knownVariables.count)
    }

    func testTheManualExampleLoadsOverTheShippedProfiles() throws {
        let text = ProfileManual.example.joined(separator: "\n") + "\n"
        let source = ProfileSource(name: "my-game", path: "my-game.toml", text: text)
        let catalog = ProfileCatalog(searchOrder: [source] + (try Fixture.shippedCatalog().sources))
        let profile = try ProfileResolver(catalog: catalog).load(source)
        XCTAssertEqual(profile.network.value, .proxy)
        XCTAssertEqual(profile.match.steamAppIDs, [1245620])
    }

    func testTheManualNamesEveryKeyWithItsDefault() {
        let page = ProfileManual.render(version: "test")
        for (section, key) in ProfileKeys.all {
            XCTAssertTrue(page.contains("\n.TP\n\\fB\(RoffPage.code(key.name))\\fR\n"), "\(section).\(key.name) has no entry")
        }
        XCTAssertTrue(page.contains("Default: \\fB\"virtual\"\\fR."), "the home default is not shown")
    }
}
