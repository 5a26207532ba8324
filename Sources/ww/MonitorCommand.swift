import ArgumentParser
import Foundation
import Glibc
import WardenApp
import WardenCore
import WardenLinux
import WardenMonitor
import WardenStore

struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Full-screen view of running and past sessions: dashboard, trust, network, processes, events.",
        discussion: """
        Running sessions appear live (each ww serves its events on a socket in
        $XDG_RUNTIME_DIR/winewarden/); past ones come from the event database.
        Keys: 1-5 or Tab switch screens, j k (arrows) move, h l pick a session, g G top and
        bottom, / filters events, Enter shows details, ? lists the keys, q quits.
        Colour unless NO_COLOR is set; at least 40x10 characters.
        """)

    func run() throws {
        guard isatty(0) == 1 && isatty(1) == 1 else {
            exitWith(WardenError(.usage, "ww monitor needs a terminal; in scripts use `ww events --follow`"))
        }
        let prep = LaunchPreparation(command: [], profileArgument: nil, overrides: .init())
        let folder = HostEnvironment.runtimeFolder(environment: prep.environment, uid: getuid())
        var history: MonitorHistory?
        var note: String?
        do {
            history = StoreHistory(store: try StoreAccess.open(quiet: true).store)
        } catch {
            // Live sessions still show; the player learns why the past does not.
            note = "no history: " + ((error as? WardenError)?.message ?? "\(error)")
        }
        let app = MonitorApp(folder: folder, history: history, historyNote: note, environment: prep.environment)
        Glibc.exit(app.run())
    }
}

/// The monitor's history from the event database.
struct StoreHistory: MonitorHistory {
    let store: EventStore

    func recentEvents(limit: Int, excluding: Set<String>) -> [AuditEvent] {
        ((try? store.events(EventFilter(limit: limit))) ?? []).compactMap { AuditEvent(jsonLine: $0) }.filter { !excluding.contains($0.session) }
    }

    func trustRows() -> [TrustRow] {
        ((try? store.trustRecords()) ?? []).map { r in
            let history = Array(((try? store.trustHistory(game: r.game, limit: 12)) ?? []).reversed())
            let reasons = r.last.map { c in c.reasons.isEmpty ? "\(c.before) → \(c.after) (\(c.source))" : c.reasons.map { "\($0.delta > 0 ? "+" : "")\($0.delta) \($0.why)" }.joined(separator: "; ") } ?? ""
            return TrustRow(game: r.game, name: r.name, score: r.standing.score, tier: r.tier, pinned: r.standing.pinned,
                            scores: (history.first.map { [$0.before] } ?? []) + history.map(\.after), lastReasons: reasons)
        }
    }
}
