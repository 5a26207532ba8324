import Foundation
import WardenCore
import WardenMonitor
import XCTest

/// The monitor's model, keys and screens on a fixed set of events (the terminal layer only writes
/// these lines). Goldens: `WW_UPDATE_GOLDEN=1 swift test --filter WardenMonitorTests`.
final class MonitorTests: XCTestCase {
    override func setUp() {
        // Times are drawn in local time: the goldens are in UTC.
        setenv("TZ", "UTC", 1)
        tzset()
    }

    static let base: UInt64 = 1_796_000_000_000_000_000

    static func event(_ second: UInt64, _ session: String, _ kind: String, pid: Int32? = nil, chain: [(Int32, String)] = [],
                      _ details: [(String, AuditEvent.Value)] = []) -> AuditEvent {
        AuditEvent(time: base + second * 1_000_000_000, session: session, game: session.hasPrefix("a") ? "steam:620" : "exe:0123456789abcdef",
                   kind: kind, pid: pid, chain: chain.map { AuditEvent.ProcessLink(pid: $0.0, name: $0.1) }, details: details)
    }

    /// Two sessions: a running Portal 2 that was refused a shell, a connection and a system call,
    /// wrote a DLL, read a decoy key and tried to persist in ~/.bashrc; an ended one that only ran.
    static func sampleModel() -> MonitorModel {
        let a = "a1b2c3d4e5f60718", b = "b0b0b0b0b0b0b0b0"
        let events: [AuditEvent] = [
            event(0, b, "policy_applied", [("game_name", .string("indie.exe")), ("profile", .string("wine")), ("network", .string("off")), ("trust_tier", .string("green"))]),
            event(1, b, "exec_allowed", pid: 50, chain: [(50, "ww")], [("path", .string("/usr/bin/wine")), ("argv", .strings(["wine", "indie.exe"]))]),
            event(5, b, "process_exit", pid: 50, [("name", .string("wine")), ("exit_status", .int(0)), ("role", .string("game"))]),
            event(5, b, "session_end", [("exit_status", .int(0))]),
            event(10, a, "policy_applied", [("game_name", .string("Portal 2")), ("profile", .string("steam-proton")), ("network", .string("observe")), ("trust_tier", .string("yellow"))]),
            event(10, a, "exec_allowed", pid: 100, chain: [(100, "ww")], [("path", .string("/usr/bin/proton")), ("argv", .strings(["proton", "run"]))]),
            event(11, a, "exec_allowed", pid: 101, chain: [(101, "proton"), (100, "proton")], [("path", .string("/usr/bin/wine64")), ("argv", .strings(["wine64"]))]),
            event(12, a, "exec_refused", pid: 101, chain: [(101, "wine64"), (100, "proton")], [("path", .string("/bin/bash")), ("reason", .string("shells are not allowed"))]),
            event(12, a, "net_connect", pid: 101, [("protocol", .string("tcp")), ("address", .string("93.184.216.34")), ("port", .int(443)), ("names", .strings(["example.com"]))]),
            event(13, a, "net_denied", pid: 101, [("protocol", .string("udp")), ("address", .string("10.0.0.1")), ("port", .int(53)), ("names", .strings([])), ("rule", .string("private"))]),
            event(13, a, "dns_query", pid: 101, [("name", .string("example.com")), ("type", .string("A"))]),
            event(14, a, "syscall_refused", pid: 101, [("syscall", .string("ptrace")), ("reason", .string("debugging other processes"))]),
            event(14, a, "file_written", [("path", .string("/home/p/prefix/drive_c/evil.dll")), ("place", .string("Wine prefix")), ("change", .string("created"))]),
            event(15, a, "secret_touched", pid: 101, [("path", .string("/home/p/.ssh/id_rsa")), ("stands_for", .string("/home/p/.ssh/id_rsa")), ("decoy", .string("openssh-private-key"))]),
            event(15, a, "persistence_attempt", [("target", .string("/home/p/.bashrc")), ("mechanism", .string("shell-startup")), ("bytes", .int(42))]),
        ]
        var m = MonitorModel()
        for e in events { m.ingest(e, live: e.session == a) }
        m.setTrust([
            TrustRow(game: "steam:620", name: "Portal 2", score: 35, tier: .yellow, pinned: nil, scores: [50, 45, 35], lastReasons: "-10 1 × refused program (sensitive access); -5 1 × network denial"),
            TrustRow(game: "exe:0123456789abcdef", name: "indie.exe", score: 80, tier: .green, pinned: .green, scores: [50, 80], lastReasons: "pinned green by the player"),
        ])
        return m
    }

