import XCTest
@testable import WardenCore

/// The protected-path decision the supervisor asks on every rename, unlink, rmdir, link and symlink.
final class PathGuardDecisionTests: XCTestCase {
    let g = PathGuard(entries: [
        .init(path: "/home/p/.ssh", category: .decoy, standsFor: "/home/p/.ssh"),
        .init(path: "/home/p/.config/google-chrome", category: .hidden, standsFor: "/home/p/.config/google-chrome"),
        .init(path: "/home/p/.config/autostart", category: .persistence, standsFor: "/home/p/.config/autostart", mechanism: "xdg-autostart"),
        .init(path: "/home/p/.local/share/winewarden", category: .wardenState, standsFor: "/home/p/.local/share/winewarden"),
    ], roots: ["/home/p"])

    func testADecoyItselfOrANameInsideItIsTampering() {
        let itself = g.judge("/home/p/.ssh", call: .rename, role: .removed)
        XCTAssertEqual(itself?.kind, "decoy_tampered")
        XCTAssertEqual(itself?.relation, .itself)
        XCTAssertEqual(itself?.errno, 16)   // EBUSY: a mount point
        let inside = g.judge("/home/p/.ssh/id_rsa", call: .unlink, role: .removed)
        XCTAssertEqual(inside?.kind, "decoy_tampered")
        XCTAssertEqual(inside?.relation, .inside)
        XCTAssertEqual(inside?.errno, 30)   // EROFS: a read-only bind
        XCTAssertEqual(g.judge("/home/p/.ssh/.tmpXYZ", call: .symlink, role: .created)?.kind, "decoy_tampered")
    }

    func testAPersistenceTargetIsAPersistenceAttempt() {
        let v = g.judge("/home/p/.config/autostart/evil.desktop", call: .rename, role: .created)
        XCTAssertEqual(v?.kind, "persistence_attempt")
        XCTAssertEqual(v?.entry.mechanism, "xdg-autostart")
    }

    func testHiddenPathsAndWardenStateAreRefusedWithTheKernelsErrno() {
        XCTAssertEqual(g.judge("/home/p/.config/google-chrome/Default/Cookies", call: .unlink, role: .removed)?.errno, 13)   // EACCES
        let state = g.judge("/home/p/.local/share/winewarden", call: .rmdir, role: .removed)
        XCTAssertEqual(state?.kind, "path_refused")
        XCTAssertEqual(state?.entry.category, .wardenState)
        XCTAssertEqual(g.judge("/home/p/.ssh", call: .symlink, role: .created)?.errno, 17)   // EEXIST
    }

    func testAFolderHoldingProtectedPathsIsAnAncestor() {
        let v = g.judge("/home/p/.config", call: .rename, role: .removed)
        XCTAssertEqual(v?.relation, .ancestor)
        XCTAssertEqual(v?.kind, "path_refused")
        XCTAssertEqual(v?.errno, 16)
        XCTAssertEqual(g.held(by: "/home/p/.config").map(\.path), ["/home/p/.config/google-chrome", "/home/p/.config/autostart"])
        XCTAssertEqual(g.judge("/home/p/.local/", call: .rename, role: .removed)?.relation, .ancestor)
    }

    func testTheHomeItselfAndUnrelatedPathsAreTheKernelsBusiness() {
        XCTAssertNil(g.judge("/home/p", call: .rename, role: .removed))
        XCTAssertNil(g.judge("/home", call: .rmdir, role: .removed))
        XCTAssertNil(g.judge("/home/p/.configx", call: .rename, role: .removed))
        XCTAssertNil(g.judge("/home/p/.config/other", call: .unlink, role: .removed))
        XCTAssertNil(g.judge("/tmp/x", call: .rename, role: .created))
    }

    func testAncestorsBelowARootAreListedShallowestFirst() {
        XCTAssertEqual(g.ancestors(below: "/home/p"), ["/home/p/.config", "/home/p/.local", "/home/p/.local/share"])
        XCTAssertEqual(g.ancestors(below: "/home/p/.config"), [])
    }
}

