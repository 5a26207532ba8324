import Foundation
import Glibc
import WardenCore

/// Facts about the user and this process that the pure core takes as inputs.
public enum HostEnvironment {
    public static func currentUser(environment: [String: String]) -> UserInfo {
        let uid = getuid(), gid = getgid()
        var name = environment["USER"] ?? "user"
        var home = environment["HOME"] ?? "/"
        if let pw = getpwuid(uid) {
            name = String(cString: pw.pointee.pw_name)
            if environment["HOME"] == nil { home = String(cString: pw.pointee.pw_dir) }
        }
        return UserInfo(name: name, uid: uid, gid: gid, home: Paths.normalize(home))
    }

    /// `$XDG_RUNTIME_DIR/winewarden`, or `/tmp/winewarden-UID` when there is no runtime folder.
    public static func runtimeFolder(environment: [String: String], uid: uid_t) -> String {
        if let rt = environment["XDG_RUNTIME_DIR"], rt.hasPrefix("/"), RealFileSystem().kind(rt) == .directory {
            return Paths.join(Paths.normalize(rt), "winewarden")
        }
        return "/tmp/winewarden-\(uid)"
    }

    public static func workingDirectory() -> String {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buf, buf.count) != nil else { return "/" }
        return String(cString: buf)
    }

    /// The canonical path of the running binary.
    public static func executablePath() -> String {
        RealFileSystem().canonical("/proc/self/exe") ?? CommandLine.arguments[0]
    }

    /// Folders of shared libraries this binary loaded from outside the system folders
    /// (a debug build links the Swift runtime from the toolchain); the helper needs them inside.
    public static func libraryDirectoriesOutsideSystem() -> [String] {
        guard let maps = RealFileSystem.readSmallFile("/proc/self/maps", limit: 1 << 20) else { return [] }
        var dirs: [String] = []
        for line in maps.split(separator: "\n") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            let path = String(line[slash...])
            guard path.contains(".so") else { continue }
            if ["/usr/", "/lib/", "/lib64/", "/lib32/"].contains(where: { path.hasPrefix($0) }) { continue }
            let dir = Paths.dirname(path)
            if !dirs.contains(dir) { dirs.append(dir) }
        }
        return dirs
    }

    public static var environment: [String: String] { ProcessInfo.processInfo.environment }
}

/// PATH lookup the way a shell does it, on the host.
public enum CommandResolver {
    public enum Result: Equatable {
        case found(String)
        case notExecutable(String)
        case notFound
    }

    public static func resolve(_ command: String, path: String?, workingDirectory: String) -> Result {
        if command.contains("/") {
            let full = command.hasPrefix("/") ? command : Paths.join(workingDirectory, command)
            return check(full)
        }
        var sawNotExecutable: String?
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where !dir.isEmpty {
            let candidate = Paths.join(String(dir), command)
            switch check(candidate) {
            case .found(let p): return .found(p)
            case .notExecutable(let p): sawNotExecutable = sawNotExecutable ?? p
            case .notFound: continue
            }
        }
        return sawNotExecutable.map { .notExecutable($0) } ?? .notFound
    }

    static func check(_ path: String) -> Result {
        var st = stat()
        guard stat(path, &st) == 0 else { return .notFound }
        if (st.st_mode & S_IFMT) == S_IFDIR || access(path, X_OK) != 0 { return .notExecutable(path) }
        return .found(RealFileSystem().canonical(path) ?? path)
    }
}

/// XDG folders of SPEC §3, created on first use with mode 0700.
public struct WardenDirectories: Sendable {
    public var config: String
    public var data: String
    public var state: String

    public init(user: UserInfo, environment: [String: String]) {
        func xdg(_ name: String, _ fallback: String) -> String {
            if let v = environment[name], v.hasPrefix("/") { return Paths.normalize(v) }
            return Paths.join(user.home, fallback)
        }
        config = Paths.join(xdg("XDG_CONFIG_HOME", ".config"), "winewarden")
        data = Paths.join(xdg("XDG_DATA_HOME", ".local/share"), "winewarden")
        state = Paths.join(xdg("XDG_STATE_HOME", ".local/state"), "winewarden")
    }

    /// The global config (SPEC §3), read by every launch and written by `ww init`.
    public var configFile: String { Paths.join(config, "config.toml") }

    /// The empty regular file with no permissions bound (read-only) over hidden files: opening it
    /// fails with EACCES for the game (no capabilities), writing fails too. Recreated if anything changed it.
    public static func createEmptyFile(_ path: String) throws {
        try create(Paths.dirname(path))
        var st = stat()
        if lstat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFREG, st.st_size == 0, (st.st_mode & 0o7777) == 0 { return }
            unlink(path)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0)
        guard fd >= 0 || errno == EEXIST else {
            throw WardenError(.launch, "cannot create \(path): \(String(cString: strerror(errno))); check the permissions of \(Paths.dirname(path))")
        }
        if fd >= 0 { close(fd) }
    }

    /// A folder for live sockets that must be this user's alone (SPEC §3): created 0700 and refused
    /// when it is a link, someone else's, or open to others (a shared /tmp fallback could be planted).
    public static func createPrivate(_ path: String) throws {
        try create(path)
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == getuid(), (st.st_mode & 0o077) == 0 else {
            throw WardenError(.launch, "\(path) is not a private folder of yours (mode 0700, owned by you); remove it and run again")
        }
    }

    /// mkdir -p with 0700 for each folder ww creates; fails with the path and the reason.
    public static func create(_ path: String) throws {
        var partial = ""
        for comp in path.split(separator: "/") {
            partial += "/" + comp
            if mkdir(partial, 0o700) != 0, errno != EEXIST {
                throw WardenError(.launch, "cannot create \(partial): \(String(cString: strerror(errno))); check the permissions of its parent folder")
            }
        }
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw WardenError(.launch, "\(path) exists but is not a folder; move it away")
        }
    }
}
