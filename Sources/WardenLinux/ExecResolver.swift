import CLinux
import Glibc
import WardenCore

/// Resolves an exec's path the way the kernel will for the calling process: in its own root
/// (/proc/PID/root) and from its cwd, following symlinks one component at a time (each step an
/// openat2 with RESOLVE_IN_ROOT, so nothing resolves outside the game's view), `/proc/self` and
/// `/proc/thread-self` as the caller's own, and procfs magic links (`/proc/N/fd/M`, `…/cwd`, `…/exe`)
/// to the object they stand for. The result is the file's path in the game's view, an O_PATH
/// descriptor on it, and whether any path reaches it at all (memfd, deleted file).
///
/// The answer is a snapshot: the game may change the file system after ww answers (see the README's
/// threat model); it makes a link, an fd or a loader no longer a way around a name rule.
struct ExecResolver {
    /// Host pid of the calling thread (its pid and tid inside its pid namespace are read from
    /// /proc only when a path goes through /proc/self: parsing the status file is most of the cost
    /// of a watched rename or unlink).
    let tid: pid_t
    let root: Int32
    /// The caller's working directory in its own view.
    let cwd: String

    struct File {
        var path: String
        var fd: Int32
        var anonymous: Bool
        var isRegular: Bool
    }

    struct Failure: Error, CustomStringConvertible {
        var errno: Int32
        var what: String
        var description: String { "\(what) (\(String(cString: strerror(errno))))" }
    }

    static let maxLinks = 40   // the kernel's MAXSYMLINKS

    init?(tid: pid_t) {
        let fd = ww_exec_open_following("/proc/\(tid)/root")
        guard fd >= 0 else { return nil }
        self.tid = tid
        root = fd
        cwd = ProcFiles.readLink("/proc/\(tid)/cwd") ?? "/"
    }

    func close() { _ = Glibc.close(root) }

    /// The last field of the NSpid and NStgid lines of /proc/TID/status: the ids the caller sees.
    static func namespacePids(_ tid: pid_t) -> (pid: pid_t, tid: pid_t) {
        let status = RealFileSystem.readSmallFile("/proc/\(tid)/status", limit: 4096) ?? ""
        func last(_ key: String) -> pid_t? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return nil }
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).last.flatMap { pid_t(String($0)) }
        }
        let t = last("NSpid:") ?? tid
        return (last("NStgid:") ?? t, t)
    }

    /// The file open on the caller's descriptor `fd` (execveat with AT_EMPTY_PATH).
    func descriptor(_ fd: Int32) -> Result<File, Failure> {
        let opened = ww_exec_open_following("/proc/\(tid)/fd/\(fd)")
        guard opened >= 0 else { return .failure(Failure(errno: -opened, what: "descriptor \(fd)")) }
        return .success(file(opened, path: ProcFiles.readLink("/proc/\(tid)/fd/\(fd)") ?? "fd \(fd)"))
    }

    /// The file `path` names for the caller (relative paths from `base`, the cwd by default).
    func resolve(_ path: String, base: String? = nil) -> Result<File, Failure> {
        var pending = Self.components(path)
        var current: [String] = path.hasPrefix("/") ? [] : Self.components(base ?? cwd)
        var links = 0
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name == "." { continue }
            if name == ".." { _ = current.popLast(); continue }
            let parent = "/" + current.joined(separator: "/")
            if current == ["proc"] && (name == "self" || name == "thread-self"), isProcRoot(parent) {
                let ids = Self.namespacePids(tid)
                pending.insert(contentsOf: name == "self" ? ["\(ids.pid)"] : ["\(ids.pid)", "task", "\(ids.tid)"], at: 0)
                continue
            }
            let here = Paths.join(parent, name)
            let fd = ww_exec_open_in_root(root, here)
            guard fd >= 0 else { return .failure(Failure(errno: -fd, what: here)) }
            var st = ww_exec_stat()
            guard ww_exec_stat(fd, &st) == 0 else { Glibc.close(fd); return .failure(Failure(errno: EIO, what: here)) }
            if st.kind != 2 {
                if pending.isEmpty { return .success(file(fd, path: here)) }
                Glibc.close(fd)
                current.append(name)
                continue
            }
            links += 1
            guard links <= Self.maxLinks else { Glibc.close(fd); return .failure(Failure(errno: ELOOP, what: path)) }
            var buf = [CChar](repeating: 0, count: 4097)
            let n = ww_exec_readlink(fd, &buf, 4096)
            Glibc.close(fd)
            guard n >= 0 else { return .failure(Failure(errno: Int32(-n), what: here)) }
            let target = String(decoding: buf.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if st.on_procfs != 0 && Self.isMagic(target) {
                // A magic link: the kernel jumps to the object, whatever its text says.
                guard let dir = openDirectory(parent) else { return .failure(Failure(errno: ENOENT, what: parent)) }
                let jumped = ww_exec_follow_magic(dir, name)
                Glibc.close(dir)
                guard jumped >= 0 else { return .failure(Failure(errno: -jumped, what: here)) }
                if pending.isEmpty { return .success(file(jumped, path: target)) }
                Glibc.close(jumped)
                // A directory reached through a magic link (…/cwd/x, …/fd/N/x): continue from its path.
                guard target.hasPrefix("/") else { return .failure(Failure(errno: ENOTDIR, what: here)) }
                current = Self.components(target)
                continue
            }
            pending.insert(contentsOf: Self.components(target), at: 0)
            if target.hasPrefix("/") { current = [] }
        }
        // The path named a directory (or was "/"): open it for the kernel's answer (EACCES).
        let fd = ww_exec_open_in_root(root, "/" + current.joined(separator: "/"))
        guard fd >= 0 else { return .failure(Failure(errno: -fd, what: path)) }
        return .success(file(fd, path: "/" + current.joined(separator: "/")))
    }

    func openDirectory(_ path: String) -> Int32? {
        let fd = ww_exec_open_in_root(root, path)
        return fd >= 0 ? fd : nil
    }

    func isProcRoot(_ path: String) -> Bool {
        guard let fd = openDirectory(path) else { return false }
        defer { Glibc.close(fd) }
        var st = ww_exec_stat()
        return ww_exec_stat(fd, &st) == 0 && st.on_procfs != 0 && st.inode == 1
    }

    func file(_ fd: Int32, path: String) -> File {
        var st = ww_exec_stat()
        _ = ww_exec_stat(fd, &st)
        let anonymous = st.links == 0 || path.hasPrefix("/memfd:") || path.hasSuffix(" (deleted)")
        return File(path: path, fd: fd, anonymous: anonymous, isRegular: st.kind == 0)
    }

    /// Plain procfs links name a path relative to /proc ("self/mounts", "2/task/2"); magic ones
    /// print an absolute path or an object ("pipe:[…]", "/memfd:x (deleted)").
    static func isMagic(_ target: String) -> Bool { target.hasPrefix("/") || target.contains(":") }

    static func components(_ path: String) -> [String] { path.split(separator: "/").map(String.init) }

    /// The first bytes of a resolved file (what the kernel reads to pick its format).
    static func head(_ file: File) -> Result<[UInt8], Failure> {
        var buf = [UInt8](repeating: 0, count: ExecIdentity.headSize)
        let n = ww_exec_read_head(file.fd, &buf, buf.count)
        guard n >= 0 else { return .failure(Failure(errno: Int32(-n), what: "reading \(file.path)")) }
        return .success(Array(buf.prefix(Int(n))))
    }
}
