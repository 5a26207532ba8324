import Glibc
import WardenCore

/// `$XDG_RUNTIME_DIR/winewarden/<session>`: the session's sockets and resolv.conf, private to the
/// user, removed at exit; folders of sessions whose ww died (SIGKILL) are removed by the next one.
enum SessionFolder {
    static func prepare(_ session: String, plan: NetworkPlan) throws {
        let parent = Paths.dirname(session)
        try WardenDirectories.createPrivate(parent)
        removeStale(in: parent)
        try WardenDirectories.createPrivate(session)
        let pidText = "\(getpid())\n"
        try write(Paths.join(session, "ww.pid"), pidText)
        if plan.mode == .proxy, let resolv = plan.hostResolvConf { try write(resolv, NetworkPlan.resolvConf) }
        if let dir = plan.hostSocketDirectory, Paths.join(dir, NetworkPlan.Socket.dnsStream).utf8.count >= 108 {
            throw WardenError(.launch, "the session folder \(session) is too deep for unix sockets (108 bytes at most); set XDG_RUNTIME_DIR to a short path such as /run/user/\(getuid())")
        }
    }

    static func write(_ path: String, _ text: String) throws {
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WardenError(.launch, "cannot write \(path): \(ErrnoText.describe(errno))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw WardenError(.launch, "cannot write \(path): \(ErrnoText.describe(errno))") }
    }

    /// Removes the folder and what is in it (the decoys are a few levels deep); links are removed, never followed.
    static func remove(_ path: String) { try? RealFileSystem.removeTree(path) }

    static func removeStale(in parent: String) {
        for name in RealFileSystem().list(parent) where name.count == 16 && name.allSatisfy(\.isHexDigit) {
            let dir = Paths.join(parent, name)
            guard let text = RealFileSystem.readSmallFile(Paths.join(dir, "ww.pid")),
                  let pid = Int32(text.filter { !$0.isWhitespace }) else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { remove(dir) }
        }
    }
}
