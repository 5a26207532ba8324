import XCTest
@testable import WardenCore

/// A seeded generator, so decoy content is the same on every run of a test.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 11 ^ state << 21
    }
}

final class DecoyContentTests: XCTestCase {
    func testEveryKindHoldsTheTokenVerbatimAndNothingElseOfTheSession() {
        var random = SeededRandom(state: 1)
        let token = CanaryTokens.makeToken(using: &random)
        XCTAssertEqual(token.count, CanaryTokens.length)
        XCTAssertTrue(token.hasPrefix("ww") && token.allSatisfy { CanaryTokens.alphabet.contains($0) }, token)
        for kind in DecoyKind.allCases where kind != .genericFolder {
            let files = DecoyContent.files(kind, token: token, random: &random)
            XCTAssertFalse(files.isEmpty, "\(kind)")
            XCTAssertTrue(files.contains { Self.contains($0.bytes, token) }, "\(kind): no file holds the token")
            XCTAssertEqual(Set(files.map(\.path)).count, files.count, "\(kind): two files at one path")
        }
        XCTAssertEqual(DecoyContent.files(.genericFolder, token: token, random: &random), [])
    }

    func testWhatAStealerLooksForIsThere() {
        var random = SeededRandom(state: 2)
        let names = { (kind: DecoyKind) in DecoyContent.files(kind, token: "wwaaaaaaaaaaaaaaaaaaaaaaaa", random: &random).map(\.path) }
        XCTAssertEqual(names(.sshFolder), ["id_rsa", "id_ed25519", "known_hosts", "config"])
        XCTAssertEqual(names(.awsFolder), ["credentials", "config"])
        let firefox = names(.firefoxProfiles)
        XCTAssertTrue(firefox.contains("firefox/profiles.ini"))
        for file in ["cookies.sqlite", "logins.json", "key4.db"] { XCTAssertTrue(firefox.contains { $0.hasSuffix(".default-release/" + file) }, "\(firefox)") }
        XCTAssertTrue(names(.bitcoinWallet).contains("wallet.dat"))
        XCTAssertTrue(names(.ethereumKeystore).first?.hasPrefix("keystore/UTC--") == true)
        XCTAssertEqual(names(.netrc), [""])
        let key = String(decoding: DecoyContent.files(.sshFolder, token: "wwaaaaaaaaaaaaaaaaaaaaaaaa", random: &random)[0].bytes, as: UTF8.self)
        XCTAssertTrue(key.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----\n") && key.hasSuffix("-----END OPENSSH PRIVATE KEY-----\n"), key)
        XCTAssertTrue(key.split(separator: "\n").dropFirst().dropLast().allSatisfy { $0.count <= 70 })
        let cookies = DecoyContent.files(.browserCache, token: "wwaaaaaaaaaaaaaaaaaaaaaaaa", random: &random)[0].bytes
        XCTAssertEqual(Array(cookies.prefix(16)), Array("SQLite format 3\u{0}".utf8))
        XCTAssertEqual(cookies.count, 4096)
    }

    func testTheKindFollowsThePath() {
        XCTAssertEqual(DecoyKind.of(relative: ".ssh", isDirectory: true), .sshFolder)
        XCTAssertEqual(DecoyKind.of(relative: ".aws", isDirectory: true), .awsFolder)
        XCTAssertEqual(DecoyKind.of(relative: ".config/BraveSoftware", isDirectory: true), .chromiumProfiles)
        XCTAssertEqual(DecoyKind.of(relative: ".var/app/org.mozilla.firefox", isDirectory: true), .firefoxProfiles)
        XCTAssertEqual(DecoyKind.of(relative: ".netrc", isDirectory: false), .netrc)
        XCTAssertEqual(DecoyKind.of(relative: "/games/steam/ssfn12345", isDirectory: false), .steamSentry)
        XCTAssertEqual(DecoyKind.of(relative: ".steam/steam/config/loginusers.vdf", isDirectory: false), .steamLoginFile)
        XCTAssertEqual(DecoyKind.of(relative: ".steam/steam/config/htmlcache", isDirectory: true), .browserCache)
        XCTAssertEqual(DecoyKind.of(relative: "Documents/taxes", isDirectory: true), .genericFolder)
        XCTAssertEqual(DecoyKind.of(relative: "Documents/taxes.pdf", isDirectory: false), .genericFile)
        // A folder named like a file kind is still a folder.
        XCTAssertEqual(DecoyKind.of(relative: ".ssh", isDirectory: false), .genericFile)
    }

    static func contains(_ bytes: [UInt8], _ token: String) -> Bool {
        let t = Array(token.utf8)
        guard bytes.count >= t.count else { return false }
        return (0...(bytes.count - t.count)).contains { i in bytes[i..<(i + t.count)].elementsEqual(t) }
    }
}

final class DecoyPlanTests: XCTestCase {
    func wine(_ extra: String = "") throws -> SandboxPlan {
        let catalog = try Fixture.catalog(adding: ProfileSource(name: "d", path: "user/d.toml", text: "extends = \"wine\"\n" + extra))
        let c = Fixture.Case(name: "d", context: try XCTUnwrap(Fixture.cases.first { $0.name == "wine" }).context, profile: "d")
        return try Fixture.plan(c, catalog: catalog)
    }