/// What the planner guards and anchors in each home mode.
final class PathGuardPlanTests: XCTestCase {
    func plan(home: String, env: [String: String] = [:], fs: FakeFileSystem = .desktop()) throws -> SandboxPlan {
        let text = "extends = \"default\"\n[filesystem]\nhome = \"\(home)\"\n"
        let catalog = try Fixture.catalog(adding: ProfileSource(name: "h", path: "user/h.toml", text: text))
        let base = Fixture.cases[0].context
        let ctx = LaunchContext(command: base.command, environment: base.environment.merging(env) { $1 }, workingDirectory: base.workingDirectory,
                                user: base.user, resolvedCommand: base.resolvedCommand, windowsExecutable: base.windowsExecutable)
        return try Fixture.plan(Fixture.Case(name: "h", context: ctx, profile: "h"), fs: fs, catalog: catalog)
    }

    static let state = ["/home/player/.config/winewarden", "/home/player/.local/share/winewarden", "/home/player/.local/state/winewarden"]

    /// ww's config, data and state are an empty, unreadable, read-only folder in a real home, in both modes.
    func testWardenStateIsHiddenInARealHome() throws {
        for mode in ["host", "host-ro"] {
            let plan = try plan(home: mode)
            for folder in Self.state {
                let i = try XCTUnwrap(plan.mounts.firstIndex { $0.kind == .tmpfs && $0.destination == folder }, "\(mode): \(folder)")
                XCTAssertEqual(plan.mounts[i].permissions, "0000")
                XCTAssertEqual(plan.mounts[i + 1].kind, .remountReadOnly)
                XCTAssertTrue(plan.pathGuard.entries.contains { $0.path == folder && $0.category == .wardenState })
            }
            // Folders ww has not made yet are made before bwrap runs, so the mount has its place.
            XCTAssertTrue(plan.directoriesToCreate.contains("/home/player/.config/winewarden"), mode)
        }
    }

    func testWardenStateFollowsTheXDGOverrides() throws {
        var fs = FakeFileSystem.desktop()
        fs.add("/home/player/xdg/state", .directory)
        let plan = try plan(home: "host-ro", env: ["XDG_STATE_HOME": "/home/player/xdg/state", "XDG_CONFIG_HOME": "/home/player/xdg/config"], fs: fs)
        XCTAssertTrue(plan.mounts.contains { $0.kind == .tmpfs && $0.destination == "/home/player/xdg/state/winewarden" })
        XCTAssertTrue(plan.mounts.contains { $0.kind == .tmpfs && $0.destination == "/home/player/xdg/config/winewarden" })
        XCTAssertFalse(plan.mounts.contains { $0.destination == "/home/player/.local/state/winewarden" })
    }

    /// The virtual home shows nothing of ww's (its source is inside ww's data folder, not around it).
    func testAVirtualHomeNeedsNoStateMountsAndNoAnchors() throws {
        let plan = try plan(home: "virtual")
        XCTAssertFalse(plan.mounts.contains { Self.state.contains($0.destination) })
        XCTAssertFalse(plan.mounts.contains { $0.kind == .anchor })
    }

    /// home = host: each folder between the home and a protected path is bound onto itself right
    /// after the home's bind and before the mounts inside it, shallowest first.
    func testAWritableRealHomeAnchorsTheFoldersHoldingProtectedPaths() throws {
        let plan = try plan(home: "host")
        let homeIndex = try XCTUnwrap(plan.mounts.firstIndex { $0.kind == .bind && $0.destination == "/home/player" })
        let anchors = plan.mounts.enumerated().filter { $0.element.kind == .anchor }
        XCTAssertEqual(anchors.first?.offset, homeIndex + 1)
        XCTAssertEqual(anchors.map(\.offset), Array(homeIndex + 1 ... homeIndex + anchors.count), "anchors are contiguous")
        let dests = anchors.map(\.element.destination)
        for d in ["/home/player/.config", "/home/player/.local", "/home/player/.local/share", "/home/player/.local/state", "/home/player/.steam"] {
            XCTAssertTrue(dests.contains(d), "\(d) in \(dests)")
        }
        XCTAssertEqual(anchors.first { $0.element.destination == "/home/player/.config" }?.element.source, "/home/player/.config")
        XCTAssertLessThan(dests.firstIndex(of: "/home/player/.local")!, dests.firstIndex(of: "/home/player/.local/share")!)
        // A missing folder on the way (.config/systemd) is made by ww first; the decoys and hides come after.
        XCTAssertTrue(plan.directoriesToCreate.contains("/home/player/.config/systemd"))
        let firstHide = try XCTUnwrap(plan.mounts.firstIndex { $0.kind == .decoy || $0.kind == .hideFile })
        XCTAssertGreaterThan(firstHide, anchors.last!.offset)
        // The real home's targets are session copies: the target itself is guarded, the names inside are the game's.
        let autostart = try XCTUnwrap(plan.pathGuard.entries.first { $0.path == "/home/player/.config/autostart" })
        XCTAssertEqual(autostart.category, .persistence)
        XCTAssertTrue(autostart.namesInside)
        XCTAssertNil(plan.pathGuard.judge("/home/player/.config/autostart/x.desktop", call: .rename, role: .created))
        XCTAssertEqual(plan.pathGuard.judge("/home/player/.config/autostart", call: .rename, role: .removed)?.errno, 16)
        XCTAssertEqual(plan.pathGuard.judge("/home/player/.ssh/id_ed25519", call: .unlink, role: .removed)?.kind, VisibilityEvent.decoyTampered)
        XCTAssertGreaterThan(plan.mounts.firstIndex { $0.kind == .sessionCopy } ?? 0, anchors.last!.offset, "the copies go over the anchors")
        XCTAssertEqual(BwrapCommand.render(plan).arguments.filter { $0 == "--bind" }.count,
                       plan.mounts.filter { $0.kind == .bind || $0.kind == .anchor || $0.kind == .overlayBind || $0.kind == .sessionCopy }.count)
    }

