import Foundation
import Glibc
import WardenCore
import WardenLinux

/// Fills the database from a running session's trail: a background thread imports what the trail
/// wrote about once a second (never on the game's path: the trail only signals it), first finishing
/// trails of earlier sessions whose ww was killed. `finish()` completes the session and applies trust.
/// A database that cannot be used costs one warning, never the game: the trail is the primary record.
public final class SessionRecorder: @unchecked Sendable {
    let storePath: String
    let trailPath: String
    let logsFolder: String?
    let settings: TrustSettings
    let warn: (String) -> Void
    private let lock = NSCondition()
    private var pending = false
    private var stopping = false
    private var thread: Thread?
    private var store: EventStore?
    private var failed = false

    public init(storePath: String, trailPath: String, logsFolder: String?, settings: TrustSettings, warn: @escaping (String) -> Void) {
        self.storePath = storePath
        self.trailPath = trailPath
        self.logsFolder = logsFolder
        self.settings = settings
        self.warn = warn
    }

    /// Starts the thread and listens to the trail.
    public func start(_ trail: AuditTrail) {
        trail.onWrite { [weak self] in self?.signal() }
        let t = Thread { [weak self] in self?.loop() }
        t.name = "ww-store"
        t.stackSize = 512 * 1024
        thread = t
        // The thread never takes a signal: started before the supervisor blocks SIGCHLD and the
        // rest for its signalfd, it would otherwise catch them (and ww would miss bwrap's exit).
        var all = sigset_t()
        var previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, &previous)
        t.start()
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }

    func signal() {
        lock.lock()
        pending = true
        lock.signal()
        lock.unlock()
    }

    private var done = false

    func loop() {
        openStore()
        if let s = store {
            // Sessions cut short earlier (their ww was killed): complete them now.
            attempt { try s.importPending(logsFolder: nil, trust: settings) }
        }
        while true {
            lock.lock()
            while !pending && !stopping { lock.wait() }
            let stop = stopping
            pending = false
            lock.unlock()
            if stop { break }
            if let s = store { attempt { try s.importTrail(trailPath, final: false, trust: settings) } }
            // Batch: at most one import a second, however many events arrive.
            lock.lock()
            if !stopping { _ = lock.wait(until: Date(timeIntervalSinceNow: 1)) }
            lock.unlock()
        }
        lock.lock()
        done = true
        lock.broadcast()
        lock.unlock()
    }

    func openStore() {
        do { store = try EventStore(path: storePath) }
        catch { report(error) }
    }

    func attempt(_ body: () throws -> Void) {
        do { try body() } catch { report(error) }
    }

    func report(_ error: Error) {
        guard !failed else { return }
        failed = true
        let text = (error as? WardenError)?.message ?? "\(error)"
        warn("the session is not in the event database: \(text)")
    }

    /// Stops the thread, then imports the rest of the trail (call after `session_end` is written and
    /// the trail's lock released): the session is complete and its trust applied. Returns the session's trust change (nil when the database was unusable).
    public func finish(session: String) -> TrustChange? {
        lock.lock()
        stopping = true
        lock.signal()
        while thread != nil && !done { lock.wait() }
        lock.unlock()
        guard let s = store else { return nil }
        // final: nil — complete when no other session still writes the same file (--log shared).
        do {
            try s.importTrail(trailPath, final: nil, trust: settings)
            return try s.trustChange(session: session)
        } catch { report(error); return nil }
    }
}