    /// In the virtual home the player's secrets appear as decoys at their own paths, read-only, from
    /// the session folder; the real folders are never a source.
    func testSecretsThatExistBecomeReadOnlyDecoysFromTheSessionFolder() throws {
        let plan = try wine()
        XCTAssertTrue(plan.decoys.enabled)
        XCTAssertEqual(plan.decoys.folder, "/run/user/1000/winewarden/0123456789abcdef/decoys")
        let ssh = try XCTUnwrap(plan.decoys.items.first { $0.standsFor == "/home/player/.ssh" })
        XCTAssertEqual(ssh.kind, .sshFolder)
        XCTAssertTrue(ssh.isDirectory)
        XCTAssertEqual(ssh.destinations, ["/home/player/.ssh"])
        XCTAssertTrue(ssh.source.hasPrefix(plan.decoys.folder + "/"))
        for item in plan.decoys.items {
            XCTAssertFalse(plan.mounts.contains { $0.source == item.standsFor }, "the real \(item.standsFor) is bound")
            for dest in item.destinations {
                XCTAssertTrue(plan.mounts.contains { $0.kind == .decoy && $0.source == item.source && $0.destination == dest })
            }
        }
        let argv = BwrapCommand.render(plan, sourceDescriptor: { _ in 99 }).arguments
        let i = try XCTUnwrap(argv.firstIndex(of: ssh.source))
        XCTAssertEqual(argv[i - 1], "--ro-bind")
        XCTAssertEqual(argv[i + 1], "/home/player/.ssh")
        XCTAssertEqual(plan.decoys.item(forSandboxPath: "/home/player/.ssh/id_rsa"), ssh)
        XCTAssertTrue(PlanText.render(plan, bwrap: BwrapCommand.render(plan)).contains("decoy       /home/player/.ssh: ssh-folder"))
    }

    func testDecoysOffHideAsBefore() throws {
        let plan = try wine("[filesystem]\ndecoys = false\n")
        XCTAssertFalse(plan.decoys.enabled)
        XCTAssertEqual(plan.decoys.items, [])
        XCTAssertFalse(plan.mounts.contains { $0.kind == .decoy })
        XCTAssertTrue(PlanText.render(plan, bwrap: BwrapCommand.render(plan)).contains("decoys      off (decoys = false)"))
        // With the real home shown, a secret is hidden (not a decoy) as it was.
        let hostRO = try wine("[filesystem]\nhome = \"host-ro\"\ndecoys = false\n")
        XCTAssertTrue(hostRO.mounts.contains { $0.destination == "/home/player/.ssh" && $0.kind == .tmpfs })
    }

    /// System secrets stay hidden; a pipe is hidden, not a decoy.
    func testSystemFilesAndPipesAreNeverDecoys() throws {
        var fs = FakeFileSystem.desktop()
        fs.add("/etc/shadow", .file)
        let c = try XCTUnwrap(Fixture.cases.first { $0.name == "wine" })
        let catalog = try Fixture.catalog(adding: ProfileSource(name: "d", path: "user/d.toml", text: "extends = \"wine\"\n[filesystem]\nhome = \"host-ro\"\n"))
        let plan = try Fixture.plan(Fixture.Case(name: "d", context: c.context, profile: "d"), fs: fs, catalog: catalog)
        XCTAssertFalse(plan.decoys.items.contains { $0.standsFor.hasPrefix("/etc/") }, "\(plan.decoys.items.map(\.standsFor))")
        XCTAssertTrue(plan.mounts.contains { $0.destination == "/etc/shadow" && $0.kind == .hideFile })
        XCTAssertTrue(plan.decoys.items.contains { $0.standsFor == "/home/player/.ssh" && $0.destinations == ["/home/player/.ssh"] })
    }
}