    func testAReadOnlyHomeIsGuardedWithoutAnchors() throws {
        let plan = try plan(home: "host-ro")
        XCTAssertFalse(plan.mounts.contains { $0.kind == .anchor })
        XCTAssertTrue(plan.pathGuard.entries.contains { $0.path == "/home/player/.ssh" && $0.category == .decoy })
    }

    func testHostHomePlanMatchesGolden() throws {
        try GoldenPlanTests.checkPlan(try plan(home: "host"), name: "host-home")
    }
}

/// What the player sees of a refused path call: the end line, the alert, the trust.
final class PathGuardVisibilityTests: XCTestCase {
    func testTheLineNamesTamperedDecoysAndPathsKeptInPlace() {
        var s = Sightings()
        s.note(kind: VisibilityEvent.decoyTampered, details: [("path", .string("/home/p/.ssh/id_rsa")), ("stands_for", .string("/home/p/.ssh/id_rsa"))])
        s.note(kind: VisibilityEvent.pathRefused, details: [("path", .string("/home/p/.config")), ("call", .string("rename"))])
        s.note(kind: VisibilityEvent.pathRefused, details: [("path", .string("/home/p/.config")), ("call", .string("rename"))])
        XCTAssertFalse(s.isEmpty)
        XCTAssertEqual(s.text(home: "/home/p"), "1 decoy tampered with (~/.ssh/id_rsa), 1 protected path kept in place (~/.config)")
        XCTAssertTrue(VisibilityEvent.kinds.isSuperset(of: ["decoy_tampered", "path_refused"]), "highlighted by the monitor")
        XCTAssertEqual(DesktopAlert.classify(kind: "decoy_tampered", details: [("stands_for", .string("/home/p/.ssh"))], home: "/home/p")?.level, .notice)
        XCTAssertTrue(DesktopAlert.classify(kind: "path_refused", details: [("path", .string("/home/p/.config"))], home: "/home/p")?.body.contains("~/.config") == true)
    }

    /// −10 per distinct decoy tampered with; −10 per distinct protected path, at most three.
    func testTrustCountsEachDecoyAndAtMostThreePaths() {
        let start = TrustStanding.start
        func event(_ kind: String, _ key: String, _ value: String) -> TrustEvent { TrustEvent(kind: kind, details: [(key, .string(value))]) }
        let events = [event("decoy_tampered", "stands_for", "/h/.ssh"), event("decoy_tampered", "stands_for", "/h/.ssh"),
                      event("decoy_tampered", "stands_for", "/h/.aws")]
            + ["/h/.config", "/h/.local", "/h/.local/share", "/h/.steam", "/h/.config"].map { event("path_refused", "path", $0) }
        let (s, reasons) = TrustEngine.apply(events, durationSeconds: 7200, to: start, home: "/h")
        XCTAssertEqual(reasons.map(\.delta), [-20, -30])
        XCTAssertEqual(s.score, 0)
        XCTAssertEqual(s.cleanRuns, 0)
        XCTAssertFalse(reasons.contains { $0.why.contains("clean hour") })
    }
}