    func testTheModelCountsWhatEachSessionDid() {
        let m = Self.sampleModel()
        XCTAssertEqual(m.sessions.map(\.id), ["a1b2c3d4e5f60718", "b0b0b0b0b0b0b0b0"], "running first")
        let a = m.sessions[0]
        XCTAssertTrue(a.live)
        XCTAssertEqual(a.gameName, "Portal 2")
        XCTAssertEqual(a.tier, "yellow")
        XCTAssertEqual(a.refused, ["exec": 1, "net": 1, "sys": 1, "files": 1])
        XCTAssertEqual(a.destinations.map(\.key), ["tcp 93.184.216.34:443", "udp 10.0.0.1:53"])
        XCTAssertEqual(a.destinations.map(\.denied), [0, 1])
        XCTAssertEqual(a.dnsNames, ["example.com": 1])
        XCTAssertEqual(a.processes.map(\.pid), [100, 101])
        XCTAssertEqual(a.processes[1].parent, 100)
        XCTAssertEqual(a.processes[1].refused, ["/bin/bash"])
        XCTAssertEqual(a.sightings.secrets, ["/home/p/.ssh/id_rsa"])
        XCTAssertEqual(a.sightings.persistenceTargets, ["/home/p/.bashrc"])
        let b = m.sessions[1]
        XCTAssertFalse(b.live)
        XCTAssertEqual(b.exitStatus, 0)
        XCTAssertEqual(b.processes.first?.exit, "exit 0")
        XCTAssertEqual(b.refusedTotal, 0)
        XCTAssertTrue(b.sightings.isEmpty)
    }

    func testTheSparklineCountsEventsPerSecondAndMovesWithTheClock() {
        var m = Self.sampleModel()
        let a = m.sessions[0]
        XCTAssertEqual(Array(a.perSecond.suffix(6)), [2, 1, 2, 2, 2, 2], "seconds 10 to 15")
        let v = m.version
        m.tick(now: Self.base + 16 * 1_000_000_000)
        XCTAssertEqual(Array(m.sessions[0].perSecond.suffix(3)), [2, 2, 0])
        XCTAssertGreaterThan(m.version, v, "the picture changed")
        let w = m.version
        m.tick(now: Self.base + 16 * 1_000_000_000 + 500)
        XCTAssertEqual(m.version, w, "same second: nothing to redraw")
    }

    func testAClosedFeedEndsTheSessionAndOldEventsAreBounded() {
        var m = Self.sampleModel()
        m.feedClosed("a1b2c3d4e5f60718")
        XCTAssertEqual(m.liveCount, 0)
        for i in 0..<(MonitorModel.maxEvents + 1000) { m.ingest(Self.event(UInt64(20 + i / 1000), "c0c0c0c0c0c0c0c0", "connect"), live: true) }
        XCTAssertLessThanOrEqual(m.events.count, MonitorModel.maxEvents + 500)
        XCTAssertEqual(m.sessions.first?.events, MonitorModel.maxEvents + 1000, "counts keep every event")
    }

