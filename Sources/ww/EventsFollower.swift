import Foundation
import Glibc
import WardenCore
import WardenLinux
import WardenStore

/// `ww events --follow`: waits for new events. Placeholder until the live feed lands: polls the database.
enum EventsFollower {
    static func run(filter: EventFilter, store: EventStore, directories: WardenDirectories, printer: inout EventPrinter) throws {
        throw WardenError(.usage, "--follow is not available yet")
    }
}
