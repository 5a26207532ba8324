import CLinux
import Foundation
import Glibc
import Synchronization
import WardenCore

/// The live feed (SPEC §6): a running supervisor serves its session's events, one JSON line each,
/// on `<session folder>/feed.sock` (the folder is 0700 under `$XDG_RUNTIME_DIR/winewarden`, which no
/// sandbox sees). A client that connects late first gets the session so far: every client is a read
/// offset into the trail file, so nothing is held in memory per event and a slow client only falls
/// behind; one that takes nothing for 10 s is dropped. Only the same user may connect (SO_PEERCRED).
public final class LiveFeed: @unchecked Sendable {
    public static let socketName = "feed.sock"
    public static let maxClients = 32
    /// A client that accepts no byte for this long is dropped (the game never waits for a monitor).
    public static let stuckNanoseconds: UInt64 = 10_000_000_000
    let stuckAfter: UInt64

    public let socketPath: String
    let trail: AuditTrail
    let listenFD: Int32
    let fileFD: Int32
    let wake: Int32
    private let state = Mutex(Shared())
    private var thread: pthread_t?

    struct Shared { var stopping = false }
    struct Client { var fd: Int32; var offset: Int; var stuckSince: UInt64?; var blocked = false }

    /// Binds the socket in `folder` (which must exist, 0700). Throws when it cannot.
    public init(folder: String, trail: AuditTrail, stuckAfter: UInt64 = LiveFeed.stuckNanoseconds) throws {
        self.stuckAfter = stuckAfter
        socketPath = Paths.join(folder, Self.socketName)
        self.trail = trail
        let l = ww_unix_listen(socketPath, 16)
        guard l >= 0 else { throw WardenError(.launch, "cannot serve the live feed at \(socketPath): \(String(cString: strerror(errno)))") }
        let f = open(trail.path, O_RDONLY | O_CLOEXEC)
        guard f >= 0 else { let e = errno; close(l); unlink(socketPath); throw WardenError(.launch, "cannot read the audit trail \(trail.path): \(String(cString: strerror(e)))") }
        let w = ww_wake_fd()
        guard w >= 0 else { let e = errno; close(l); close(f); unlink(socketPath); throw WardenError(.launch, "cannot start the live feed: \(String(cString: strerror(e)))") }
        listenFD = l; fileFD = f; wake = w
    }

    /// Starts the feed's thread. Call it after the supervisor has blocked its signals (the thread
    /// inherits the mask, so SIGCHLD keeps reaching the supervisor's signalfd).
    public func start() {
        let wakeFD = wake
        // The sink runs under the trail's lock, after the line is in the file: it only moves the end.
        // The wake-up is written under the feed's lock and never once stop() began: the descriptor
        // is closed then, and its number may belong to another file by the time a late event comes.
        trail.onWrite({ [weak self] in
            guard let self else { return }
            self.state.withLock { s in
                guard !s.stopping else { return }
                var one: UInt64 = 1
                _ = write(wakeFD, &one, 8)
            }
        })
        thread = BackgroundThread.start { self.run() }
    }

    /// Sends what is left (for a second at most), closes every client and removes the socket.
    public func stop() {
        state.withLock { s in
            s.stopping = true
            var one: UInt64 = 1
            _ = write(wake, &one, 8)
        }
        if let t = thread { pthread_join(t, nil); thread = nil }
        close(listenFD); close(fileFD); close(wake)
        unlink(socketPath)
    }