    func testKeysSwitchScreensMoveFilterAndQuit() {
        var ui = MonitorUI()
        let sessions = ["a1b2c3d4e5f60718", "b0b0b0b0b0b0b0b0"]
        XCTAssertEqual(ui.handle(.char("3"), rows: 4, sessions: sessions), .stay)
        XCTAssertEqual(ui.screen, .network)
        _ = ui.handle(.tab, rows: 4, sessions: sessions)
        XCTAssertEqual(ui.screen, .processes)
        _ = ui.handle(.backTab, rows: 4, sessions: sessions)
        _ = ui.handle(.backTab, rows: 4, sessions: sessions)
        XCTAssertEqual(ui.screen, .trust)
        _ = ui.handle(.tab, rows: 4, sessions: sessions); _ = ui.handle(.tab, rows: 4, sessions: sessions)
        _ = ui.handle(.tab, rows: 4, sessions: sessions); _ = ui.handle(.tab, rows: 4, sessions: sessions)
        XCTAssertEqual(ui.screen, .dashboard, "Tab wraps around")
        _ = ui.handle(.char("j"), rows: 2, sessions: sessions)
        _ = ui.handle(.down, rows: 2, sessions: sessions)
        XCTAssertEqual(ui.selected[.dashboard], 1, "stops at the last row")
        _ = ui.handle(.char("g"), rows: 2, sessions: sessions)
        XCTAssertEqual(ui.selected[.dashboard], 0)
        _ = ui.handle(.char("G"), rows: 2, sessions: sessions)
        XCTAssertEqual(ui.selected[.dashboard], 1)
        _ = ui.handle(.char("l"), rows: 2, sessions: sessions)
        XCTAssertEqual(ui.focus, sessions[0])
        _ = ui.handle(.char("h"), rows: 2, sessions: sessions)
        XCTAssertNil(ui.focus)
        _ = ui.handle(.left, rows: 2, sessions: sessions)
        XCTAssertEqual(ui.focus, sessions[1], "h wraps to the last session")
        _ = ui.handle(.char("/"), rows: 2, sessions: sessions)
        XCTAssertEqual(ui.screen, .events)
        for c in "dnsx" { _ = ui.handle(.char(c), rows: 2, sessions: sessions) }
        XCTAssertEqual(ui.handle(.char("q"), rows: 2, sessions: sessions), .stay, "q is text while typing a filter")
        _ = ui.handle(.backspace, rows: 2, sessions: sessions)
        _ = ui.handle(.backspace, rows: 2, sessions: sessions)
        _ = ui.handle(.enter, rows: 2, sessions: sessions)
        XCTAssertEqual(ui.filter, "dns")
        _ = ui.handle(.char("?"), rows: 2, sessions: sessions)
        XCTAssertTrue(ui.help)
        _ = ui.handle(.char("2"), rows: 2, sessions: sessions)
        XCTAssertFalse(ui.help, "any key closes the help")
        XCTAssertEqual(ui.screen, .trust, "and does what it does")
        _ = ui.handle(.char("5"), rows: 2, sessions: sessions)
        _ = ui.handle(.escape, rows: 2, sessions: sessions)
        XCTAssertEqual(ui.filter, "", "Esc clears the filter")
        XCTAssertEqual(ui.handle(.char("q"), rows: 2, sessions: sessions), .quit)
    }

    func testTheEventsFilterKeepsEventsWithEveryWord() {
        var ui = MonitorUI()
        ui.filter = "net 10.0.0.1"
        let view = MonitorView(model: Self.sampleModel(), ui: ui, width: 80, height: 24, now: Self.base + 15_000_000_000, unicode: true)
        XCTAssertEqual(view.filteredEvents.map(\.kind), ["net_denied"])
        ui.filter = ""
        ui.focus = "b0b0b0b0b0b0b0b0"
        XCTAssertEqual(MonitorView(model: Self.sampleModel(), ui: ui, width: 80, height: 24, now: 0, unicode: true).filteredEvents.count, 4)
    }

    // MARK: goldens: every screen at 100×24 and 40×10, colour-free text

