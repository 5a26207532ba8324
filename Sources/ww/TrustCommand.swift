import ArgumentParser
import Foundation
import WardenCore
import WardenLinux
import WardenStore

struct TrustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Each game's trust score and tier, why it moved, and pinning a tier.",
        discussion: """
        A game starts at 50. Each finished session moves it: -10 per refused program or refused
        escape call, per decoy secret read (each secret once a session) and per persistence attempt
        (at most 3 counted), -40 for an exfiltration (the tier then stays red until you change it
        with `ww trust set` or `ww trust reset`), -5 per network anomaly (proxy denial, refused
        destination or name, rate limit), -2 per new program (once: a clean session's programs join
        the baseline) and per executable or script the game wrote (at most 5 counted; what Wine
        writes setting up its prefix is not counted), +2 per clean hour; kept within 0-100. Red
        below 30, green above 70. The tier picks the launch's defaults: red = network off and no
        shells; yellow = network "full" becomes "observe"; green = the profile as written.
        """,
        subcommands: [List.self, Show.self, Set.self, Reset.self],
        defaultSubcommand: List.self)

    struct Row: Encodable {
        var game: String
        var name: String
        var score: Int
        var tier: String
        var pinned: String?
        var pin_reason: String?
        var clean_runs: Int
        var sessions: Int
        var last_change: Change?
    }

    struct Change: Encodable {
        var time: String
        var session: String?
        var before: Int
        var after: Int
        var tier: String
        var source: String
        var reasons: [TrustReason]

        init(_ c: TrustChange) {
            time = TimeSpec.format(c.time)
            session = c.session
            before = c.before
            after = c.after
            tier = c.tier.rawValue
            source = c.source
            reasons = c.reasons
        }
    }

    static func row(_ r: TrustRecord) -> Row {
        Row(game: r.game, name: r.name, score: r.standing.score, tier: r.tier.rawValue, pinned: r.standing.pinned?.rawValue,
            pin_reason: r.standing.pinReason, clean_runs: r.standing.cleanRuns, sessions: r.sessions, last_change: r.last.map(Change.init))
    }

    static func describe(_ c: TrustChange) -> String {
        let delta = c.after - c.before
        let sign = delta > 0 ? "+\(delta)" : delta == 0 ? "±0" : String(delta)
        let reasons = c.reasons.isEmpty ? "no change (clean session under an hour)" : c.reasons.map { "\($0.delta > 0 ? "+" : "")\($0.delta) \($0.why)" }.joined(separator: "; ")
        return "\(TimeSpec.format(c.time))  \(c.before) → \(c.after) (\(sign))  \(c.tier.rawValue)  \(c.session.map { "session \($0.prefix(8))" } ?? c.source): \(reasons)"
    }

    static func known(_ store: EventStore, _ game: String) throws {
        guard try store.knows(game: game) else {
            throw WardenError(.usage, "no game '\(game)' in the event database; `ww trust list` shows the games ww has run")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every game with its score, tier and last change.")
        @Flag(help: "One JSON object per game.") var json = false

        func run() throws {
            do {
                let records = try StoreAccess.open().store.trustRecords()
                if json { for r in records { print(StoreAccess.json(TrustCommand.row(r))) }; return }
                if records.isEmpty { print("no games yet: trust is scored after a game's first session"); return }
                var rows = [["GAME", "SCORE", "TIER", "SESSIONS", "LAST CHANGE"]]
                for r in records {
                    let tier = r.tier.rawValue + (r.standing.pinReason != nil ? " (locked)" : r.standing.pinned != nil ? " (pinned)" : "")
                    let last = r.last.map { c -> String in
                        let d = c.after - c.before
                        return (d > 0 ? "+\(d)" : d == 0 ? "±0" : String(d)) + (c.reasons.first.map { " " + $0.why } ?? "")
                    } ?? "-"
                    rows.append([r.game, String(r.standing.score), tier, String(r.sessions), last])
                }
                print(EventText.table(rows))
            } catch { exitWith(error) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A game's score and tier, and every change with its reasons (newest first).")
        @Argument(help: "Game id, as ww prints it (steam:1245620, lutris:diablo-ii, …).") var game: String
        @Flag(help: "JSON: the standing and the history.") var json = false

        func run() throws {
            do {
                let store = try StoreAccess.open().store
                try TrustCommand.known(store, game)
                let record = try store.trustRecord(game: game)!
                let history = try store.trustHistory(game: game)
                if json {
                    struct Out: Encodable { var trust: Row; var history: [Change] }
                    print(StoreAccess.json(Out(trust: TrustCommand.row(record), history: history.map(Change.init))))
                    return
                }
                let s = record.standing
                print("\(record.game)\(record.name != record.game ? " (\(record.name))" : "")")
                let alone = "the score alone would give \(TrustTier.of(score: s.score).rawValue)"
                if let why = s.pinReason {
                    print("score \(s.score), tier \(record.tier.rawValue) after \(why), until you change it: `ww trust set \(game) auto` lets the score decide (\(alone)), `ww trust reset \(game)` starts afresh")
                } else {
                    print("score \(s.score), tier \(record.tier.rawValue)\(s.pinned != nil ? " (pinned with ww trust set; \(alone))" : "")")
                }
                print("sessions \(record.sessions), clean in a row \(s.cleanRuns), programs in the baseline \(s.baselinePrograms?.count ?? 0)"
                      + (s.noticedPrograms.map { ", programs seen but not yet trusted \($0.count)" } ?? ""))
                print(history.isEmpty ? "no changes yet" : "history:")
                for c in history { print("  " + TrustCommand.describe(c)) }
            } catch { exitWith(error) }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pin a game's tier (red, yellow, green), or `auto` to let the score decide again.")
        @Argument(help: "Game id.") var game: String
        @Argument(help: "red, yellow, green or auto.") var tier: String
        @Flag(help: "Print the change as JSON.") var json = false

        func run() throws {
            do {
                let pin: TrustTier?
                if tier == "auto" { pin = nil }
                else if let t = TrustTier(rawValue: tier) { pin = t }
                else { throw WardenError(.usage, "'\(tier)' is not a tier; use red, yellow, green, or auto to unpin") }
                let store = try StoreAccess.open().store
                let seen = try store.knows(game: game)
                let change = try store.pin(game: game, tier: pin, time: AuditTrail.now())
                if json { print(StoreAccess.json(Change(change))); return }
                print(pin.map { "\(game) is pinned to \($0.rawValue)" } ?? "\(game) is unpinned: its score (\(change.after)) gives \(change.tier.rawValue)")
                if !seen { print("note: ww has not run \(game) yet; the pin applies from its first session") }
            } catch { exitWith(error) }
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a game's trust again at 50, without pin or baseline (the history keeps the reset).")
        @Argument(help: "Game id.") var game: String
        @Flag(help: "Print the change as JSON.") var json = false

        func run() throws {
            do {
                let store = try StoreAccess.open().store
                try TrustCommand.known(store, game)
                let change = try store.resetTrust(game: game, time: AuditTrail.now())
                if json { print(StoreAccess.json(Change(change))); return }
                print("\(game): trust reset, \(change.before) → \(change.after) (\(change.tier.rawValue))")
            } catch { exitWith(error) }
        }
    }
}