    func run() {
        var clients: [Client] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var drainUntil: UInt64?
        while true {
            var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            for c in clients { fds.append(pollfd(fd: c.fd, events: Int16(POLLIN) | (c.blocked ? Int16(POLLOUT) : 0), revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), drainUntil == nil ? 1000 : 50)
            if fds[1].revents != 0 { var n: UInt64 = 0; _ = read(wake, &n, 8) }
            let stopping = state.withLock { $0.stopping }
            // Up to the file's end: with `--log` shared by several sessions the file holds their lines
            // too (each line is one append); clients keep their own session's.
            var st = stat()
            let end = fstat(fileFD, &st) == 0 ? Int(st.st_size) : 0
            // New clients: the same user only, 32 at most; each starts at the session's first line.
            if fds[0].revents & Int16(POLLIN) != 0 && !stopping {
                while true {
                    let fd = accept(listenFD, nil, nil)
                    if fd < 0 { break }
                    _ = ww_set_cloexec(fd)
                    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                    if ww_peer_uid(fd) != Int(geteuid()) || clients.count >= Self.maxClients { close(fd); continue }
                    clients.append(Client(fd: fd, offset: trail.startOffset))
                }
            }
            // A client's own bytes are ignored; its hang-up ends it.
            for (i, p) in fds.enumerated().dropFirst(2) where p.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                var scratch = [UInt8](repeating: 0, count: 512)
                let n = read(p.fd, &scratch, scratch.count)
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || p.revents & Int16(POLLERR) != 0 { clients[i - 2].offset = -1 }
            }
            let now = AuditTrail.monotonic()
            for i in clients.indices where clients[i].offset >= 0 {
                clients[i].blocked = false
                while clients[i].offset < end {
                    let want = min(buffer.count, end - clients[i].offset)
                    let got = pread(fileFD, &buffer, want, off_t(clients[i].offset))
                    if got <= 0 { break }
                    let sent = send(clients[i].fd, buffer, got, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                    if sent < 0 {
                        if errno == EAGAIN || errno == EWOULDBLOCK { clients[i].blocked = true } else { clients[i].offset = -1 }
                        break
                    }
                    clients[i].offset += sent
                    clients[i].stuckSince = nil
                    if sent < got { clients[i].blocked = true; break }
                }
                if clients[i].blocked {
                    if clients[i].stuckSince == nil { clients[i].stuckSince = now }
                    if now - clients[i].stuckSince! > stuckAfter { clients[i].offset = -1 }
                }
            }
            for c in clients where c.offset < 0 { close(c.fd) }
            clients.removeAll { $0.offset < 0 }
            if stopping {
                if drainUntil == nil { drainUntil = now + 1_000_000_000 }
                if clients.allSatisfy({ !$0.blocked }) || now > drainUntil! { break }
            }
        }
        for c in clients { close(c.fd) }
    }
}

/// A connection to one session's live feed: the session so far, then each event as it is written.
public final class LiveFeedClient {
    public let session: String
    let fd: Int32
    private var pending: [UInt8] = []
    /// False once the supervisor closed the feed (the session ended).
    public private(set) var connected = true
    /// Bytes received: a feed closed before its first byte was full (32 readers), not ended.
    public private(set) var bytesReceived = 0

    /// A running session: its id and its socket.
    public struct Running: Equatable, Sendable {
        public var session: String
        public var socket: String
        public init(session: String, socket: String) { self.session = session; self.socket = socket }
    }

    /// Sessions whose supervisor serves a feed in `folder` (`HostEnvironment.runtimeFolder`).
    public static func running(folder: String) -> [Running] {
        RealFileSystem().list(folder).filter { $0.count == 16 && $0.allSatisfy(\.isHexDigit) }.sorted().compactMap { name in
            let socket = Paths.join(folder, name + "/" + LiveFeed.socketName)
            return RealFileSystem().kind(socket) == .socket ? Running(session: name, socket: socket) : nil
        }
    }

    public init(_ running: Running) throws {
        session = running.session
        fd = ww_unix_connect(running.socket)
        guard fd >= 0 else { throw WardenError(.usage, "cannot connect to session \(running.session) (\(running.socket)): \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    public var descriptor: Int32 { fd }

    /// The whole lines that arrived, waiting up to `timeout` ms for the first (0: do not wait).
    public func pollLines(timeout: Int32) -> [String] {
        guard connected else { return [] }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if timeout > 0 { _ = Glibc.poll(&p, 1, timeout) }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n > 0 { bytesReceived += n; pending.append(contentsOf: chunk[0..<n]); if n < chunk.count { break } else { continue } }
            if n == 0 || (errno != EAGAIN && errno != EINTR) { connected = false }
            break
        }
        guard let last = pending.lastIndex(of: 10) else { return [] }
        let mark = "\"session\":\"\(session)\""
        let lines = pending[...last].split(separator: 10).map { String(decoding: $0, as: UTF8.self) }.filter { $0.contains(mark) }
        pending.removeSubrange(...last)
        return lines
    }

    /// The events that arrived (lines that do not parse are left out).
    public func events(timeout: Int32) -> [AuditEvent] {
        pollLines(timeout: timeout).compactMap { AuditEvent(jsonLine: $0) }
    }
}