    func screens(width: Int, height: Int, unicode: Bool) -> String {
        let model = Self.sampleModel()
        var out: [String] = []
        var states: [(String, MonitorUI)] = []
        for s in MonitorScreen.allCases { var ui = MonitorUI(); ui.screen = s; states.append((s.title, ui)) }
        var details = MonitorUI(); details.details = true; states.append(("Dashboard, Enter", details))
        var filtered = MonitorUI(); filtered.screen = .events; filtered.filter = "refused"; states.append(("Events, filter refused", filtered))
        var typing = MonitorUI(); typing.screen = .events; typing.editing = "dn"; states.append(("Events, typing a filter", typing))
        var eventDetails = MonitorUI(); eventDetails.screen = .events; eventDetails.details = true; eventDetails.selected[.events] = 7
        states.append(("Events, Enter", eventDetails))
        var one = MonitorUI(); one.screen = .processes; one.focus = "a1b2c3d4e5f60718"; states.append(("Processes, one session", one))
        var help = MonitorUI(); help.help = true; states.append(("help", help))
        for (name, ui) in states {
            let view = MonitorView(model: model, ui: ui, width: width, height: height, now: Self.base + 75 * 1_000_000_000, unicode: unicode, home: "/home/p")
            let lines = view.render()
            XCTAssertEqual(lines.count, height, name)
            for l in lines { XCTAssertEqual(l.map(\.text.count).reduce(0, +), width, "\(name): every line fills the width") }
            out.append("=== \(name)\n" + MonitorView.plain(lines))
        }
        return out.joined(separator: "\n") + "\n"
    }

    func testScreensAt100x24() throws { try golden("screens-100x24.txt", screens(width: 100, height: 24, unicode: true)) }

    func testScreensAt40x10WithoutUnicode() throws { try golden("screens-40x10-ascii.txt", screens(width: 40, height: 10, unicode: false)) }

    /// Decoys read and persistence attempts stand out: highlighted under the Dashboard's table and
    /// across their lines on the Events screen.
    func testWhatWwSawIsHighlightedOnTheDashboardAndTheEvents() {
        let model = Self.sampleModel()
        let dashboard = MonitorView(model: model, ui: MonitorUI(), width: 100, height: 24, now: Self.base, unicode: true, home: "/home/p").render()
        let seen = try? XCTUnwrap(dashboard.first { MonitorView.plain([$0]).contains("1 secret touched (~/.ssh/id_rsa)") })
        XCTAssertEqual(seen?.first { !$0.text.trimmingCharacters(in: .whitespaces).isEmpty }?.style, .bad)
        var ui = MonitorUI()
        ui.screen = .events
        ui.selected[.events] = 0   // the newest (the default) is drawn selected
        let events = MonitorView(model: model, ui: ui, width: 100, height: 24, now: Self.base, unicode: true).render()
        for kind in ["secret_touched", "persistence_att"] {
            let line = events.first { MonitorView.plain([$0]).contains(kind) }
            XCTAssertEqual(line?.dropFirst().prefix(2).map(\.style), [.bad, .bad], "\(kind): the kind and its details")
        }
        let written = events.first { MonitorView.plain([$0]).contains("file_written") }
        XCTAssertEqual(written?.dropFirst().prefix(2).map(\.style), [.bad, .normal], "a refusal: only its kind")
    }

    func testATinyTerminalSaysTheMinimumSize() {
        for (w, h) in [(39, 10), (40, 9), (10, 3), (1, 1), (0, 0)] {
            let lines = MonitorView(model: Self.sampleModel(), ui: MonitorUI(), width: w, height: h, now: 0, unicode: true).render()
            XCTAssertLessThanOrEqual(lines.count, max(1, h))
            if w >= 30 && h >= 3 { XCTAssertTrue(MonitorView.plain(lines).contains("needs 40×10"), MonitorView.plain(lines)) }
        }
    }

    func golden(_ name: String, _ text: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["WW_UPDATE_GOLDEN"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(text, expected, "\(name) differs; check it, then WW_UPDATE_GOLDEN=1 swift test --filter WardenMonitorTests")
    }
}
