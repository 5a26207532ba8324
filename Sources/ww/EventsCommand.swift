import ArgumentParser
import Foundation
import Glibc
import WardenApp
import WardenCore
import WardenLinux
import WardenStore

/// The event database of the user running ww, brought up to date with every trail first: sessions
/// whose ww was killed and trails of earlier versions are imported (nothing twice).
enum StoreAccess {
    static func open(quiet: Bool = false) throws -> (store: EventStore, config: GlobalConfig, directories: WardenDirectories) {
        let prep = LaunchPreparation(command: [], profileArgument: nil, overrides: .init())
        let dirs = prep.directories()
        let config = try prep.globalConfig()
        let store = try EventStore(path: EventStore.defaultPath(dirs))
        let result = try store.importPending(logsFolder: Paths.join(dirs.state, "logs"), trust: config.trust)
        for s in result.skipped.prefix(quiet ? 0 : 20) {
            writeStandardError("ww: skipped \(s.path):\(s.line): \(s.reason)")
        }
        if !quiet && result.skipped.count > 20 { writeStandardError("ww: skipped \(result.skipped.count - 20) more lines") }
        return (store, config, dirs)
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }
}

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Query the audit trail of past and running sessions (from the event database).",
        discussion: """
        Every condition must hold. Times: a span back from now (90s, 30m, 1h, 2d, 1w) or a date
        (2026-11-23, 2026-11-23T18:30, with Z or +01:00 for a zone; local time otherwise).
        """)

    @Option(help: "Game id (steam:1245620), or a wildcard pattern (steam:*).")
    var game: String?

    @Option(help: "Session id, or its first digits.")
    var session: String?

    @Option(help: "Event kind, or a wildcard pattern (dns_*); repeatable.")
    var kind: [String] = []

    @Option(help: "Only events at or after this time.")
    var since: String?

    @Option(help: "Only events before this time.")
    var until: String?

    @Option(help: "Only the newest N events.")
    var last: Int?

    @Flag(help: "Print the events as JSON lines, exactly as the audit trail has them.")
    var json = false

    @Flag(help: "After the stored events, print new ones of running sessions as they happen (Ctrl-C ends).")
    var follow = false

    @Option(help: "Print what a persistence_attempt captured (its capture field, SESSION/N), byte for byte.")
    var capture: String?

    func filter(now: UInt64) throws -> EventFilter {
        func time(_ text: String?, _ option: String) throws -> UInt64? {
            guard let text else { return nil }
            guard let t = TimeSpec.parse(text, now: now) else {
                throw WardenError(.usage, "--\(option) \(text): not a time; use a span back from now such as 30m, 1h or 2d, or a date such as 2026-11-23 or 2026-11-23T18:30")
            }
            return t
        }
        if let s = session, s.count < 4 || !s.allSatisfy(\.isHexDigit) {
            throw WardenError(.usage, "--session \(s): give the session id or at least its first 4 hex digits, as `ww events` prints them")
        }
        if let n = last, n < 1 { throw WardenError(.usage, "--last must be 1 or more") }
        return EventFilter(game: game, session: session, kinds: kind, since: try time(since, "since"), until: try time(until, "until"), limit: last)
    }

    func run() throws {
        do {
            if let capture { return try printCapture(capture) }
            let filter = try self.filter(now: AuditTrail.now())
            let (store, _, _) = try StoreAccess.open()
            var printer = EventPrinter(json: json)
            if follow {
                let prep = LaunchPreparation(command: [], profileArgument: nil, overrides: .init())
                let folder = HostEnvironment.runtimeFolder(environment: prep.environment, uid: getuid())
                var follower = EventsFollower(filter: filter, folder: folder)
                try follower.run(store: store, printer: &printer)
                return
            }
            let lines = try store.events(filter)
            printer.header()
            for line in lines { printer.print(line: line) }
            if !json && lines.isEmpty { print("no events match (`ww events` without options lists all of them)") }
        } catch {
            exitWith(error)
        }
    }
}

extension EventsCommand {
    /// The bytes ww kept of a write to a persistence target (the first 64 KiB), to standard output.
    func printCapture(_ id: String) throws {
        let parts = id.split(separator: "/").map(String.init)
        guard parts.count == 2, parts[0].count == 16, parts[0].allSatisfy(\.isHexDigit), let n = Int(parts[1]), n > 0 else {
            throw WardenError(.usage, "--capture \(id): give the capture field of a persistence_attempt event, SESSION/N (such as 8a43cde33a225e5d/1)")
        }
        let dirs = LaunchPreparation(command: [], profileArgument: nil, overrides: .init()).directories()
        let path = Paths.join(Paths.join(Paths.join(dirs.state, "captures"), parts[0]), String(n))
        guard let bytes = RealFileSystem.readFile(path, limit: 1 << 20) else {
            throw WardenError(.usage, "no capture \(id) in \(Paths.dirname(Paths.dirname(path))) (`ww events --kind persistence_attempt` lists the captures)")
        }
        _ = RealFileSystem.writeAll(1, bytes)
    }
}

/// Table or JSON lines, one event at a time (flushed: `--follow` into a pipe must stream).
struct EventPrinter {
    var json: Bool
    var printedHeader = false

    mutating func header() {
        guard !json, !printedHeader else { return }
        printedHeader = true
        Swift.print(Self.columns("TIME", "GAME", "SESSION", "KIND", "PID", "DETAILS"))
    }

    func print(line: String) {
        if json {
            Swift.print(line)
        } else if let e = AuditEvent(jsonLine: line) {
            Swift.print(Self.row(e))
        }
        fflush(nil)
    }

    /// Fixed widths so rows printed one by one line up.
    static func row(_ e: AuditEvent) -> String {
        EventText.printable(columns(TimeSpec.format(e.timeNanoseconds), e.game, String(e.session.prefix(8)), e.kind, e.pid.map(String.init) ?? "-", EventText.details(e)))
    }

    static func columns(_ time: String, _ game: String, _ session: String, _ kind: String, _ pid: String, _ details: String) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        return pad(time, 19) + "  " + pad(game, 20) + "  " + pad(session, 8) + "  " + pad(kind, 19) + "  " + pad(pid, 7) + "  " + details
    }
}
